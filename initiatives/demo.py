"""Demo projects and pathways: the ones named in the seed pages, with our own short texts.

Used by `manage.py load_demo` only.
"""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from alliance.models import Province, Region, Theme
from alliance.workflow import log, transition
from events.models import Event
from members.models import Ally, AllyManager

from .models import (
    ExternalPartner,
    Pathway,
    PathwayApplication,
    PathwayObjective,
    ProgressUpdate,
    Project,
    ProjectObjective,
    ProjectPartner,
    Stage,
    StageProgress,
)
from .services import unique_slug

ON = "On! Impresa sociale"
P, SC = Project.Status, Project.Scope

# title, lead, partners [(ally, role)], external [(name, kind)], regions, provinces, municipalities, scope,
# status, start, end, themes, summary, objectives
PROJECTS = [
    (
        "Territori Generativi",
        ON,
        [("ARC – Centro di ricerca sulla generatività sociale", "Promotore"), ("IFEL – Fondazione ANCI", "Promotore")],
        [("Fondazione Cariplo", "funder")],
        ["lombardia"],
        [],
        "",
        SC.REGIONAL,
        P.CONCLUDED,
        date(2019, 1, 1),
        date(2021, 12, 31),
        ["welfare-territoriale-generativo", "sussidiarieta-circolare"],
        "Formazione e accompagnamento dei comuni lombardi verso un welfare locale innovativo e una sostenibilità "
        "contributiva.",
        [
            "Formare amministratori e operatori alle logiche del welfare generativo",
            "Sperimentare la sostenibilità contributiva dei servizi",
            "Diffondere le pratiche in tutta la Lombardia",
        ],
    ),
    (
        "Reggio Emilia Territorio Capacitante e Contributivo",
        ON,
        [("Comune di Reggio Emilia", "Finanziatore e partner"), ("IFEL – Fondazione ANCI", "Partner")],
        [],
        ["emilia-romagna"],
        ["RE"],
        "Reggio Emilia",
        SC.LOCAL,
        P.CONCLUDED,
        date(2019, 3, 1),
        date(2021, 6, 30),
        ["welfare-territoriale-generativo"],
        "Progetti di sostenibilità contributiva nel welfare locale e accompagnamento al nuovo Piano di Zona.",
        [
            "Avviare progetti di welfare contributivo sul territorio comunale",
            "Accompagnare la redazione del Piano di Zona",
        ],
    ),
    (
        "Next Generation We",
        ON,
        [
            ("Itinerari Paralleli", "Partner"),
            ("Officine Papage", "Partner"),
            ("Comune di Deiva Marina", "Committente"),
            ("Comune di Framura", "Committente"),
        ],
        [("Fondazione Compagnia di San Paolo", "funder")],
        ["liguria"],
        ["SP"],
        "Deiva Marina, Framura",
        SC.LOCAL,
        P.RUNNING,
        date(2022, 1, 1),
        None,
        ["rigenerazione-beni-comuni"],
        "Progettazione PNRR per due comuni della riviera, sostenuta da un bando della Compagnia di San Paolo.",
        ["Costruire una visione condivisa per i due comuni", "Preparare progetti finanziabili con il PNRR"],
    ),
    (
        "Sportello Talenti",
        ON,
        [("EduCare", "Partner"), ("Exar", "Partner")],
        [],
        ["piemonte"],
        ["TO"],
        "Chieri",
        SC.LOCAL,
        P.RUNNING,
        date(2021, 9, 1),
        None,
        ["inserimento-lavorativo"],
        "Un servizio di comunità che fa incontrare i giovani del Chierese con le imprese disponibili a offrire "
        "un'esperienza di lavoro.",
        [
            "Mappare le imprese disponibili ad accogliere giovani",
            "Accompagnare i giovani nel primo contatto con il lavoro",
        ],
    ),
    (
        "Riprogettazione dell'Informagiovani di Ravenna",
        ON,
        [("Comune di Ravenna", "Committente"), ("SDA Bocconi School of Management", "Partner")],
        [],
        ["emilia-romagna"],
        ["RA"],
        "Ravenna",
        SC.LOCAL,
        P.CONCLUDED,
        date(2020, 1, 1),
        date(2020, 12, 31),
        ["welfare-territoriale-generativo"],
        "Il servizio Informagiovani ripensato con i giovani e per i giovani.",
        ["Ascoltare i giovani e gli operatori", "Ridisegnare il servizio e i suoi spazi"],
    ),
    (
        "WILL – Welfare Innovation Local Lab",
        "IFEL – Fondazione ANCI",
        [
            (ON, "Supporto tecnico"),
            ("Università Cattolica del Sacro Cuore", "Supporto tecnico"),
            ("Cergas Bocconi", "Supervisione scientifica"),
            ("Percorsi di Secondo Welfare", "Supervisione scientifica"),
            ("Comune di Reggio Emilia", "Città partecipante"),
            ("Comune di Ravenna", "Città partecipante"),
        ],
        [("Bergamo, Mantova, Como, Novara, Cuneo, Parma, Padova e Rovigo", "partner")],
        ["lombardia", "piemonte", "emilia-romagna", "veneto"],
        [],
        "",
        SC.NATIONAL,
        P.CONCLUDED,
        date(2019, 1, 1),
        date(2024, 12, 31),
        ["welfare-territoriale-generativo"],
        "Un laboratorio pluriennale di innovazione del welfare locale promosso da dieci città italiane.",
        ["Innovare i servizi di welfare delle dieci città", "Valutare gli esiti con una supervisione scientifica"],
    ),
    (
        "Patto Generativo di Comunità",
        ON,
        [("ARC – Centro di ricerca sulla generatività sociale", "Promotore"), ("IFEL – Fondazione ANCI", "Promotore")],
        [("Fondazione Cariplo", "funder")],
        ["lombardia"],
        [],
        "",
        SC.REGIONAL,
        P.RUNNING,
        date(2022, 1, 1),
        None,
        ["sussidiarieta-circolare", "welfare-territoriale-generativo"],
        "Una metodologia di community engagement e sviluppo generativo dei territori a partire dai servizi di welfare.",
        ["Costruire una metodologia di coinvolgimento delle comunità", "Sperimentarla nei servizi di welfare"],
    ),
    (
        "Piano di Sviluppo delle Valli e delle Dolomiti Friulane",
        ON,
        [("Unione Territoriale Integrata delle Valli e delle Dolomiti Friulane", "Committente")],
        [],
        ["friuli-venezia-giulia"],
        ["PN"],
        "",
        SC.LOCAL,
        P.CONCLUDED,
        date(2018, 1, 1),
        date(2018, 12, 31),
        ["rigenerazione-beni-comuni", "reti-filiere-valore"],
        "Il primo territorio generativo: un piano di sviluppo scritto con le comunità delle valli.",
        ["Costruire una prospettiva condivisa per i prossimi 10-20 anni", "Definire un progetto strategico a 5 anni"],
    ),
    (
        "Tavolo per la genitorialità nel Chierese",
        ON,
        [
            ("Comune di Chieri", "Committente"),
            ("EduCare", "Partner"),
            ("Consorzio dei Servizi Socio-Assistenziali del Chierese", "Committente"),
        ],
        [],
        ["piemonte"],
        ["TO"],
        "Chieri",
        SC.LOCAL,
        P.CONCLUDED,
        date(2019, 1, 1),
        date(2019, 12, 31),
        ["welfare-territoriale-generativo"],
        "La nascita e la facilitazione di un tavolo che coordina le attività per i genitori del territorio.",
        ["Mettere in rete i servizi per la genitorialità", "Facilitare un tavolo stabile di coordinamento"],
    ),
    (
        "Cooperiamo per l'Economia del Buon Vivere Comune",
        "Mag Verona",
        [],
        [],
        ["veneto"],
        ["VR"],
        "Verona",
        SC.REGIONAL,
        P.RUNNING,
        date(2017, 9, 1),
        None,
        [
            "rigenerazione-beni-comuni",
            "sussidiarieta-circolare",
            "welfare-territoriale-generativo",
            "inserimento-lavorativo",
            "reti-filiere-valore",
            "lotta-nuove-poverta",
        ],
        "Sei filoni di lavoro e i percorsi di rete per un ecosistema locale dell'economia del buon vivere.",
        [
            "Rigenerare beni comuni per creare imprese di comunità",
            "Sviluppare sussidiarietà circolare e attivazione civica",
            "Sviluppare un welfare territoriale leggero, relazionale e generativo",
            "Sviluppare sistemi di inserimento lavorativo basati sulla capacitazione",
            "Sviluppare reti e filiere produttive che generino valore per i territori",
            "Contrastare le nuove povertà con strategie condivise",
        ],
    ),
]


@transaction.atomic
def load_demo_initiatives(*, coordinator, ally_user) -> dict:
    allies = {a.name: a for a in Ally.objects.all()}
    regions = {r.slug: r for r in Region.objects.all()}
    provinces = {p.abbreviation: p for p in Province.objects.all()}
    themes = {t.slug: t for t in Theme.objects.all()}
    now = timezone.now()
    created = 0
    for (
        title,
        lead,
        partners,
        external,
        region_slugs,
        province_codes,
        municipalities,
        scope,
        status,
        start,
        end,
        theme_slugs,
        summary,
        objectives,
    ) in PROJECTS:
        project, new = Project.objects.get_or_create(
            title=title,
            defaults={
                "slug": unique_slug(Project, title),
                "summary": summary,
                "lead_ally": allies[lead],
                "municipalities": municipalities,
                "scope": scope,
                "status": status,
                "start_date": start,
                "end_date": end,
                "publication": Project.Publication.PUBLISHED,
                "published_at": now,
                "created_by": coordinator,
            },
        )
        if not new:
            continue
        created += 1
        project.regions.set([regions[s] for s in region_slugs])
        project.provinces.set([provinces[c] for c in province_codes])
        project.themes.set([themes[s] for s in theme_slugs])
        ProjectObjective.objects.bulk_create(
            ProjectObjective(project=project, position=n, text=text) for n, text in enumerate(objectives, start=1)
        )
        ProjectPartner.objects.bulk_create(
            ProjectPartner(project=project, ally=allies[name], role=role) for name, role in partners
        )
        ExternalPartner.objects.bulk_create(
            ExternalPartner(project=project, name=name, kind=kind) for name, kind in external
        )
        if status == P.RUNNING:
            ProgressUpdate.objects.create(
                project=project,
                date=timezone.localdate() - timedelta(days=40),
                text="Primi incontri con i partner del territorio.",
                percentage=30,
            )
    cooperiamo = Project.objects.get(title="Cooperiamo per l'Economia del Buon Vivere Comune")
    Event.objects.filter(title__startswith="Imprese di nuovo welfare").update(project=cooperiamo)

    created += _costruire_comunita(allies, coordinator)
    created += _percorso_generativo(allies, coordinator, ally_user)
    return {"created": created, "projects": Project.objects.count(), "pathways": Pathway.objects.count()}


def _pathway(
    title,
    *,
    purpose,
    eligibility,
    status,
    places,
    organizers,
    themes,
    region_slugs,
    objectives,
    stages,
    opens=None,
    closes=None,
):
    pathway, new = Pathway.objects.get_or_create(
        title=title,
        defaults={
            "slug": unique_slug(Pathway, title),
            "purpose": purpose,
            "eligibility": eligibility,
            "status": status,
            "places": places,
            "applications_open_at": opens,
            "applications_close_at": closes,
        },
    )
    if new:
        pathway.organizers.set(Ally.objects.filter(name__in=organizers))
        pathway.themes.set(Theme.objects.filter(slug__in=themes))
        pathway.regions.set(Region.objects.filter(slug__in=region_slugs))
        PathwayObjective.objects.bulk_create(
            PathwayObjective(pathway=pathway, position=n, text=text) for n, text in enumerate(objectives, start=1)
        )
        # Numbered from 1, as the pathway editor numbers them: the demo pathways can be saved there again.
        for n, (kind, stage_title, start, end, prompt) in enumerate(stages, start=1):
            Stage.objects.create(
                pathway=pathway,
                position=n,
                kind=kind,
                title=stage_title,
                start_date=start,
                end_date=end,
                report_prompt=prompt,
            )
    return pathway, new


def _costruire_comunita(allies, coordinator) -> int:
    K = Stage.Kind
    pathway, new = _pathway(
        "Costruire comunità",
        purpose="Abilitare processi partecipativi di cambiamento in territori complessi, coinvolgendo tutti gli "
        "attori e aiutandoli a collaborare nell'ecosistema della provincia di Ascoli Piceno.",
        eligibility=Pathway.Eligibility.ORGANIZATIONS,
        status=Pathway.Status.RUNNING,
        places=12,
        organizers=["Fondazione Carisap", "Bottega del Terzo Settore"],
        themes=["sussidiarieta-circolare"],
        region_slugs=["marche"],
        objectives=[
            "Far crescere l'interesse per le questioni di interesse generale",
            "Stimolare la cultura collaborativa dei changemaker",
            "Costruire alleanze strategiche tra enti pubblici, privati, filantropici e del terzo settore",
            "Rigenerare luoghi, servizi, processi e legami con proposte dal basso",
            "Rafforzare competenze e consapevolezza degli attori territoriali",
        ],
        stages=[
            (K.LISTENING, "Ascolto dei soci e degli stakeholder", date(2021, 9, 1), date(2021, 12, 31), ""),
            (
                K.CONTEST,
                "Concorsi di idee",
                date(2022, 1, 15),
                date(2022, 4, 30),
                "Quale idea avete presentato e con chi?",
            ),
            (K.FACILITATION_TABLE, "Tavoli di facilitazione", date(2022, 5, 1), date(2027, 2, 28), ""),
            (K.TECHNICAL_DESK, "Sportelli tecnici", date(2027, 3, 1), date(2027, 5, 31), ""),
            (K.TRAINING_DAY, "Giornate formative", date(2027, 6, 1), date(2027, 9, 30), ""),
            (
                K.CROWDFUNDING,
                "Campagne di crowdfunding",
                date(2027, 10, 1),
                date(2027, 12, 31),
                "Quanto avete raccolto e per che cosa?",
            ),
        ],
    )
    if new:
        table = Event.objects.filter(title__startswith="Tavolo di facilitazione").first()
        if table:
            table.pathway_stage = pathway.stages.get(kind=K.FACILITATION_TABLE)
            table.save(update_fields=["pathway_stage"])
        _admit(pathway, allies["Bottega del Terzo Settore"], coordinator, completed_stages=2)
    return int(new)


def _percorso_generativo(allies, coordinator, ally_user) -> int:
    K = Stage.Kind
    today = timezone.localdate()
    pathway, new = _pathway(
        "Percorso di orientamento generativo",
        purpose="Un percorso per le organizzazioni aderenti che vogliono riconoscere e far crescere la propria "
        "generatività, a partire dal lavoro dell'Archivio della Generatività Sociale.",
        eligibility=Pathway.Eligibility.MEMBER_ORGANIZATIONS,
        status=Pathway.Status.OPEN,
        places=8,
        organizers=["Comm.on!", "Archivio della Generatività Sociale"],
        themes=["sussidiarieta-circolare"],
        region_slugs=[],
        opens=timezone.now() - timedelta(days=10),
        closes=timezone.now() + timedelta(days=40),
        objectives=[
            "Riconoscere le pratiche generative dell'organizzazione",
            "Confrontarsi con altri alleati",
            "Definire un piano di sviluppo generativo",
        ],
        stages=[
            (
                K.LISTENING,
                "Autodiagnosi generativa",
                today + timedelta(days=50),
                today + timedelta(days=80),
                "Che cosa avete scoperto della vostra organizzazione?",
            ),
            (K.TRAINING_DAY, "Giornate formative con ARC", today + timedelta(days=81), today + timedelta(days=120), ""),
            (K.FACILITATION_TABLE, "Tavolo tra alleati", today + timedelta(days=121), today + timedelta(days=160), ""),
        ],
    )
    if new:
        _apply(pathway, allies["Gruppo Cgm"], None, status=PathwayApplication.Status.SUBMITTED)
        _apply(pathway, allies["EduCare"], None, status=PathwayApplication.Status.SUBMITTED)
        _apply(pathway, allies["Officine Papage"], coordinator, status=PathwayApplication.Status.WAITLISTED)
        _admit(pathway, allies["Mag Verona"], coordinator, completed_stages=0)
    return int(new)


def _apply(pathway, ally, coordinator, *, status):
    manager = AllyManager.objects.filter(ally=ally).select_related("user").first()
    application = PathwayApplication.objects.create(
        pathway=pathway,
        ally=ally,
        applicant=manager.user if manager else None,
        motivation="Vogliamo confrontarci con altre organizzazioni e crescere insieme.",
        contact_name=manager.user.full_name if manager else "Referente",
        contact_email=(manager.user.email if manager else f"referente@{ally.slug}.example.org"),
        status=PathwayApplication.Status.SUBMITTED,
    )
    log(
        application,
        "status.submitted",
        actor=application.applicant,
        data={"field": "status", "from": "", "to": PathwayApplication.Status.SUBMITTED},
    )
    if status != PathwayApplication.Status.SUBMITTED:
        application.decided_by = coordinator
        application.decided_at = timezone.now()
        transition(application, status, actor=coordinator, update_fields=["decided_by", "decided_at"])
    return application


def _admit(pathway, ally, coordinator, *, completed_stages: int):
    application = _apply(pathway, ally, coordinator, status=PathwayApplication.Status.ADMITTED)
    for n, stage in enumerate(pathway.stages.all()):
        state = (
            StageProgress.State.COMPLETED
            if n < completed_stages
            else (StageProgress.State.IN_PROGRESS if n == completed_stages else StageProgress.State.NOT_STARTED)
        )
        StageProgress.objects.create(application=application, stage=stage, state=state)
