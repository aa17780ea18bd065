"""A small corpus for the site-wide search, and what each query must find.

Used by test_search_corpus.py twice: in the test's PostgreSQL database, and in a fresh
SQLite database by a separate process (the demo's engine), with the same expectations.
"""

from alliance.models import Province, Region

# query → every public document it must find, as (kind, title); nothing else.
EXPECTED = {
    "Giornata della Generatività": {
        ("event", "Giornata della Generatività Sociale"),
        ("speaker", "Stefano Granata"),  # speaks in the event: the event's title is in the text
        ("session", "Workshop tematico: orti condivisi"),
    },
    "generativita": {
        ("event", "Giornata della Generatività Sociale"),
        ("speaker", "Stefano Granata"),
        ("session", "Workshop tematico: orti condivisi"),
        ("pathway", "Costruire comunità"),  # "generatività" in its purpose
    },
    "Fare Rete": {("event", "Fare Rete, Cantieri per l'innovazione sociale")},
    # The session, its event (which lists its sessions) and its speaker (who lists theirs).
    "workshop": {
        ("session", "Workshop tematico: orti condivisi"),
        ("event", "Giornata della Generatività Sociale"),
        ("speaker", "Stefano Granata"),
    },
    "workshops": {
        ("session", "Workshop tematico: orti condivisi"),
        ("event", "Giornata della Generatività Sociale"),
        ("speaker", "Stefano Granata"),
    },
    "Costruire comunità": {("pathway", "Costruire comunità"), ("ally", "Cooperativa Sociale Orti Urbani")},
    "Verona": {
        ("place", "Verona"),
        ("ally", "Cooperativa Sociale Orti Urbani"),
        ("project", "Cooperiamo per l'Economia del Buon Vivere"),
        ("event", "Imprese di nuovo welfare"),
    },
    "orto": {
        ("ally", "Cooperativa Sociale Orti Urbani"),
        ("project", "Cooperiamo per l'Economia del Buon Vivere"),  # led by the Orti Urbani
        ("session", "Workshop tematico: orti condivisi"),
        ("event", "Giornata della Generatività Sociale"),
        ("speaker", "Stefano Granata"),
    },
    "orti": {
        ("ally", "Cooperativa Sociale Orti Urbani"),
        ("project", "Cooperiamo per l'Economia del Buon Vivere"),  # led by the Orti Urbani
        ("session", "Workshop tematico: orti condivisi"),
        ("event", "Giornata della Generatività Sociale"),
        ("speaker", "Stefano Granata"),
    },
    "cooperative": {
        ("ally", "Cooperativa Sociale Orti Urbani"),
        ("project", "Cooperiamo per l'Economia del Buon Vivere"),
    },
    "cooperativa": {
        ("ally", "Cooperativa Sociale Orti Urbani"),
        ("project", "Cooperiamo per l'Economia del Buon Vivere"),
    },
    "Granata": {
        ("speaker", "Stefano Granata"),
        ("event", "Giornata della Generatività Sociale"),
        ("session", "Workshop tematico: orti condivisi"),
    },
    "COMUNITÀ costruire": {("pathway", "Costruire comunità"), ("ally", "Cooperativa Sociale Orti Urbani")},
    "segreto": set(),  # only in drafts
    "Nascosto": set(),  # a speaker of a draft event
    "00743110157": set(),  # a tax code is never public
    "riservato@example.org": set(),  # nor a private e-mail address
}


def build_corpus():
    """Creates the corpus with the test factories; returns nothing."""
    from tests.factories.events import EventFactory, SessionFactory, SpeakerFactory
    from tests.factories.initiatives import PathwayFactory, ProjectFactory
    from tests.factories.members import AllyFactory, MemberOrganizationFactory

    verona = Province.objects.get(abbreviation="VR")
    milano = Province.objects.get(abbreviation="MI")
    veneto = Region.objects.get(slug="veneto")
    orti = MemberOrganizationFactory(
        name="Cooperativa Sociale Orti Urbani",
        slug="orti-urbani",
        city="Verona",
        province=verona,
        summary="Orti condivisi per costruire comunità nei quartieri.",
        description="Lavoro, cibo e relazioni.",
        contact_email="riservato@example.org",
        tax_code="00743110157",
    )
    AllyFactory(name="Orto Segreto", slug="orto-segreto", summary="Una cooperativa in attesa", city="Verona")
    ProjectFactory(
        title="Cooperiamo per l'Economia del Buon Vivere",
        slug="cooperiamo",
        lead_ally=orti,
        summary="Economia civile e nuove cooperazioni.",
        description="Un progetto in rete.",
        municipalities="Verona, Legnago",
        regions=[veneto],
    )
    ProjectFactory(
        title="Progetto segreto",
        slug="progetto-segreto",
        lead_ally=orti,
        draft=True,
        summary="Una bozza su Verona e la generatività.",
    )
    giornata = EventFactory(
        title="Giornata della Generatività Sociale",
        slug="giornata",
        city="Milano",
        province=milano,
        summary="Una giornata per la rete.",
    )
    granata = SpeakerFactory(event=giornata, name="Stefano Granata", role="Presidente", affiliation="Gruppo Cgm")
    SessionFactory(event=giornata, title="Workshop tematico: orti condivisi", kind="workshop", speakers=[granata])
    SessionFactory(event=giornata, title="Pausa pranzo", kind="break")
    EventFactory(
        title="Fare Rete, Cantieri per l'innovazione sociale",
        slug="fare-rete",
        city="Milano",
        summary="Due giorni di cantieri.",
    )
    EventFactory(
        title="Imprese di nuovo welfare",
        slug="imprese-welfare",
        city="Verona",
        province=verona,
        summary="Lunedì di formazione.",
    )
    draft = EventFactory(
        title="Incontro segreto", slug="incontro-segreto", draft=True, city="Verona", summary="Fare rete in segreto."
    )
    SpeakerFactory(event=draft, name="Relatore Nascosto")
    PathwayFactory(
        title="Costruire comunità",
        slug="costruire-comunita",
        purpose="Accompagnare le organizzazioni verso la generatività.",
    )
    PathwayFactory(
        title="Percorso segreto", slug="percorso-segreto", status="draft", purpose="Costruire comunità in bozza."
    )


def answers() -> dict:
    """What each query of EXPECTED finds, as sorted lists of [kind, title] (JSON-friendly)."""
    from alliance import search

    found = {}
    for query in EXPECTED:
        documents = search.matching(search.parse(query)).values_list("kind", "title")
        found[query] = sorted([kind, title] for kind, title in documents)
    return found


def expected() -> dict:
    return {query: sorted([kind, title] for kind, title in hits) for query, hits in EXPECTED.items()}


def main():
    """Run by the SQLite process: builds the corpus and prints the answers as JSON."""
    import json

    build_corpus()
    print("ANSWERS " + json.dumps(answers()))
