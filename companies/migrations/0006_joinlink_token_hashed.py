import hashlib

from django.db import migrations


def hash_tokens(apps, schema_editor):
    # Existing links keep working: their stored clear token becomes its sha256, which is what
    # the lookup now computes from the token in the URL.
    JoinLink = apps.get_model("companies", "JoinLink")
    for link in JoinLink.objects.only("pk", "token_hash").iterator():
        link.token_hash = hashlib.sha256(link.token_hash.encode()).hexdigest()
        link.save(update_fields=["token_hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0005_membership_and_file_sharing"),
    ]

    operations = [
        migrations.RenameField(model_name="joinlink", old_name="token", new_name="token_hash"),
        # A hash cannot be turned back into a link: there is no way back.
        migrations.RunPython(hash_tokens, migrations.RunPython.noop),
    ]
