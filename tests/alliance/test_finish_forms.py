"""The error summary every form shares (templates/includes/form_fields.html) and the
"Error:" that starts the title of a page whose form came back with errors."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

PASSWORD = "una-password-lunga-e-sicura-2026"


def summary_of(html):
    found = re.findall(r'<div class="alert alert-danger error-summary"[^>]*>.*?</div>', html, re.S)
    assert len(found) == 1, html
    return found[0]


def title_of(html):
    return " ".join(re.search(r"<title>(.*?)</title>", html, re.S).group(1).split())


@pytest.mark.parametrize(
    ("language", "prefix", "heading"),
    [
        ("it", "Errore: ", "4 problemi da correggere per continuare"),
        ("en", "Error: ", "4 problems to fix before going on"),
    ],
)
def test_a_sign_up_with_errors_summarises_them_with_links_to_the_fields(client, language, prefix, heading):
    with translation.override(language):
        url = reverse("account_signup")
        response = client.post(url, {"email": "not an address", "full_name": "", "password1": PASSWORD,
                                     "password2": PASSWORD + "x"})  # fmt: skip
        html = response.content.decode()

    assert response.status_code == 200
    summary = summary_of(html)
    assert 'role="alert"' in summary
    assert 'tabindex="-1"' in summary
    assert 'id="error-summary"' in summary
    assert "data-error-summary" in summary
    assert f'<h2 class="error-summary__title" id="error-summary-title">{heading}</h2>' in summary
    links = re.findall(r'<a href="#([^"]+)">', summary)
    assert links == ["id_email", "id_full_name", "id_preferred_language", "id_password2"]
    # every link leads to an input of the page
    for target in links:
        assert f'id="{target}"' in html
    assert (
        title_of(html)
        == f"{prefix}{'Registrati' if language == 'it' else 'Signup'} · Alleanza per la Generatività Sociale"
    )


def test_a_page_whose_form_has_no_errors_has_neither_summary_nor_prefix(client):
    with translation.override("en"):
        html = client.get(reverse("account_signup")).content.decode()

    assert "error-summary" not in html
    assert title_of(html) == "Signup · Alleanza per la Generatività Sociale"


def test_errors_of_no_field_are_listed_as_text(client):
    with translation.override("en"):
        response = client.post(reverse("account_login"), {"login": "nobody@example.org", "password": PASSWORD})
        html = response.content.decode()

    summary = summary_of(html)
    assert re.findall(r"<a href=", summary) == []
    items = re.findall(r"<li>(.*?)</li>", summary, re.S)
    assert items == ["The email address and/or password you specified are not correct."]
    assert (
        '<h2 class="error-summary__title" id="error-summary-title">One problem to fix before going on</h2>' in summary
    )
    assert title_of(html).startswith("Error: ")


def test_the_summary_takes_the_focus_on_load_without_inline_script():
    from pathlib import Path

    from django.conf import settings

    script = (Path(settings.BASE_DIR) / "static" / "js" / "alleanza.js").read_text()
    assert 'document.querySelector("[data-error-summary]")' in script
    assert "summary.focus()" in script
