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


# Allies, their managers, applications and invitations -----------------------------


def _now():
    from django.utils import timezone

    return timezone.now()


class PrinciplesFactory(factory.django.DjangoModelFactory):
    """A new version of the principles; `version=1` is the one the migrations publish."""

    class Meta:
        model = "members.Principles"
        django_get_or_create = ("version",)

    version = factory.Sequence(lambda n: n + 2)
    title = factory.LazyAttribute(lambda o: f"Principi dell'alleanza, versione {o.version}")
    body = "Ci impegniamo a liberare e connettere le energie generative dei territori."


class AllyFactory(factory.django.DjangoModelFactory):
    """A person ally, not approved yet; `approved=True` makes it a member."""

    class Meta:
        model = "members.Ally"

    class Params:
        approved = factory.Trait(approved_at=factory.LazyFunction(_now), membership_status="active")

    kind = "person"
    name = factory.Faker("name", locale="it_IT")
    slug = factory.Sequence(lambda n: f"alleato-{n}")
    summary = "Facilitatrice di comunità"
    role = "Educatrice"
    contact_email = factory.Sequence(lambda n: f"contatto{n}@example.org")
    phone = factory.Sequence(lambda n: f"+39 333 {n:07d}")


class OrganizationFactory(AllyFactory):
    kind = "organization"
    name = factory.Sequence(lambda n: f"Cooperativa Sociale Esempio {n}")
    slug = factory.Sequence(lambda n: f"organizzazione-{n}")
    role = ""
    legal_form = "cooperativa_sociale"
    tax_code = "00743110157"
    city = "Reggio Emilia"


class AllyManagerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "members.AllyManager"

    ally = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(VerifiedUserFactory)
    role = "owner"


class MembershipApplicationFactory(factory.django.DjangoModelFactory):
    """A submitted application; `submitted_log=True` starts its log with the submission, as the service does."""

    class Meta:
        model = "members.MembershipApplication"
        skip_postgeneration_save = True

    ally = factory.SubFactory(AllyFactory)
    applicant = factory.SubFactory(VerifiedUserFactory)
    principles = factory.SubFactory(PrinciplesFactory, version=1)
    principles_accepted_at = factory.LazyFunction(_now)
    motivation = "Vogliamo lavorare in rete."

    @factory.post_generation
    def submitted_log(obj, create, extracted, **kwargs):
        if create and extracted:
            from alliance.workflow import log

            log(obj, "status.submitted", actor=obj.applicant, data={"field": "status", "from": "", "to": "submitted"})


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "members.Invitation"

    ally = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"invitata{n}@example.org")
    role = "editor"
    token = factory.Sequence(lambda n: f"token-di-prova-{n:04d}")
    invited_by = None


class MemberOrganizationFactory(OrganizationFactory):
    """An approved organization; `themes`, `regions` and `provinces` take lists of rows."""

    class Meta:
        skip_postgeneration_save = True

    approved_at = factory.LazyFunction(_now)
    membership_status = "active"

    @factory.post_generation
    def themes(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.themes.set(extracted)

    @factory.post_generation
    def regions(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.regions.set(extracted)

    @factory.post_generation
    def provinces(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.provinces.set(extracted)


class MemberPersonFactory(MemberOrganizationFactory):
    """An approved person ally."""

    kind = "person"
    name = factory.Faker("name", locale="it_IT")
    slug = factory.Sequence(lambda n: f"persona-alleata-{n}")
    role = "Educatrice"
    legal_form = ""
    tax_code = ""
    city = ""
