import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from alliance.roles import COORDINATOR_GROUP

PASSWORD = "una-password-lunga-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persona{n}@example.org")
    full_name = factory.Faker("name", locale="it_IT")
    preferred_language = "it"
    password = factory.django.Password(PASSWORD)


class VerifiedUserFactory(UserFactory):
    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class CoordinatorFactory(VerifiedUserFactory):
    @factory.post_generation
    def coordinator_group(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(Group.objects.get_or_create(name=COORDINATOR_GROUP)[0])
