from django.db import migrations, models

from core.mail_bodies import bodies_open, bodies_seal

# The emails that carry a bubble conversation (SPEC §9.1), the only ones queued sealed.
SEALED_TEMPLATES = ["bubble_conversation"]


def seal_existing(apps, schema_editor):
    """Conversation exports still queued, or failed for good, held their text in clear."""
    OutboundEmail = apps.get_model("core", "OutboundEmail")
    rows = OutboundEmail.objects.filter(template__in=SEALED_TEMPLATES).exclude(
        body_text="", body_html=""
    )
    for email in rows.iterator():
        email.body_sealed = bodies_seal(
            email_id=email.pk, text=email.body_text, html=email.body_html
        )
        email.body_text = email.body_html = ""
        email.save(update_fields=["body_sealed", "body_text", "body_html"])


def open_existing(apps, schema_editor):
    OutboundEmail = apps.get_model("core", "OutboundEmail")
    for email in OutboundEmail.objects.exclude(body_sealed=b"").iterator():
        email.body_text, email.body_html = bodies_open(email)
        email.body_sealed = b""
        email.save(update_fields=["body_sealed", "body_text", "body_html"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_outboundemail_next_attempt"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboundemail",
            name="body_sealed",
            field=models.BinaryField(blank=True, default=b"", editable=False),
        ),
        migrations.RunPython(seal_existing, open_existing),
    ]
