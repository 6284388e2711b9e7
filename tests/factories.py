import factory
from django.contrib.auth.models import Permission

from accounts.models import User
from companies.models import Company, Organization, RoleAssignment
from companies.visibility.inputs import derive_inputs

PASSWORD = "Correct-Horse-9!"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.Sequence(lambda n: f"company-{n}")
    region = "EMEA"
    kind = Company.Kind.END_CUSTOMER


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    company = factory.SubFactory(CompanyFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # User.save() derives nothing (issue 9): like the user_create service, the factory
        # copies the company's visibility inputs onto the new row.
        user = model_class(*args, **kwargs)
        derive_inputs(user)
        user.save()
        return user

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or []:
            RoleAssignment.objects.create(user=self, role=role)


def make_operations(user: User) -> User:
    user.user_permissions.add(
        Permission.objects.get(codename="operations", content_type__app_label="activity")
    )
    return User.objects.get(pk=user.pk)  # fresh permission cache


def login_with_second_factor(client, user: User) -> None:
    """`client.force_login` plus a verified second factor, as the Django admin (OTP) needs."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.models import AuthenticatorDevice
    from accounts.security.services import authenticator_device_create

    client.force_login(user)
    device = AuthenticatorDevice.objects.filter(user=user, confirmed=True).first()
    device = device or authenticator_device_create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def api_token(user: User, scope: str = "read-write", days: int = 30) -> str:
    """A personal API token of `user` (SPEC §7.8), as its secret, for Authorization: Bearer."""
    from accounts.security.services.tokens import token_create

    _, secret = token_create(user=user, actor=user, name="test", scope=scope, days=days)
    return secret
