"""The account area: my profiles, editing, managers and invitations, preferences, export and deletion.

The pages are requested in English: the assertions read the source strings,
whatever the Italian catalogue says.
"""

import io
import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from alliance.models import OutgoingEmail
from alliance.workflow import transition
from members.models import Ally, AllyManager, Invitation, MembershipApplication
from tests.factories.alliance import OutgoingEmailFactory
from tests.factories.members import (
    PASSWORD,
    AllyFactory,
    AllyManagerFactory,
    CoordinatorFactory,
    InvitationFactory,
    MembershipApplicationFactory,
    OrganizationFactory,
    VerifiedUserFactory,
)

pytestmark = pytest.mark.django_db

Role = AllyManager.Role
Status = MembershipApplication.Status

PRIVATE_EMAIL = "segreteria-riservata@example.org"
PRIVATE_PHONE = "+39 0522 999111"
PRIVATE_TAX_CODE = "00743110157"


def url(name, **kwargs):
    with translation.override("en"):
        return reverse(f"members:{name}", kwargs=kwargs)


def text(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def manage(user, ally, role=Role.OWNER) -> AllyManager:
    return AllyManagerFactory(user=user, ally=ally, role=role)


def private_organization(**kwargs) -> Ally:
    return OrganizationFactory(
        contact_email=PRIVATE_EMAIL, phone=PRIVATE_PHONE, tax_code=PRIVATE_TAX_CODE, approved=True, **kwargs
    )


def assert_no_private_data(response):
    html = text(response)
    for secret in (PRIVATE_EMAIL, PRIVATE_PHONE, PRIVATE_TAX_CODE):
        assert secret not in html


def profile_data(ally: Ally, **changes) -> dict:
    """What the edit form posts back for `ally`, with `changes`."""
    data = {
        "name": ally.name,
        "summary": ally.summary,
        "description": ally.description,
        "contact_email": ally.contact_email,
        "phone": ally.phone,
    }
    if ally.is_organization:
        data.update(
            legal_form=ally.legal_form,
            tax_code=ally.tax_code,
            website=ally.website,
            social_links="\n".join(ally.social_links),
            address=ally.address,
            city=ally.city,
        )
    else:
        data["role"] = ally.role
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# Access ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["my_area", "preferences", "export_data", "delete_account"], ids=lambda name: name)
def test_every_page_of_the_area_needs_a_login(client, name):
    response = client.get(url(name))

    assert response.status_code == 302
    with translation.override("en"):
        login = reverse("account_login")
    assert response.url == f"{login}?next={url(name)}"


# My area ----------------------------------------------------------------------------


def test_my_area_lists_exactly_my_profiles_with_their_status(client):
    me = VerifiedUserFactory(full_name="Giulia Ferri", email="giulia@example.org", preferred_language="en")
    stranger = VerifiedUserFactory(full_name="Ottavio Estraneo")

    person = AllyFactory(name="Giulia Ferri", slug="giulia-ferri")
    manage(me, person)
    submitted = MembershipApplicationFactory(ally=person, applicant=me)

    approved = OrganizationFactory(name="Cooperativa Approvata", slug="approvata", approved=True)
    manage(me, approved)
    MembershipApplicationFactory(ally=approved, applicant=me, status=Status.APPROVED)

    declined = OrganizationFactory(name="Associazione Respinta", slug="respinta")
    manage(me, declined, Role.EDITOR)
    manage(stranger, declined)
    MembershipApplicationFactory(
        ally=declined, applicant=stranger, status=Status.DECLINED, decision_reason="Manca lo statuto firmato."
    )

    withdrawn = OrganizationFactory(name="Fondazione Ritirata", slug="ritirata")
    manage(me, withdrawn)
    old = MembershipApplicationFactory(ally=withdrawn, applicant=me, status=Status.DECLINED, decision_reason="Vecchio")
    MembershipApplicationFactory(ally=withdrawn, applicant=me, status=Status.WITHDRAWN)
    MembershipApplication.objects.filter(pk=old.pk).update(created_at=timezone.now() - timezone.timedelta(days=30))

    others = OrganizationFactory(name="Fondazione Altrui", slug="altrui")
    manage(stranger, others)
    MembershipApplicationFactory(ally=others, applicant=stranger)

    client.force_login(me)
    response = client.get(url("my_area"))

    assert response.status_code == 200
    rows = [
        (row["ally"].name, row["membership"].role, row["application"].status if row["application"] else None)
        for row in response.context["profiles"]
    ]
    assert rows == [
        ("Associazione Respinta", Role.EDITOR, Status.DECLINED),
        ("Cooperativa Approvata", Role.OWNER, Status.APPROVED),
        ("Fondazione Ritirata", Role.OWNER, Status.WITHDRAWN),
        ("Giulia Ferri", Role.OWNER, Status.SUBMITTED),
    ]
    html = text(response)
    assert html.count("<h1") == 1
    assert "Fondazione Altrui" not in html
    assert "Ottavio Estraneo" not in html
    assert "giulia@example.org" in html
    assert "English" in html
    assert "Manca lo statuto firmato." in html
    assert "Vecchio" not in html  # only the latest application counts
    assert html.count("Not public yet") == 3
    assert html.count(">Public<") == 1
    # Owners of organizations see the managers link; the editor does not, but may leave.
    assert f'href="{url("ally_managers", slug="approvata")}"' in html
    assert f'href="{url("ally_managers", slug="ritirata")}"' in html
    assert f'href="{url("ally_managers", slug="respinta")}"' not in html
    leave = AllyManager.objects.get(ally=declined, user=me)
    assert f'href="{url("manager_remove", slug="respinta", pk=leave.pk)}"' in html
    # Withdraw the open application, apply again after a withdrawal; not for the editor.
    assert f'href="{url("application_withdraw", pk=submitted.pk)}"' in html
    assert f'href="{url("reapply", slug="ritirata")}"' in html
    assert f'href="{url("reapply", slug="respinta")}"' not in html
    assert f'href="{url("reapply", slug="approvata")}"' not in html
    for slug in ("giulia-ferri", "approvata", "respinta", "ritirata"):
        assert f'href="{url("ally_edit", slug=slug)}"' in html
    assert f'href="{url("ally_edit", slug="altrui")}"' not in html
    assert f'href="{url("join")}"' in html  # another organization may still join
    assert "You have no profile yet" not in html
    assert f'href="{url("export_data")}"' in html
    assert f'href="{url("delete_account")}"' in html
    assert f'href="{url("preferences")}"' in html


def test_my_area_without_profiles_invites_to_join(client):
    client.force_login(VerifiedUserFactory())

    response = client.get(url("my_area"))

    html = text(response)
    assert response.context["profiles"] == []
    assert "You have no profile yet" in html
    assert f'<a class="btn btn-primary" href="{url("join")}">Join the alliance</a>' in html


@pytest.mark.parametrize("count", [1, 3])
def test_my_area_query_count_does_not_grow_with_my_allies(client, django_assert_num_queries, count):
    me = VerifiedUserFactory()
    for _ in range(count):
        ally = OrganizationFactory()
        manage(me, ally)
        manage(VerifiedUserFactory(), ally, Role.EDITOR)
        MembershipApplicationFactory(ally=ally, applicant=me)
        InvitationFactory(ally=ally, invited_by=me)
    client.force_login(me)

    with django_assert_num_queries(7):
        response = client.get(url("my_area"))

    assert len(response.context["profiles"]) == count


# Editing a profile -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["stranger", "editor of another organization", "owner of another organization"])
def test_only_managers_can_edit_a_profile_and_outsiders_learn_nothing(client, who):
    ally = private_organization(name="Cooperativa Riservata", slug="riservata")
    manage(VerifiedUserFactory(), ally)
    outsider = VerifiedUserFactory()
    if who != "stranger":
        manage(outsider, OrganizationFactory(), Role.EDITOR if who.startswith("editor") else Role.OWNER)
    before = Ally.objects.values().get(pk=ally.pk)
    client.force_login(outsider)

    responses = [
        client.get(url("ally_edit", slug="riservata")),
        client.post(
            url("ally_edit", slug="riservata"), profile_data(ally, name="Presa", contact_email="x@example.org")
        ),
        client.get(url("ally_managers", slug="riservata")),
        client.post(url("ally_managers", slug="riservata"), {"email": "intruso@example.org", "role": Role.OWNER}),
    ]
    manager = ally.memberships.get()
    responses += [
        client.get(url("manager_remove", slug="riservata", pk=manager.pk)),
        client.post(url("manager_remove", slug="riservata", pk=manager.pk)),
        client.post(url("manager_role", slug="riservata", pk=manager.pk), {"role": Role.EDITOR}),
    ]

    assert [r.status_code for r in responses] == [404] * 7
    for response in responses:
        assert_no_private_data(response)
    # The same answer as for an ally that does not exist.
    assert client.get(url("ally_edit", slug="non-esiste")).status_code == 404
    assert Ally.objects.values().get(pk=ally.pk) == before
    assert list(ally.memberships.values_list("role", flat=True)) == [Role.OWNER]
    assert not Invitation.objects.exists()


def test_an_editor_edits_the_profile_and_a_published_ally_stays_published(client):
    ally = private_organization(name="Cooperativa Prima", slug="prima")
    approved_at = ally.approved_at
    editor = VerifiedUserFactory()
    manage(VerifiedUserFactory(), ally)
    manage(editor, ally, Role.EDITOR)
    client.force_login(editor)

    page = client.get(url("ally_edit", slug="prima"))
    response = client.post(
        url("ally_edit", slug="prima"),
        profile_data(ally, name="Cooperativa Seconda", city="Parma", phone_public="on"),
        follow=True,
    )

    html = text(page)
    assert 'enctype="multipart/form-data"' in html
    assert html.count("<h1") == 1
    assert response.redirect_chain == [(url("my_area"), 302)]
    assert messages_of(response) == ["The profile of Cooperativa Seconda has been saved."]
    ally.refresh_from_db()
    assert (ally.name, ally.city, ally.phone_public, ally.slug) == ("Cooperativa Seconda", "Parma", True, "prima")
    assert ally.approved_at == approved_at


def test_a_wrong_tax_code_is_shown_and_nothing_is_saved(client):
    ally = private_organization(name="Cooperativa Prima", slug="prima")
    owner = VerifiedUserFactory()
    manage(owner, ally)
    client.force_login(owner)

    response = client.post(url("ally_edit", slug="prima"), profile_data(ally, name="Altro", tax_code="12345"))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "tax_code": ["This is not a valid Italian tax code (16 characters) or VAT number (11 digits)."]
    }
    ally.refresh_from_db()
    assert (ally.name, ally.tax_code) == ("Cooperativa Prima", PRIVATE_TAX_CODE)


def test_a_person_uploads_a_photo(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    me = VerifiedUserFactory()
    ally = AllyFactory(name="Marta Rossi", slug="marta-rossi")
    manage(me, ally)
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(buffer, format="PNG")
    client.force_login(me)

    response = client.post(
        url("ally_edit", slug="marta-rossi"),
        {**profile_data(ally), "image": SimpleUploadedFile("foto.png", buffer.getvalue(), content_type="image/png")},
    )

    assert response.status_code == 302
    ally.refresh_from_db()
    assert ally.image.name.startswith("allies/") and ally.image.name.endswith(".png")
    with Image.open(ally.image.path) as stored:
        assert (stored.format, stored.size) == ("PNG", (40, 30))


# Managers -------------------------------------------------------------------------------


def organization_with_owner_and_editor():
    ally = private_organization(name="Cooperativa Insieme", slug="insieme")
    owner = VerifiedUserFactory(full_name="Olga Titolare", email="olga@example.org")
    editor = VerifiedUserFactory(full_name="Elio Redattore", email="elio@example.org")
    return ally, manage(owner, ally), manage(editor, ally, Role.EDITOR)


def test_an_editor_sees_the_managers_but_cannot_invite_remove_or_change_roles(client):
    ally, owner, editor = organization_with_owner_and_editor()
    InvitationFactory(ally=ally, email="attesa@example.org")
    client.force_login(editor.user)

    page = client.get(url("ally_managers", slug="insieme"))
    invite = client.post(url("ally_managers", slug="insieme"), {"email": "amico@example.org", "role": Role.OWNER})
    remove = client.post(url("manager_remove", slug="insieme", pk=owner.pk))
    remove_page = client.get(url("manager_remove", slug="insieme", pk=owner.pk))
    promote = client.post(url("manager_role", slug="insieme", pk=editor.pk), {"role": Role.OWNER})

    html = text(page)
    assert page.status_code == 200
    assert [(m.user.full_name, m.role) for m in page.context["managers"]] == [
        ("Elio Redattore", Role.EDITOR),
        ("Olga Titolare", Role.OWNER),
    ]
    assert page.context["form"] is None
    assert 'name="email"' not in html
    assert 'name="role"' not in html
    assert "attesa@example.org" not in html
    assert url("manager_remove", slug="insieme", pk=owner.pk) not in html
    assert url("manager_remove", slug="insieme", pk=editor.pk) in html  # leaving
    assert [invite.status_code, remove.status_code, remove_page.status_code, promote.status_code] == [404] * 4
    assert list(Invitation.objects.values_list("email", flat=True)) == ["attesa@example.org"]
    assert sorted(ally.memberships.values_list("user__email", "role")) == [
        ("elio@example.org", Role.EDITOR),
        ("olga@example.org", Role.OWNER),
    ]


def test_the_managers_page_is_for_organizations_only(client):
    me = VerifiedUserFactory()
    person = AllyFactory(slug="persona")
    manage(me, person)
    client.force_login(me)

    assert client.get(url("ally_managers", slug="persona")).status_code == 404


def test_an_owner_invites_and_the_invitation_arrives_with_the_accept_link(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    ally, owner, _editor = organization_with_owner_and_editor()
    client.force_login(owner.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("ally_managers", slug="insieme"), {"email": "Nuova.Persona@Example.org", "role": Role.EDITOR}
        )

    assert response.status_code == 302
    assert response.url == url("ally_managers", slug="insieme")
    invitation = Invitation.objects.get()
    assert (invitation.ally, invitation.email, invitation.role, invitation.invited_by, invitation.accepted_at) == (
        ally,
        "Nuova.Persona@example.org",
        Role.EDITOR,
        owner.user,
        None,
    )
    row = OutgoingEmail.objects.get()
    assert (row.to, row.template, row.language, row.status) == (
        "Nuova.Persona@example.org",
        "ally_invitation",
        "it",
        "sent",
    )
    [message] = mailoutbox
    assert message.to == ["Nuova.Persona@example.org"]
    with translation.override("it"):
        accept_path = reverse("members:invitation_accept", kwargs={"token": invitation.token})
    assert accept_path in message.body
    assert "Cooperativa Insieme" in message.body
    page = client.get(url("ally_managers", slug="insieme"))
    assert "Nuova.Persona@example.org" in text(page)
    assert [m for m in messages_of(page)] == ["An invitation has been sent to Nuova.Persona@example.org."]


def test_inviting_someone_who_already_manages_shows_the_reason(client):
    ally, owner, _editor = organization_with_owner_and_editor()
    client.force_login(owner.user)

    response = client.post(url("ally_managers", slug="insieme"), {"email": "elio@example.org", "role": Role.OWNER})

    assert response.status_code == 200
    assert response.context["form"].errors == {"email": ["elio@example.org already manages this organization."]}
    assert not Invitation.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_the_invited_person_accepts_with_the_right_account(client):
    ally = OrganizationFactory(name="Cooperativa Insieme")
    invitation = InvitationFactory(ally=ally, email="invitata@example.org", role=Role.OWNER)
    invited = VerifiedUserFactory(email="invitata@example.org")
    client.force_login(invited)

    page = client.get(url("invitation_accept", token=invitation.token))
    response = client.post(url("invitation_accept", token=invitation.token), follow=True)

    html = text(page)
    assert html.count("<h1") == 1
    assert "Invitation to manage Cooperativa Insieme" in html
    assert "<strong>Owner</strong>" in html
    assert "Accept the invitation" in html
    assert response.redirect_chain == [(url("my_area"), 302)]
    assert messages_of(response) == ["You now manage Cooperativa Insieme as owner."]
    assert list(AllyManager.objects.values_list("ally", "user", "role")) == [(ally.pk, invited.pk, Role.OWNER)]
    invitation.refresh_from_db()
    assert (invitation.accepted_by, invitation.accepted_at is not None) == (invited, True)


def test_an_invitation_cannot_be_accepted_by_another_account_nor_twice(client):
    invitation = InvitationFactory(email="invitata@example.org", role=Role.EDITOR)
    other = VerifiedUserFactory(email="altra@example.org")
    invited = VerifiedUserFactory(email="invitata@example.org")

    client.force_login(other)
    refused = client.post(url("invitation_accept", token=invitation.token))
    assert refused.status_code == 200
    assert "This invitation was sent to invitata@example.org: sign in with that address to accept it." in text(refused)
    assert not AllyManager.objects.exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None

    client.force_login(invited)
    client.post(url("invitation_accept", token=invitation.token))
    again = client.post(url("invitation_accept", token=invitation.token))
    again_page = client.get(url("invitation_accept", token=invitation.token))

    expected = "This invitation is no longer valid. Ask the organization for a new one."
    assert expected in text(again)
    assert expected in text(again_page)
    assert "Accept the invitation" not in text(again_page)
    assert list(AllyManager.objects.values_list("user", "role")) == [(invited.pk, Role.EDITOR)]


def test_accepting_needs_a_login_and_comes_back_to_the_invitation(client):
    invitation = InvitationFactory()

    response = client.get(url("invitation_accept", token=invitation.token))

    with translation.override("en"):
        login = reverse("account_login")
    assert response.status_code == 302
    assert response.url == f"{login}?next={url('invitation_accept', token=invitation.token)}"
    assert client.get(url("invitation_accept", token="sconosciuto")).status_code == 302  # 404 only after login


def test_an_unknown_invitation_is_not_found(client):
    client.force_login(VerifiedUserFactory())

    assert client.get(url("invitation_accept", token="sconosciuto")).status_code == 404


def test_the_last_owner_cannot_be_removed(client):
    ally, owner, editor = organization_with_owner_and_editor()
    client.force_login(owner.user)

    response = client.post(url("manager_remove", slug="insieme", pk=owner.pk), follow=True)

    assert response.redirect_chain == [(url("ally_managers", slug="insieme"), 302)]
    assert messages_of(response) == ["An organization cannot be left without an owner: make someone else owner first."]
    assert sorted(ally.memberships.values_list("pk", "role")) == sorted(
        [(owner.pk, Role.OWNER), (editor.pk, Role.EDITOR)]
    )


def test_an_owner_removes_an_editor_after_confirming(client):
    ally, owner, editor = organization_with_owner_and_editor()
    client.force_login(owner.user)

    confirm = client.get(url("manager_remove", slug="insieme", pk=editor.pk))
    assert AllyManager.objects.filter(pk=editor.pk).exists()
    response = client.post(url("manager_remove", slug="insieme", pk=editor.pk), follow=True)

    html = text(confirm)
    assert html.count("<h1") == 1
    assert "Remove Elio Redattore from the managers of Cooperativa Insieme?" in html
    assert response.redirect_chain == [(url("ally_managers", slug="insieme"), 302)]
    assert messages_of(response) == ["Elio Redattore no longer manages Cooperativa Insieme."]
    assert list(ally.memberships.values_list("pk", flat=True)) == [owner.pk]


def test_an_editor_leaves(client):
    ally, owner, editor = organization_with_owner_and_editor()
    client.force_login(editor.user)

    confirm = client.get(url("manager_remove", slug="insieme", pk=editor.pk))
    response = client.post(url("manager_remove", slug="insieme", pk=editor.pk), follow=True)

    assert "Stop managing Cooperativa Insieme?" in text(confirm)
    assert response.redirect_chain == [(url("my_area"), 302)]
    assert messages_of(response) == ["You no longer manage Cooperativa Insieme."]
    assert list(ally.memberships.values_list("pk", flat=True)) == [owner.pk]
    assert client.get(url("ally_edit", slug="insieme")).status_code == 404


def test_an_owner_promotes_an_editor_and_then_steps_down(client):
    ally, owner, editor = organization_with_owner_and_editor()
    client.force_login(owner.user)

    refused = client.post(url("manager_role", slug="insieme", pk=owner.pk), {"role": Role.EDITOR}, follow=True)
    assert messages_of(refused) == ["An organization cannot be left without an owner: make someone else owner first."]
    assert AllyManager.objects.get(pk=owner.pk).role == Role.OWNER

    nonsense = client.post(url("manager_role", slug="insieme", pk=editor.pk), {"role": "king"}, follow=True)
    promoted = client.post(url("manager_role", slug="insieme", pk=editor.pk), {"role": Role.OWNER}, follow=True)
    stepped_down = client.post(url("manager_role", slug="insieme", pk=owner.pk), {"role": Role.EDITOR})
    # Now an editor, the former owner can no longer change roles.
    no_longer = client.post(url("manager_role", slug="insieme", pk=editor.pk), {"role": Role.EDITOR})

    assert messages_of(nonsense) == ["Choose a role from the list."]
    assert messages_of(promoted) == ["Elio Redattore is now owner of Cooperativa Insieme."]
    assert stepped_down.status_code == 302
    assert no_longer.status_code == 404
    assert dict(ally.memberships.values_list("pk", "role")) == {owner.pk: Role.EDITOR, editor.pk: Role.OWNER}


# Preferences ---------------------------------------------------------------------------


def test_preferences_save_the_language_and_the_news_consent_with_its_date(client):
    me = VerifiedUserFactory(preferred_language="it", news_opt_in=False)
    client.force_login(me)

    page = client.get(url("preferences"))
    before = timezone.now()
    response = client.post(url("preferences"), {"preferred_language": "en", "news_opt_in": "on"}, follow=True)
    after = timezone.now()

    assert page.context["form"].initial == {"preferred_language": "it", "news_opt_in": False}
    assert response.redirect_chain == [(url("my_area"), 302)]
    assert messages_of(response) == ["Your e-mail preferences have been saved."]
    me.refresh_from_db()
    assert (me.preferred_language, me.news_opt_in) == ("en", True)
    assert before <= me.news_opt_in_changed_at <= after
    consent_at = me.news_opt_in_changed_at

    # Saving the same choice again keeps the date of the consent.
    client.post(url("preferences"), {"preferred_language": "it", "news_opt_in": "on"})
    me.refresh_from_db()
    assert (me.preferred_language, me.news_opt_in, me.news_opt_in_changed_at) == ("it", True, consent_at)

    client.post(url("preferences"), {"preferred_language": "it"})
    me.refresh_from_db()
    assert me.news_opt_in is False
    assert me.news_opt_in_changed_at > consent_at


def test_an_unknown_language_is_refused(client):
    me = VerifiedUserFactory(preferred_language="it")
    client.force_login(me)

    response = client.post(url("preferences"), {"preferred_language": "klingon"})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["preferred_language"]
    me.refresh_from_db()
    assert me.preferred_language == "it"


# Export ---------------------------------------------------------------------------------


def test_export_downloads_my_data_and_nobody_else(client):
    me = VerifiedUserFactory(full_name="Niccolò Ferraris", email="niccolo@example.org")
    other = VerifiedUserFactory(full_name="Ottavio Riservatissimo", email="ottavio.segreto@example.org")
    mine = private_organization(name="Cooperativa Comune", slug="comune")
    manage(me, mine)
    manage(other, mine, Role.EDITOR)
    application = MembershipApplicationFactory(
        ally=mine, applicant=me, motivation="Lavoriamo sul territorio.", submitted_log=True
    )
    transition(application, "approved", actor=CoordinatorFactory(), note="Benvenuti")
    theirs = OrganizationFactory(name="Fondazione Segreta Altrui", phone="+39 06 5550000")
    manage(other, theirs)
    MembershipApplicationFactory(ally=theirs, applicant=other, motivation="Motivazione segreta")
    OutgoingEmailFactory(to="niccolo@example.org", subject="La tua domanda")
    OutgoingEmailFactory(to="ottavio.segreto@example.org", subject="Oggetto segreto")
    client.force_login(me)

    response = client.get(url("export_data"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="alleanza-my-data.json"'
    assert "Niccolò Ferraris".encode() in response.content  # UTF-8, not \u escapes
    data = json.loads(response.content.decode("utf-8"))
    assert data["account"]["email"] == "niccolo@example.org"
    assert data["account"]["email_addresses"] == [{"email": "niccolo@example.org", "verified": True, "primary": True}]
    [ally] = data["allies"]
    assert (ally["name"], ally["contact_email"], ally["phone"], ally["tax_code"], ally["your_role"]) == (
        "Cooperativa Comune",
        PRIVATE_EMAIL,
        PRIVATE_PHONE,
        PRIVATE_TAX_CODE,
        Role.OWNER,
    )
    assert (ally["membership"], ally["member_since"] is not None, ally["suspended_at"], ally["end_reason"]) == (
        "active",
        True,
        None,
        "",
    )
    [exported] = data["membership_applications"]
    assert (exported["ally"], exported["motivation"]) == ("Cooperativa Comune", "Lavoriamo sul territorio.")
    assert [(e["from"], e["to"], e["note"]) for e in exported["log"]] == [
        ("", "submitted", ""),
        ("submitted", "approved", "Benvenuti"),
    ]
    assert [e["subject"] for e in data["emails_sent_to_you"]] == ["La tua domanda"]
    raw = response.content.decode("utf-8")
    for secret in ("Riservatissimo", "ottavio.segreto@example.org", "Fondazione Segreta Altrui", "+39 06 5550000"):
        assert secret not in raw
    for secret in ("Motivazione segreta", "Oggetto segreto"):
        assert secret not in raw


# Deleting the account -----------------------------------------------------------------------


def test_a_wrong_password_deletes_nothing(client):
    me = VerifiedUserFactory()
    ally = AllyFactory()
    manage(me, ally)
    client.force_login(me)

    response = client.post(url("delete_account"), {"password": "non-è-la-mia"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"password": ["The password is not correct."]}
    assert get_user_model().objects.filter(pk=me.pk).exists()
    assert Ally.objects.filter(pk=ally.pk).exists()
    assert client.get(url("my_area")).status_code == 200


def test_deleting_the_account_removes_what_is_only_mine_and_keeps_the_rest(client):
    me = VerifiedUserFactory(full_name="Paola Uscente", email="paola@example.org")
    partner = VerifiedUserFactory(email="socio@example.org")
    own = AllyFactory(name="Paola Uscente (persona)", slug="paola")
    manage(me, own)
    MembershipApplicationFactory(ally=own, applicant=me)
    shared = OrganizationFactory(name="Cooperativa Condivisa", slug="condivisa")
    manage(me, shared)
    partner_membership = manage(partner, shared)
    InvitationFactory(ally=shared, email="paola@example.org")
    OutgoingEmailFactory(to="paola@example.org")
    OutgoingEmailFactory(to="PAOLA@example.org")
    kept_email = OutgoingEmailFactory(to="socio@example.org")
    client.force_login(me)

    page = client.get(url("delete_account"))
    response = client.post(url("delete_account"), {"password": PASSWORD})

    html = text(page)
    assert html.count("<h1") == 1
    assert [a.name for a in page.context["plan"].removed_allies] == ["Paola Uscente (persona)"]
    assert [a.name for a in page.context["plan"].kept_allies] == ["Cooperativa Condivisa"]
    assert page.context["plan"].blocking_allies == []
    assert 'name="password"' in html

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "members/account_deleted.html"
    result = text(response)
    assert "Your account has been deleted" in result
    assert "Paola Uscente (persona)" in result
    assert "Cooperativa Condivisa" in result
    assert not get_user_model().objects.filter(pk=me.pk).exists()
    assert not EmailAddress.objects.filter(email__iexact="paola@example.org").exists()
    assert not OutgoingEmail.objects.filter(to__iexact="paola@example.org").exists()
    assert list(OutgoingEmail.objects.values_list("pk", flat=True)) == [kept_email.pk]
    assert not Ally.objects.filter(slug="paola").exists()
    assert not MembershipApplication.objects.filter(ally__slug="paola").exists()
    assert not Invitation.objects.exists()
    assert list(shared.memberships.values_list("pk", "role")) == [(partner_membership.pk, Role.OWNER)]
    # Logged out: the area asks for a login again.
    assert "_auth_user_id" not in client.session
    assert client.get(url("my_area")).status_code == 302


def test_the_only_owner_of_an_organization_with_editors_must_choose_an_owner_first(client):
    me = VerifiedUserFactory()
    blocking = OrganizationFactory(name="Associazione Senza Erede", slug="senza-erede")
    manage(me, blocking)
    manage(VerifiedUserFactory(), blocking, Role.EDITOR)
    client.force_login(me)

    page = client.get(url("delete_account"))
    response = client.post(url("delete_account"), {"password": PASSWORD})

    html = text(page)
    assert [a.name for a in page.context["plan"].blocking_allies] == ["Associazione Senza Erede"]
    assert "Associazione Senza Erede" in html
    assert f'href="{url("ally_managers", slug="senza-erede")}"' in html
    assert 'name="password"' not in html  # nothing to confirm yet
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Choose another owner for Associazione Senza Erede before deleting your account."
    ]
    assert "Choose another owner for Associazione Senza Erede before deleting your account." in text(response)
    assert get_user_model().objects.filter(pk=me.pk).exists()
    assert blocking.memberships.count() == 2
    assert client.get(url("my_area")).status_code == 200
