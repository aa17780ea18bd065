"""Demo allies: the organizations that appear in the seed pages of this world.

Names, places and what they do come from those pages; the descriptions are
our own short texts. Used by `manage.py load_demo` only.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from alliance.models import Province, Region, Theme
from alliance.workflow import log

from .models import Ally, AllyManager, MembershipApplication, MembershipStatus, Principles

LF = Ally.LegalForm
BENI, SUSS, WELF, LAV, RETI, POV = (
    "rigenerazione-beni-comuni",
    "sussidiarieta-circolare",
    "welfare-territoriale-generativo",
    "inserimento-lavorativo",
    "reti-filiere-valore",
    "lotta-nuove-poverta",
)

# name, legal form, seat province, regions served, themes, summary, description, extra fields
ORGANIZATIONS = [
    (
        "Comm.on!",
        LF.APS,
        "MI",
        ["lombardia"],
        [SUSS, WELF],
        "Associazione che promuove l'Alleanza per la Generatività Sociale.",
        "Comm.on! ha lanciato l'Alleanza insieme ad ARC e On!: cura la rete degli alleati, "
        "organizza momenti di formazione e sensibilizzazione e porta proposte di policy alle istituzioni.",
        {"verified": True, "year_founded": 2017},
    ),
    (
        "ARC – Centro di ricerca sulla generatività sociale",
        LF.UNIVERSITY,
        "MI",
        ["lombardia"],
        [SUSS, WELF],
        "Centro di ricerca dell'Università Cattolica che studia la generatività sociale.",
        "ARC accompagna con la ricerca i progetti dell'Alleanza e ha promosso con iFEL i progetti "
        "Territori Generativi e Patto Generativo di Comunità.",
        {"verified": True},
    ),
    (
        "On! Impresa sociale",
        LF.SOCIAL_ENTERPRISE,
        "MI",
        ["lombardia", "emilia-romagna", "piemonte", "liguria"],
        [WELF, SUSS, RETI],
        "Accompagna comuni e territori nella progettazione di un welfare locale generativo.",
        "On! ha lavorato con comuni, fondazioni e università su Territori Generativi, Reggio Emilia Territorio "
        "Capacitante e Contributivo, Next Generation We, lo Sportello Talenti di Chieri e il laboratorio WILL.",
        {"verified": True},
    ),
    (
        "Archivio della Generatività Sociale",
        LF.APS,
        "MI",
        ["lombardia"],
        [SUSS],
        "Raccoglie e racconta le esperienze generative italiane.",
        "L'Archivio ha raccolto negli anni storie di organizzazioni generative: da questo lavoro nasce il "
        "percorso di orientamento generativo proposto agli alleati.",
        {},
    ),
    (
        "Gruppo Cgm",
        LF.CONSORTIUM,
        "MI",
        ["lombardia"],
        [RETI, WELF, LAV],
        "Rete nazionale di consorzi e cooperative sociali.",
        "Il Gruppo Cgm mette in rete consorzi, cooperative e imprese sociali e promuove l'innovazione "
        "sociale dall'ambiente all'housing, dall'educazione alla salute.",
        {"year_founded": 1987},
    ),
    (
        "Iris Network",
        LF.CONSORTIUM,
        "TN",
        ["trentino-alto-adige"],
        [RETI],
        "Rete di istituti di ricerca sull'impresa sociale.",
        "Iris Network ha condotto per il Gruppo Cgm la ricerca sugli ibridi organizzativi a matrice cooperativa.",
        {},
    ),
    (
        "VITA",
        LF.SOCIAL_ENTERPRISE,
        "MI",
        ["lombardia"],
        [SUSS],
        "Testata che racconta il Terzo settore e l'innovazione sociale.",
        "VITA segue da vicino le esperienze della cooperazione sociale e del volontariato italiano.",
        {"is_supporter": True},
    ),
    (
        "IFEL – Fondazione ANCI",
        LF.FOUNDATION,
        "RM",
        ["lazio", "lombardia", "emilia-romagna"],
        [WELF, SUSS],
        "La fondazione dei comuni italiani per la finanza e l'economia locale.",
        "IFEL ha promosso Territori Generativi e Patto Generativo di Comunità e coordina il laboratorio "
        "WILL insieme a dieci città.",
        {},
    ),
    (
        "Fondazione Cariplo",
        LF.FOUNDATION,
        "MI",
        ["lombardia"],
        [WELF, POV],
        "Fondazione che sostiene progetti sociali, culturali e ambientali.",
        "Ha finanziato i progetti Territori Generativi e Patto Generativo di Comunità in Lombardia.",
        {"is_supporter": True},
    ),
    (
        "Comune di Reggio Emilia",
        LF.PUBLIC_BODY,
        "RE",
        ["emilia-romagna"],
        [WELF, SUSS],
        "Il comune che ha scelto di diventare territorio capacitante e contributivo.",
        "Il Comune ha finanziato il progetto Reggio Emilia Territorio Capacitante e Contributivo e lavora "
        "al nuovo Piano di Zona.",
        {},
    ),
    (
        "Itinerari Paralleli",
        LF.APS,
        "SP",
        ["liguria"],
        [BENI, SUSS],
        "Partner di progettazione per i comuni della costa ligure.",
        "Con On! e Officine Papage ha progettato Next Generation We per i comuni di Deiva Marina e Framura.",
        {},
    ),
    (
        "Officine Papage",
        LF.SOCIAL_COOPERATIVE,
        "SP",
        ["liguria"],
        [BENI, LAV],
        "Cooperativa che lavora su comunità, cultura e territorio in Liguria.",
        "Partner del progetto Next Generation We.",
        {},
    ),
    (
        "Comune di Deiva Marina",
        LF.PUBLIC_BODY,
        "SP",
        ["liguria"],
        [BENI],
        "Comune della riviera spezzina.",
        "Ha promosso Next Generation We con il Comune di Framura.",
        {},
    ),
    (
        "Comune di Framura",
        LF.PUBLIC_BODY,
        "SP",
        ["liguria"],
        [BENI],
        "Comune della riviera spezzina.",
        "Ha promosso Next Generation We con il Comune di Deiva Marina.",
        {},
    ),
    (
        "Fondazione Compagnia di San Paolo",
        LF.FOUNDATION,
        "TO",
        ["piemonte", "liguria"],
        [BENI, WELF],
        "Fondazione che sostiene lo sviluppo dei territori.",
        "Con un suo bando ha sostenuto la progettazione PNRR di Next Generation We.",
        {"is_supporter": True},
    ),
    (
        "EduCare",
        LF.SOCIAL_COOPERATIVE,
        "TO",
        ["piemonte"],
        [WELF, LAV],
        "Cooperativa educativa del Chierese.",
        "EduCare ha dato vita allo Sportello Talenti e al tavolo sulla genitorialità con il Comune di Chieri.",
        {},
    ),
    (
        "Exar",
        LF.COMPANY,
        "TO",
        ["piemonte"],
        [LAV],
        "Partner dello Sportello Talenti di Chieri.",
        "Collabora allo Sportello Talenti che fa incontrare i giovani del Chierese con le imprese.",
        {},
    ),
    (
        "Comune di Ravenna",
        LF.PUBLIC_BODY,
        "RA",
        ["emilia-romagna"],
        [WELF],
        "Il comune che ha ripensato il suo Informagiovani.",
        "Ha riprogettato il servizio Informagiovani con On! e la Bocconi ed è tra le città del laboratorio WILL.",
        {},
    ),
    (
        "SDA Bocconi School of Management",
        LF.UNIVERSITY,
        "MI",
        ["lombardia"],
        [WELF],
        "Scuola di direzione aziendale dell'Università Bocconi.",
        "Ha collaborato alla riprogettazione dell'Informagiovani di Ravenna.",
        {},
    ),
    (
        "Università Cattolica del Sacro Cuore",
        LF.UNIVERSITY,
        "MI",
        ["lombardia"],
        [WELF, SUSS],
        "Università che sostiene tecnicamente il laboratorio WILL.",
        "Con On! ha sostenuto la progettazione e la realizzazione del progetto pluriennale WILL (2019-2024).",
        {},
    ),
    (
        "Cergas Bocconi",
        LF.UNIVERSITY,
        "MI",
        ["lombardia"],
        [WELF],
        "Centro di ricerca sulla gestione dell'assistenza sanitaria e sociale.",
        "Cura la supervisione scientifica del laboratorio WILL.",
        {},
    ),
    (
        "Percorsi di Secondo Welfare",
        LF.OTHER,
        "TO",
        ["piemonte", "lombardia"],
        [WELF],
        "Laboratorio di ricerca sul secondo welfare in Italia.",
        "Partecipa alla supervisione scientifica del laboratorio WILL.",
        {},
    ),
    (
        "Unione Territoriale Integrata delle Valli e delle Dolomiti Friulane",
        LF.PUBLIC_BODY,
        "PN",
        ["friuli-venezia-giulia"],
        [BENI, RETI],
        "Il primo territorio generativo, nelle valli pordenonesi.",
        "Nel 2018 ha scritto il suo Piano di Sviluppo con l'accompagnamento di On!.",
        {},
    ),
    (
        "Comune di Chieri",
        LF.PUBLIC_BODY,
        "TO",
        ["piemonte"],
        [WELF],
        "Comune che coordina le attività territoriali per la genitorialità.",
        "Nel 2019 ha avviato con EduCare il tavolo di coordinamento a sostegno della genitorialità.",
        {},
    ),
    (
        "Consorzio dei Servizi Socio-Assistenziali del Chierese",
        LF.CONSORTIUM,
        "TO",
        ["piemonte"],
        [WELF, POV],
        "Gestisce i servizi sociali dei comuni del Chierese.",
        "Ha promosso il tavolo per il coordinamento delle attività territoriali sulla genitorialità.",
        {},
    ),
    (
        "Fondazione Carisap",
        LF.FOUNDATION,
        "AP",
        ["marche"],
        [BENI, SUSS],
        "Fondazione che sostiene la comunità della provincia di Ascoli Piceno.",
        "Con la Bottega del Terzo Settore promuove il percorso Costruire comunità.",
        {"is_supporter": True},
    ),
    (
        "Bottega del Terzo Settore",
        LF.APS,
        "AP",
        ["marche"],
        [SUSS, RETI],
        "Casa comune degli enti del Terzo settore di Ascoli Piceno.",
        "Favorisce la partecipazione dei changemaker locali e cura il percorso Costruire comunità.",
        {},
    ),
    (
        "Ashoka Italia",
        LF.OTHER,
        "MI",
        ["lombardia", "marche"],
        [RETI],
        "Rete internazionale di innovatori sociali.",
        "Ha scelto Ascoli Piceno come area di sperimentazione del suo modello metro areas.",
        {},
    ),
    (
        "Mag Verona",
        LF.OTHER,
        "VR",
        ["veneto"],
        [BENI, SUSS, WELF, LAV, RETI, POV],
        "Società mutua per l'autogestione: economia sociale a Verona.",
        "Mag Verona guida il progetto Cooperiamo e i suoi percorsi di rete, tra cui Imprese di nuovo welfare "
        "alla Casa Comune Mag.",
        {
            "website": "https://www.magverona.it",
            "phone": "045 8100279",
            "phone_public": True,
            "contact_email": "formazione.progetti@magverona.it",
            "contact_email_public": True,
        },
    ),
    (
        "Università degli Studi di Padova",
        LF.UNIVERSITY,
        "PD",
        ["veneto"],
        [WELF],
        "Università che studia la valutazione dei servizi sociali.",
        "Sue ricercatrici sono intervenute ai percorsi di rete di Mag Verona.",
        {},
    ),
]

# Applications waiting for a coordinator: cities of the WILL laboratory.
PENDING = [
    ("Comune di Bergamo", "BG", "welfare@bergamo.example.org", "Laura Conti"),
    ("Comune di Mantova", "MN", "politiche.sociali@mantova.example.org", "Davide Sala"),
    ("Comune di Novara", "NO", "innovazione@novara.example.org", "Sara Gatti"),
]

DEMO_PASSWORD = "alleanza-demo"


@transaction.atomic
def load_demo_allies(*, ally_user, coordinator) -> dict:
    themes = {t.slug: t for t in Theme.objects.all()}
    regions = {r.slug: r for r in Region.objects.all()}
    provinces = {p.abbreviation: p for p in Province.objects.select_related("region")}
    principles = Principles.objects.order_by("-version").first()
    now = timezone.now()
    created = 0
    for name, legal_form, province, served, theme_slugs, summary, description, extra in ORGANIZATIONS:
        extra = dict(extra)
        verified = extra.pop("verified", False)
        ally, was_created = Ally.objects.get_or_create(
            name=name,
            kind=Ally.Kind.ORGANIZATION,
            defaults={
                "slug": _slug(name),
                "legal_form": legal_form,
                "province": provinces[province],
                "city": provinces[province].name,
                "summary": summary,
                "description": description,
                "approved_at": now,
                "membership_status": MembershipStatus.ACTIVE,
                "verified_at": now if verified else None,
                "verified_by": coordinator if verified else None,
                **extra,
            },
        )
        if was_created:
            created += 1
            ally.themes.set([themes[s] for s in theme_slugs])
            ally.regions.set([regions[s] for s in served])
            ally.provinces.set([provinces[province]])

    person, was_created = Ally.objects.get_or_create(
        kind=Ally.Kind.PERSON,
        memberships__user=ally_user,
        defaults={
            "name": ally_user.full_name,
            "slug": _slug(ally_user.full_name),
            "role": "Facilitatore di comunità",
            "summary": "Accompagno reti di cittadini e associazioni nella cura dei beni comuni.",
            "province": provinces["VR"],
            "city": "Verona",
            "approved_at": now,
            "membership_status": MembershipStatus.ACTIVE,
        },
    )
    if was_created:
        created += 1
        AllyManager.objects.create(ally=person, user=ally_user, role=AllyManager.Role.OWNER)
        person.themes.set([themes[BENI], themes[SUSS]])
        person.regions.set([regions["veneto"]])

    User = get_user_model()
    for name, province, email, full_name in PENDING:
        applicant, _ = User.objects.get_or_create(email=email, defaults={"full_name": full_name})
        if not applicant.has_usable_password():
            applicant.set_password(DEMO_PASSWORD)
            applicant.save(update_fields=["password"])
        ally, was_created = Ally.objects.get_or_create(
            name=name,
            kind=Ally.Kind.ORGANIZATION,
            defaults={
                "slug": _slug(name),
                "legal_form": LF.PUBLIC_BODY,
                "province": provinces[province],
                "city": provinces[province].name,
                "summary": "Città del laboratorio WILL per l'innovazione del welfare locale.",
                "contact_email": email,
            },
        )
        if was_created:
            created += 1
            ally.themes.set([themes[WELF]])
            ally.regions.set([provinces[province].region])
            AllyManager.objects.create(ally=ally, user=applicant, role=AllyManager.Role.OWNER)
            application = MembershipApplication.objects.create(
                ally=ally,
                applicant=applicant,
                motivation="Partecipiamo al laboratorio WILL e vogliamo confrontarci con gli altri territori.",
                principles=principles,
                principles_accepted_at=now,
            )
            log(
                application,
                f"status.{application.status}",
                actor=applicant,
                data={"field": "status", "from": "", "to": application.status},
            )
    return {"created": created, "allies": Ally.objects.count()}


def _slug(name):
    from .services import unique_slug

    return unique_slug(name)
