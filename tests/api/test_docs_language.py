"""The API's documentation page speaks the page's language: its texts come from the schema,
which is made once per language (not once for whichever language asked first)."""

from django.urls import reverse
from django.utils import translation


def _docs(client, language):
    with translation.override(language):
        path = reverse("api:docs")
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_documentation_texts_follow_the_language(client):
    english = _docs(client, "en")
    italian = _docs(client, "it")
    english_again = _docs(client, "en")
    assert "Public events" in english and "Region slug, e.g. veneto." in english
    assert "Eventi pubblici" in italian and "Identificativo della regione, per esempio veneto." in italian
    assert "Public events" not in italian
    assert english_again == english
