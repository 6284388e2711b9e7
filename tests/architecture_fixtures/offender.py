"""Known offenders for tests/test_architecture.py: never imported, only parsed."""

from companies.models import Company


def view(request, company, user):
    Company.objects.create(name="x")
    Company.objects.filter(pk=1).update(name="y")
    Company.objects.all().delete()
    Company.objects.bulk_create([])
    Company.objects.get_or_create(name="x")
    Company.objects.update_or_create(name="x")
    company.members.create(email="a@b.test")
    user.groups.add(1)
    user.groups.clear()
    company.save()
    company.delete()
