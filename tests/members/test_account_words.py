"""The e-mail addresses page speaks the portal's sentence case, not allauth's Title Case (issue 14)."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories.members import VerifiedUserFactory

pytestmark = pytest.mark.django_db


def test_the_email_page_buttons_are_in_sentence_case(client):
    client.force_login(VerifiedUserFactory())
    with translation.override("en"):
        path = reverse("account_email")

    html = client.get(path).content.decode()

    for words in ("Make primary", "Send the verification again", "Add an e-mail address", "Add the address"):
        assert words in html
    for title_case in ("Make Primary", "Re-send Verification", "Add Email Address", "Add Email<"):
        assert title_case not in html
