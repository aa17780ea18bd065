"""Sign-up, mandatory e-mail verification and login, in Italian and in English."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from alliance.models import OutgoingEmail
from tests.factories.members import PASSWORD, UserFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://testserver(/\S*confirm-email/\S+/)")


def sign_up(client, *, language, email, name="Chiara Bassi"):
    with translation.override(language):
        url = reverse("account_signup")
    return client.post(
        url,
        {
            "email": email,
            "full_name": name,
            "preferred_language": language,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


@pytest.mark.parametrize(
    ("language", "subject", "prefix", "greeting"),
    [
        (
            "it",
            "Conferma il tuo indirizzo email",
            "/account/confirm-email/",
            "Ciao da Alleanza per la Generatività Sociale!",
        ),
        (
            "en",
            "Please Confirm Your Email Address",
            "/en/accounts/confirm-email/",
            "Hello from Alleanza per la Generatività Sociale!",
        ),
    ],
)
def test_sign_up_sends_a_verification_email_in_the_person_language(
    client, mailoutbox, django_capture_on_commit_callbacks, language, subject, prefix, greeting
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, language=language, email="chiara@example.org")

    assert response.status_code == 302
    user = get_user_model().objects.get(email="chiara@example.org")
    assert (user.full_name, user.preferred_language) == ("Chiara Bassi", language)
    assert EmailAddress.objects.get(user=user).verified is False

    row = OutgoingEmail.objects.get()
    assert (row.to, row.language, row.subject, row.status) == ("chiara@example.org", language, subject, "sent")
    [message] = mailoutbox
    assert (message.to, message.subject) == (["chiara@example.org"], subject)
    assert message.body.startswith(greeting)
    [path] = LINK.findall(message.body)
    assert path.startswith(prefix)
    html = dict((mimetype, body) for body, mimetype in message.alternatives)["text/html"]
    assert path in html


def test_verification_link_confirms_and_then_the_person_can_log_in(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, language="it", email="piero@example.org")
    [path] = LINK.findall(mailoutbox[0].body)
    client.logout()

    page = client.get(path)
    assert "piero@example.org" in page.content.decode()
    confirmed = client.post(path)
    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(email="piero@example.org").verified is True

    client.logout()
    login = client.post(reverse("account_login"), {"login": "piero@example.org", "password": PASSWORD})
    assert (login.status_code, login["Location"]) == (302, reverse("alliance:home"))
    home = client.get(reverse("alliance:home"))
    assert home.context["user"].email == "piero@example.org"


def test_login_before_verification_sends_the_person_to_verify(client, django_capture_on_commit_callbacks, mailoutbox):
    UserFactory(email="nuova@example.org")
    EmailAddress.objects.create(
        user=get_user_model().objects.get(email="nuova@example.org"),
        email="nuova@example.org",
        verified=False,
        primary=True,
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_login"), {"login": "nuova@example.org", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert [m.subject for m in mailoutbox] == ["Conferma il tuo indirizzo email"]


def test_sign_up_refuses_a_taken_address_and_a_blank_name(client, mailoutbox, django_capture_on_commit_callbacks):
    VerifiedUserFactory(email="presa@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, language="en", email="nuovo@example.org", name="   ")

    assert response.status_code == 200
    assert response.context["form"].errors["full_name"] == ["Please enter your name."]
    assert get_user_model().objects.filter(email="nuovo@example.org").exists() is False


def test_failed_logins_are_rate_limited(client):
    VerifiedUserFactory(email="bersaglio@example.org")
    url = reverse("account_login")

    for _attempt in range(5):
        response = client.post(url, {"login": "bersaglio@example.org", "password": "sbagliata"})
        assert "Troppi tentativi" not in response.content.decode()
    blocked = client.post(url, {"login": "bersaglio@example.org", "password": PASSWORD})

    assert blocked.status_code == 200
    with translation.override("it"):  # the errors are lazy: read them in the page's language
        assert blocked.context["form"].non_field_errors() == ["Troppi tentativi di accesso. Riprova più tardi."]
    assert "Troppi tentativi di accesso. Riprova più tardi." in blocked.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_email_goes_through_the_outbox_in_the_account_language(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    VerifiedUserFactory(email="english@example.org", preferred_language="en")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "english@example.org"})

    assert response.status_code == 302
    row = OutgoingEmail.objects.get()
    assert (row.to, row.language, row.subject) == ("english@example.org", "en", "Password Reset Email")
    assert [m.subject for m in mailoutbox] == ["Password Reset Email"]
    assert "/password/reset/key/" in mailoutbox[0].body
