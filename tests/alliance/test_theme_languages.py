"""The themes are written in both languages: English pages show the English description, the
Italian one (marked lang="it") when there is none yet, Italian pages always the Italian one."""

import importlib
import re
from html import unescape as html_unescape

import pytest
from django.apps import apps as django_apps
from django.utils import translation

from alliance.italy import THEME_DESCRIPTIONS, THEME_DESCRIPTIONS_EN
from alliance.models import Theme

pytestmark = pytest.mark.django_db


def theme_paragraphs(client, path):
    html = client.get(path).content.decode()
    section = html.split('aria-labelledby="themes-title"', 1)[1].split("</section>", 1)[0]
    return [(lang, html_unescape(text)) for lang, text in re.findall(r"<p( lang=\"it\")?>([^<]*)</p>", section)]


def test_the_six_themes_have_english_descriptions_on_english_pages(client, taxonomy):
    english = theme_paragraphs(client, "/en/")

    assert english == [("", THEME_DESCRIPTIONS_EN[slug]) for slug in Theme.objects.values_list("slug", flat=True)]
    assert len(english) == 6


def test_italian_pages_show_the_italian_descriptions_unmarked(client, taxonomy):
    italian = theme_paragraphs(client, "/")

    assert italian == [("", THEME_DESCRIPTIONS[slug]) for slug in Theme.objects.values_list("slug", flat=True)]


def test_a_theme_without_english_falls_back_to_italian_marked_as_italian(client, taxonomy):
    Theme.objects.filter(slug="reti-filiere-valore").update(description_en="")

    english = dict((text, lang) for lang, text in theme_paragraphs(client, "/en/"))

    assert english[THEME_DESCRIPTIONS["reti-filiere-valore"]] == ' lang="it"'
    assert english[THEME_DESCRIPTIONS_EN["lotta-nuove-poverta"]] == ""


def test_display_description_follows_the_active_language(taxonomy):
    theme = Theme.objects.get(slug="inserimento-lavorativo")
    with translation.override("en"):
        assert (theme.display_description, theme.description_language) == (
            THEME_DESCRIPTIONS_EN["inserimento-lavorativo"],
            "en",
        )
    with translation.override("it"):
        assert (theme.display_description, theme.description_language) == (
            THEME_DESCRIPTIONS["inserimento-lavorativo"],
            "it",
        )


def test_the_data_migration_fills_only_empty_english_descriptions(taxonomy):
    migration = importlib.import_module("alliance.migrations.0009_theme_english_description")
    Theme.objects.update(description_en="")
    Theme.objects.filter(slug="reti-filiere-valore").update(description_en="Written by a coordinator.")

    migration.fill(django_apps, None)

    assert dict(Theme.objects.values_list("slug", "description_en")) == {
        **THEME_DESCRIPTIONS_EN,
        "reti-filiere-valore": "Written by a coordinator.",
    }
    migration.empty(django_apps, None)
    assert dict(Theme.objects.values_list("slug", "description_en")) == {
        **{slug: "" for slug in THEME_DESCRIPTIONS_EN},
        "reti-filiere-valore": "Written by a coordinator.",
    }
