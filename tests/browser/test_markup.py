"""The Nu HTML checker (vnu-jar from npm, run with Java) and axe-core on the main public
pages, in both languages, fetched from a live server.

Pages whose templates are the shared ones (home, search, the 404 page, the network page,
contacts, privacy) must have no validator error at all. The other pages are checked against
REVIEWED_VNU: the errors known on the day of the review, each reported to the owner of the
template; a new error fails the test, a fixed one is printed so that the list shrinks.
axe reports every finding, of every impact; serious and critical ones fail the test, the
moderate and minor ones must be in REVIEWED_AXE.
"""

import json
import re
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from alliance.models import Province, Region, Theme
from tests.factories.events import EventFactory, SessionFactory, SpeakerFactory
from tests.factories.initiatives import PathwayFactory, ProjectFactory, StageFactory
from tests.factories.members import MemberOrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VNU_JAR = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
BLOCKING_IMPACTS = {"serious", "critical"}

# (name, url name, kwargs, query) of pages that only the shared templates draw.
OWN_PAGES = [
    ("home", "alliance:home", {}, ""),
    ("search", "alliance:search", {}, "?q=generativita"),
    ("search-region", "alliance:search", {}, "?region=veneto"),
    ("search-empty", "alliance:search", {}, "?q=zzzzqqq"),
    ("network", "api:network", {}, ""),
    ("contacts", "alliance:contacts", {}, ""),
    ("privacy", "alliance:privacy", {}, ""),
]
OTHER_PAGES = [
    ("ally-list", "members:ally_list", {}, ""),
    ("ally-detail", "members:ally_detail", {"slug": "orti-urbani"}, ""),
    ("event-list", "events:event_list", {}, ""),
    ("event-detail", "events:event_detail", {"slug": "giornata"}, ""),
    ("project-list", "initiatives:project_list", {}, ""),
    ("project-detail", "initiatives:project_detail", {"slug": "cooperiamo"}, ""),
    ("pathway-list", "initiatives:pathway_list", {}, ""),
    ("pathway-detail", "initiatives:pathway_detail", {"slug": "costruire-comunita"}, ""),
    ("login", "account_login", {}, ""),
    ("signup", "account_signup", {}, ""),
]
MISSING = {"it": "/pagina-che-non-esiste/", "en": "/en/missing-page/"}

# Errors of the Nu HTML checker on pages drawn by other folders' templates, reviewed and
# reported: page name -> set of messages (both languages). None left: the month filter's
# placeholder and pattern (not allowed on type="month") are gone from events/filters.py.
REVIEWED_VNU: dict[str, set[str]] = {}

# axe findings of moderate or minor impact, reviewed: page name -> set of rule ids.
REVIEWED_AXE: dict[str, set[str]] = {}


@pytest.fixture
def content(taxonomy):
    veneto = Region.objects.get(slug="veneto")
    theme = Theme.objects.order_by("pk").first()
    orti = MemberOrganizationFactory(
        name="Cooperativa Sociale Orti Urbani", slug="orti-urbani", city="Verona",
        province=Province.objects.get(abbreviation="VR"), regions=[veneto], themes=[theme],
    )  # fmt: skip
    partner = MemberOrganizationFactory(name="Rete Aperta", slug="rete-aperta")
    project = ProjectFactory(
        title="Cooperiamo per l'Economia del Buon Vivere", slug="cooperiamo", lead_ally=orti, regions=[veneto],
        summary="Orti condivisi e mense di quartiere.",
    )  # fmt: skip
    project.partners.create(ally=partner)
    event = EventFactory(title="Giornata della Generatività Sociale", slug="giornata", city="Milano",
                         organizers=[orti, partner])  # fmt: skip
    speaker = SpeakerFactory(event=event, name="Stefano Granata")
    SessionFactory(event=event, title="Workshop tematico: orti condivisi", kind="workshop", speakers=[speaker])
    pathway = PathwayFactory(title="Costruire comunità", slug="costruire-comunita",
                             purpose="Accompagnare le organizzazioni verso la generatività.")  # fmt: skip
    StageFactory(pathway=pathway, title="Ascolto")


def address(language, url_name, kwargs, query):
    with translation.override(language):
        return reverse(url_name, kwargs=kwargs or None) + query


def fetch(base, path):
    try:
        with urllib.request.urlopen(base + path, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def validate(files: dict[str, Path]) -> dict[str, list[str]]:
    """Every error (with its line) of the Nu HTML checker, per page name: one Java run."""
    if shutil.which("java") is None:
        pytest.fail("The Nu HTML checker needs Java: install default-jre-headless.", pytrace=False)
    if not VNU_JAR.exists():
        pytest.fail(f"{VNU_JAR} is missing: run `npm ci`.", pytrace=False)
    run = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", "--stdout", "--exit-zero-always",
         *[str(path) for path in files.values()]],
        capture_output=True, text=True, timeout=600, check=True,
    )  # fmt: skip
    by_path = {path.resolve().as_uri().replace("file:///", "file:/"): name for name, path in files.items()}
    errors = {name: [] for name in files}
    for message in json.loads(run.stdout)["messages"]:
        if message["type"] not in {"error", "non-document-error"} and message.get("subType") != "fatal":
            continue
        name = by_path.get(message.get("url", ""), "?")
        errors.setdefault(name, []).append(f"{message.get('lastLine', '?')}: {message['message']}")
    return errors


def without_lines(messages):
    return {re.sub(r"^\S+: ", "", message) for message in messages}


def test_the_nu_html_checker_finds_no_error_on_the_shared_pages_and_only_reviewed_ones_elsewhere(
    live_server, content, tmp_path
):
    files, statuses = {}, {}
    for language in ("it", "en"):
        pages = [(name, address(language, *rest)) for name, *rest in OWN_PAGES + OTHER_PAGES]
        pages.append(("404", MISSING[language]))
        for name, path in pages:
            status, body = fetch(live_server.url, path)
            statuses[f"{name}-{language}"] = status
            files[f"{name}-{language}"] = tmp_path / f"{name}-{language}.html"
            files[f"{name}-{language}"].write_bytes(body)
    assert {key: status for key, status in statuses.items() if status != 200} == {"404-it": 404, "404-en": 404}

    errors = validate(files)

    own = {name for name, *_ in OWN_PAGES} | {"404"}
    report = {key: messages for key, messages in errors.items() if messages}
    print("\nNu HTML checker:", json.dumps(report, indent=1, ensure_ascii=False))
    assert {key: messages for key, messages in report.items() if key.rsplit("-", 1)[0] in own} == {}
    unreviewed = {
        key: sorted(without_lines(messages) - REVIEWED_VNU.get(key.rsplit("-", 1)[0], set()))
        for key, messages in report.items()
    }
    assert {key: messages for key, messages in unreviewed.items() if messages} == {}


def test_axe_reports_every_finding_and_none_is_serious_or_unreviewed(browser, live_server, content, axe):
    findings = {}
    for language in ("it", "en"):
        context = browser.new_context(base_url=live_server.url, locale=f"{language}-IT")
        page = context.new_page()
        pages = [(name, address(language, *rest)) for name, *rest in OWN_PAGES + OTHER_PAGES]
        pages.append(("404", MISSING[language]))
        for name, path in pages:
            page.goto(path)
            results = axe.run(page)
            findings[f"{name}-{language}"] = sorted(
                (violation["impact"], violation["id"], len(violation["nodes"]))
                for violation in results.response["violations"]
            )
        context.close()

    print("\naxe-core:", json.dumps({key: found for key, found in findings.items() if found}, indent=1))
    blocking = {
        key: [finding for finding in found if finding[0] in BLOCKING_IMPACTS] for key, found in findings.items()
    }
    assert {key: found for key, found in blocking.items() if found} == {}
    unreviewed = {
        key: [rule for _impact, rule, _count in found if rule not in REVIEWED_AXE.get(key.rsplit("-", 1)[0], set())]
        for key, found in findings.items()
    }
    assert {key: rules for key, rules in unreviewed.items() if rules} == {}


def test_the_404_page_offers_the_same_path_in_the_other_language(live_server, taxonomy):
    _status, body = fetch(live_server.url, MISSING["en"])
    html = body.decode()
    assert '<a href="/pagina-che-non-esiste/en/missing-page/"' not in html
    assert re.findall(r'<a href="([^"]*)" hreflang="it"', html) == ["/missing-page/"]
    _status, body = fetch(live_server.url, MISSING["it"])
    assert re.findall(r'<a href="([^"]*)" hreflang="en"', body.decode()) == ["/en/pagina-che-non-esiste/"]


def test_a_scroll_box_keeps_its_hidden_text_on_a_360_px_phone(browser, live_server):
    """The pathway progress grid: a wide table in .table-responsive whose cells carry
    visually hidden labels. Without a positioned scroll box they escaped it and widened
    the page; the control case (the rule switched off) proves the check can fail."""
    cells = "".join(
        f'<td><label>State<span class="visually-hidden"> of Cooperativa {n} in “Ascolto”</span></label></td>'
        for n in range(8)
    )
    html = (
        f'<!DOCTYPE html><html lang="en"><head><title>Grid</title>'
        f'<link rel="stylesheet" href="{live_server.url}/static/vendor/bootstrap-italia/css/bootstrap-italia.min.css">'
        f'<link rel="stylesheet" href="{live_server.url}/static/css/alleanza.css"></head><body>'
        f'<main class="portal-main"><div class="container"><div class="table-responsive progress-grid">'
        f'<table class="table progress-grid__table"><tbody><tr><th scope="row">Cooperativa</th>{cells}</tr></tbody>'
        f"</table></div></div></main></body></html>"
    )
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.set_content(html, wait_until="load")
    table_width = page.evaluate("document.querySelector('.progress-grid__table').scrollWidth")
    page_width = page.evaluate("document.documentElement.scrollWidth")
    page.add_style_tag(content=".table-responsive { position: static !important; }")
    escaped_width = page.evaluate("document.documentElement.scrollWidth")
    context.close()

    assert table_width > 360  # the grid itself scrolls inside its box
    assert page_width == 360
    assert escaped_width > 360


def test_a_form_with_errors_moves_focus_to_its_summary_and_links_to_the_fields(page, assert_accessible):
    with translation.override("en"):
        page.goto(reverse("account_signup"))
    form = page.locator("form:has(#id_email)")
    form.evaluate("form => { form.noValidate = true; }")  # what the server says, not the browser's own checks
    form.get_by_role("button", name="Sign up").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    assert page.title().startswith("Error: ")
    links = summary.get_by_role("link")
    assert links.evaluate_all("links => links.map(link => link.getAttribute('href'))") == [
        "#id_email",
        "#id_full_name",
        "#id_password1",
        "#id_password2",
    ]
    links.first.click()
    expect(page.locator("#id_email")).to_be_focused()
    assert_accessible(page)
