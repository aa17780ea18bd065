"""Demo events: the meetings named in the seed pages, and a few upcoming ones to register for.

Facts (dates, places, programmes, speakers) come from those pages; the texts
are our own. Used by `manage.py load_demo` only.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from alliance.models import Province, Theme
from members.models import Ally

from .models import Attendance, Event, Registration, RegistrationAnswer, RegistrationQuestion, Session, Speaker
from .services import schedule_reminders, unique_event_slug

ROME = ZoneInfo("Europe/Rome")
K, P, S = Event.Kind, Event.Policy, Session.Kind


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ROME)


def _event(
    title,
    *,
    kind,
    start,
    end,
    summary,
    description="",
    organizers=(),
    province=None,
    venue="",
    address="",
    city="",
    online_url="",
    capacity=None,
    policy=P.OPEN,
    themes=(),
    step_free=False,
    interpretation="",
):
    provinces = {p.abbreviation: p for p in Province.objects.select_related("region")}
    event, created = Event.objects.get_or_create(
        title=title,
        defaults={
            "slug": unique_event_slug(title),
            "kind": kind,
            "summary": summary,
            "description": description,
            "start": start,
            "end": end,
            "venue_name": venue,
            "address": address,
            "city": city,
            "province": provinces.get(province),
            "region": provinces[province].region if province else None,
            "online_url": online_url,
            "capacity": capacity,
            "registration_policy": policy,
            "status": Event.Status.PUBLISHED,
            "published_at": timezone.now(),
            "step_free_access": step_free,
            "interpretation": interpretation,
        },
    )
    if created:
        event.organizers.set(Ally.objects.filter(name__in=organizers))
        event.themes.set(Theme.objects.filter(slug__in=themes))
    return event, created


def _programme(event, sessions, speakers):
    """sessions: (day, start, end, title, kind, room, capacity, [speaker names]); speakers: name → (role, affiliation, tbc)."""
    people = {}
    for position, (name, (role, affiliation, tbc)) in enumerate(speakers.items()):
        people[name] = Speaker.objects.create(
            event=event,
            name=name,
            role=role,
            affiliation=affiliation,
            to_be_confirmed=tbc,
            position=position,
            ally=Ally.objects.filter(name=affiliation).first(),
        )
    for day, start, end, title, kind, room, capacity, names in sessions:
        session = Session.objects.create(
            event=event,
            day=day,
            start_time=start,
            end_time=end,
            title=title,
            kind=kind,
            room=room,
            capacity=capacity,
        )
        session.speakers.set([people[n] for n in names])


FIRST_NAMES = [
    "Alessandra",
    "Bruno",
    "Carla",
    "Dario",
    "Elisa",
    "Fabio",
    "Gemma",
    "Ivo",
    "Lucia",
    "Mario",
    "Nadia",
    "Oscar",
    "Paola",
    "Rocco",
    "Silvia",
    "Tommaso",
    "Ugo",
    "Valeria",
    "Walter",
    "Zeno",
]
LAST_NAMES = [
    "Bertoni",
    "Colombo",
    "De Luca",
    "Esposito",
    "Fontana",
    "Galli",
    "Lombardi",
    "Marini",
    "Neri",
    "Pellegrini",
    "Rizzo",
    "Santoro",
]


def _fill(event, confirmed: int, waitlisted: int = 0):
    """Registrations of fictional people, so that seat counts and waiting lists can be seen."""
    now = timezone.now()
    rows = []
    for n in range(confirmed + waitlisted):
        name = f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {LAST_NAMES[n % len(LAST_NAMES)]}"
        is_confirmed = n < confirmed
        rows.append(
            Registration(
                event=event,
                name=name,
                email=f"partecipante{n}.{event.pk}@example.org",
                organization="",
                privacy_accepted_at=now,
                email_confirmed_at=now,
                public_consent=n % 3 == 0,
                status=Registration.Status.CONFIRMED if is_confirmed else Registration.Status.WAITLISTED,
                confirmed_at=now if is_confirmed else None,
                waitlisted_at=None if is_confirmed else now + timedelta(seconds=n),
            )
        )
    for registration in Registration.objects.bulk_create(rows):
        if registration.status == Registration.Status.CONFIRMED:
            schedule_reminders(registration)


def _series_on_review(event):
    """A series of meetings, members only, each request reviewed (the admission settings of issue 9 where the
    model has them; otherwise members only, as the former single policy allowed)."""
    event.is_series = True
    fields = ["is_series"]
    if hasattr(event, "admission_review"):
        event.admission_review = True
        fields.append("admission_review")
    event.save(update_fields=fields)


def _attended(event):
    """Check-ins at the past meetings: everyone at the first, fewer later, so certificates differ."""
    meetings = list(event.sessions.order_by("day", "start_time"))
    rows = []
    for n, registration in enumerate(event.registrations.filter(status=Registration.Status.CONFIRMED)):
        for m, meeting in enumerate(meetings):
            if m == 0 or (n + m) % 3:
                rows.append(Attendance(registration=registration, session=meeting, checked_in_at=at(meeting.day, 14)))
    Attendance.objects.bulk_create(rows)


def _requests(event):
    """Requests waiting for review, declined and cancelled, next to the confirmed ones."""
    now = timezone.now()
    states = [
        ("Giulia Ferrari", "Cooperativa sociale Il Ponte", Registration.Status.PENDING, ""),
        ("Marco Ricci", "Associazione Casa Aperta", Registration.Status.PENDING, ""),
        ("Sara Conti", "Impresa sociale Tessere", Registration.Status.PENDING, ""),
        (
            "Luca Moretti",
            "",
            Registration.Status.DECLINED,
            "La vostra organizzazione non rientra tra i soggetti previsti dalla normativa regionale.",
        ),
        ("Anna Barbieri", "Cooperativa Il Melograno", Registration.Status.CANCELLED, ""),
    ]
    Registration.objects.bulk_create(
        [
            Registration(
                event=event,
                name=name,
                email=f"{name.split()[0].lower()}.{event.pk}@example.org",
                organization=org,
                privacy_accepted_at=now,
                email_confirmed_at=now,
                status=status,
                decision_reason=reason,
                cancelled_at=now if status == Registration.Status.CANCELLED else None,
            )
            for name, org, status, reason in states
        ]
    )


ELIGIBILITY_ANSWERS = [
    "Siamo una cooperativa sociale di tipo A che gestisce servizi domiciliari per anziani a Verona.",
    "Associazione di promozione sociale iscritta al registro regionale; gestiamo un centro diurno.",
    "Impresa sociale che coordina un progetto di welfare di comunità con il Comune di Legnago.",
    "Siamo un gruppo informale di volontari, senza un servizio di cura attivo.",
    "Cooperativa sociale che gestisce una comunità alloggio per persone con disabilità.",
]


def _eligibility_question(event):
    """Seed 004 admits requests "on the subjective requirements of the regional rules": one question about them,
    answered by every request of the cycle (pending, confirmed, declined, cancelled)."""
    question = RegistrationQuestion.objects.create(
        event=event,
        position=0,
        kind=RegistrationQuestion.Kind.TEXT,
        required=True,
        label="In che modo tu o la tua organizzazione soddisfate i requisiti di ammissibilità previsti dalla "
        "normativa regionale?",
        label_en="How do you or your organization meet the eligibility requirements set by the regional rules?",
        help_text="Ad esempio: impresa sociale o cooperativa che gestisce servizi di cura, e in quale territorio. "
        "Lo staff di Mag Verona valuta ogni richiesta su questi requisiti.",
        help_text_en="For example: a social enterprise or cooperative running care services, and where. "
        "The Mag Verona staff reviews each request against these requirements.",
    )
    registrations = event.registrations.order_by("pk")
    RegistrationAnswer.objects.bulk_create(
        RegistrationAnswer(
            registration=registration, question=question, value=ELIGIBILITY_ANSWERS[n % len(ELIGIBILITY_ANSWERS)]
        )
        for n, registration in enumerate(registrations)
    )


@transaction.atomic
def load_demo_events() -> dict:
    created = 0

    # The alliance's first kick-off meeting.
    event, new = _event(
        "Kick-off meeting dell'Alleanza per la Generatività Sociale",
        kind=K.KICKOFF,
        start=at(date(2018, 9, 18), 10),
        end=at(date(2018, 9, 18), 17),
        summary="Il primo incontro degli alleati: conoscersi e disegnare insieme le linee d'azione dell'Alleanza.",
        description="Circa trenta alleati, diversi per esperienze e competenze, si incontrano per la prima volta "
        "dopo il lancio dell'Alleanza alla Terza Giornata della Generatività Sociale.",
        organizers=["Comm.on!", "ARC – Centro di ricerca sulla generatività sociale", "On! Impresa sociale"],
        province="MI",
        city="Milano",
        policy=P.MEMBERS,
        themes=["sussidiarieta-circolare"],
    )
    created += new

    # Two days in Milan: 2 plenaries, 10 thematic workshops, the research and the awards.
    event, new = _event(
        "Fare Rete, Cantieri per l'innovazione sociale",
        kind=K.CONFERENCE,
        start=at(date(2013, 11, 14), 9, 30),
        end=at(date(2013, 11, 15), 17),
        summary="Due giorni di scambio tra consorzi, cooperative e imprese sociali per far emergere l'innovazione "
        "che già cresce nella rete.",
        description="Un momento nazionale del progetto Soc.In.Net (Social Innovation Network) – Cantieri "
        "sull'innovazione 2013-2014. L'evento è aperto e gratuito.",
        organizers=["Gruppo Cgm"],
        province="MI",
        venue="Sede del Gruppo Cgm",
        address="Via Romagnosi",
        city="Milano",
        capacity=300,
        themes=["reti-filiere-valore", "welfare-territoriale-generativo"],
    )
    created += new
    if new:
        d1, d2 = date(2013, 11, 14), date(2013, 11, 15)
        workshops = [
            "Ambiente ed energia",
            "Housing sociale",
            "Educazione",
            "Salute e cura",
            "Inserimento lavorativo",
            "Welfare di comunità",
            "Agricoltura sociale",
            "Cultura e creatività",
            "Turismo sociale",
            "Finanza per l'impresa sociale",
        ]
        sessions = [
            (
                d1,
                time(9, 30),
                time(11, 30),
                "Plenaria di apertura: la cooperazione sociale come cantiere di innovazione",
                S.PLENARY,
                "Sala grande",
                None,
                ["Stefano Granata"],
            ),
            (d1, time(11, 30), time(12, 0), "Pausa", S.BREAK, "", None, []),
        ]
        for n, topic in enumerate(workshops):
            start = time(12, 0) if n < 5 else time(14, 30)
            end = time(13, 30) if n < 5 else time(16, 30)
            sessions.append((d1, start, end, f"Workshop tematico: {topic}", S.WORKSHOP, f"Sala {n % 5 + 1}", 40, []))
        sessions += [
            (
                d2,
                time(11, 0),
                time(12, 30),
                "Presentazione della ricerca sugli ibridi organizzativi a matrice cooperativa",
                S.PLENARY,
                "Sala grande",
                None,
                ["Ricercatori di Iris Network"],
            ),
            (
                d2,
                time(14, 30),
                time(16, 30),
                "Plenaria conclusiva e premiazione dei migliori business case e business idea",
                S.PLENARY,
                "Sala grande",
                None,
                ["Stefano Granata"],
            ),
        ]
        _programme(
            event,
            sessions,
            {
                "Stefano Granata": ("Presidente", "Gruppo Cgm", False),
                "Ricercatori di Iris Network": ("Ricerca", "Iris Network", False),
            },
        )

    # The six Monday meetings of "Imprese di nuovo welfare" in Verona.
    event, new = _event(
        "Imprese di nuovo welfare: come sviluppare progetti e comunicarli, in rete",
        kind=K.WORKSHOP_SERIES,
        start=at(date(2018, 2, 12), 14),
        end=at(date(2018, 4, 23), 18),
        summary="Sei incontri di consulenza di gruppo e formazione per le imprese sociali dei servizi di cura, "
        "nel progetto Cooperiamo.",
        description="Tutti gli incontri si tengono il lunedì dalle 14 alle 18. Possono iscriversi le organizzazioni "
        "partner del progetto: l'ammissibilità è valutata sui requisiti della normativa regionale. "
        "La partecipazione è gratuita.",
        organizers=["Mag Verona"],
        province="VR",
        venue="Casa Comune Mag",
        city="Verona",
        capacity=30,
        policy=P.MEMBERS,
        themes=["welfare-territoriale-generativo"],
    )
    created += new
    if new:
        _series_on_review(event)
        meetings = [
            (
                date(2018, 2, 12),
                "Nominazione della qualità e degli impatti dell'agire imprenditivo e sociale: parole, "
                "metodi e strumenti",
                ["Simonetta Patané", "Anna Zenarolla"],
            ),
            (
                date(2018, 2, 26),
                "Criteri e prassi di relazione e contrattazione con la P.A. alla luce della "
                "sussidiarietà, negli (e oltre gli) appalti",
                ["Daniele Giacomazzi"],
            ),
            (
                date(2018, 3, 12),
                "Come le Pubbliche Amministrazioni centrali, locali e di zona stanno ripensando i servizi sociali",
                ["Luca Bianchi"],
            ),
            (
                date(2018, 3, 26),
                "Sviluppo di nuovi servizi in co-programmazione, co-progettazione e partenariato",
                ["Felice Scalvini"],
            ),
            (
                date(2018, 4, 9),
                "Analisi e rendicontazione degli esiti delle attività nei territori, senza dimenticare la visione",
                ["Anna Zenarolla"],
            ),
            (
                date(2018, 4, 23),
                "Creatività al lavoro: da domani quali nuove attivazioni?",
                ["Maria Teresa Giacomazzi", "Paolo Dagazzini"],
            ),
        ]
        _programme(
            event,
            [
                (day, time(14), time(18), title, S.WORKSHOP, "Casa Comune Mag", None, names)
                for day, title, names in meetings
            ],
            {
                "Simonetta Patané": ("Sociologa della conoscenza", "", False),
                "Anna Zenarolla": (
                    "Sociologa, esperta in valutazione dei servizi",
                    "Università degli Studi di Padova",
                    False,
                ),
                "Daniele Giacomazzi": ("Avvocato esperto in diritto amministrativo", "", False),
                "Luca Bianchi": ("Sociologo esperto di servizi sociali", "Università di Trieste", False),
                "Felice Scalvini": ("Cooperatore ed esperto innovatore sociale, assessore", "Comune di Brescia", True),
                "Maria Teresa Giacomazzi": ("", "Mag Verona", False),
                "Paolo Dagazzini": ("Coordinatore di progetto", "Mag Verona", False),
            },
        )
        _fill(event, confirmed=12)
        _attended(event)

    # The next edition of the Verona cycle, to try the series: six Mondays every other week, 14:00–18:00,
    # members only, each request reviewed; requests in several states.
    monday = timezone.localdate() + timedelta(days=21)
    monday += timedelta(days=(7 - monday.weekday()) % 7)
    mondays = [monday + timedelta(weeks=2 * n) for n in range(6)]
    event, new = _event(
        "Cooperiamo: imprese di nuovo welfare – nuova edizione",
        kind=K.WORKSHOP_SERIES,
        start=at(mondays[0], 14),
        end=at(mondays[-1], 18),
        summary="Sei lunedì pomeriggio di consulenza di gruppo e formazione per le imprese sociali dei servizi di "
        "cura, nel progetto Cooperiamo.",
        description="Tutti gli incontri si tengono il lunedì dalle 14 alle 18 alla Casa Comune Mag. Possono "
        "iscriversi i membri dell'Alleanza; l'ammissibilità di ogni richiesta è valutata sui requisiti "
        "della normativa regionale. La partecipazione è gratuita.",
        organizers=["Mag Verona"],
        province="VR",
        venue="Casa Comune Mag",
        city="Verona",
        capacity=30,
        policy=P.MEMBERS,
        themes=["welfare-territoriale-generativo"],
    )
    created += new
    if new:
        _series_on_review(event)
        titles = [
            "Dare un nome alla qualità e agli impatti",
            "Relazione e contrattazione con la P.A.",
            "Come cambiano i servizi sociali",
            "Co-programmazione e co-progettazione",
            "Rendicontare gli esiti senza perdere la visione",
            "Creatività al lavoro: quali nuove attivazioni?",
        ]
        _programme(
            event,
            [
                (day, time(14), time(18), title, S.WORKSHOP, "Casa Comune Mag", None, [])
                for day, title in zip(mondays, titles, strict=True)
            ],
            {},
        )
        _fill(event, confirmed=9, waitlisted=0)
        _requests(event)
        _eligibility_question(event)

    # Upcoming events, relative to today, so that registration can be tried.
    today = timezone.localdate()
    soon = today + timedelta(days=18)
    event, new = _event(
        "Laboratorio: dare un nome e una misura al valore generato",
        kind=K.TRAINING,
        start=at(soon, 14),
        end=at(soon, 18),
        summary="Un pomeriggio di lavoro per imparare a rilevare e raccontare il valore che le attività generano.",
        organizers=["Mag Verona"],
        province="VR",
        venue="Casa Comune Mag",
        city="Verona",
        capacity=25,
        themes=["welfare-territoriale-generativo"],
        step_free=True,
    )
    created += new
    if new:
        _fill(event, confirmed=23)  # nearly full

    day = today + timedelta(days=45)
    event, new = _event(
        "Giornata della Generatività Sociale",
        kind=K.CONFERENCE,
        start=at(day, 9, 30),
        end=at(day + timedelta(days=1), 13),
        summary="Due mezze giornate per gli alleati e per chi vuole conoscere la rete: esperienze, laboratori e "
        "proposte di policy.",
        organizers=["Comm.on!", "ARC – Centro di ricerca sulla generatività sociale"],
        province="MI",
        venue="Università Cattolica del Sacro Cuore",
        address="Largo Agostino Gemelli 1",
        city="Milano",
        capacity=200,
        themes=["sussidiarieta-circolare", "rigenerazione-beni-comuni"],
        step_free=True,
        interpretation="Lingua dei segni italiana (LIS) nelle plenarie",
    )
    created += new
    if new:
        d1, d2 = day, day + timedelta(days=1)
        _programme(
            event,
            [
                (
                    d1,
                    time(9, 30),
                    time(11),
                    "Apertura: che cosa rende generativa un'organizzazione",
                    S.PLENARY,
                    "Aula magna",
                    None,
                    ["Coordinamento dell'Alleanza"],
                ),
                (
                    d1,
                    time(11, 15),
                    time(13),
                    "Laboratorio: beni comuni e imprese di comunità",
                    S.WORKSHOP,
                    "Aula 1",
                    30,
                    [],
                ),
                (
                    d1,
                    time(11, 15),
                    time(13),
                    "Laboratorio: welfare territoriale e co-progettazione",
                    S.WORKSHOP,
                    "Aula 2",
                    30,
                    [],
                ),
                (d1, time(11, 15), time(13), "Laboratorio: lavoro e capacitazione", S.WORKSHOP, "Aula 3", 30, []),
                (
                    d2,
                    time(9, 30),
                    time(13),
                    "Plenaria: proposte di policy per la generatività sociale",
                    S.PLENARY,
                    "Aula magna",
                    None,
                    ["Coordinamento dell'Alleanza"],
                ),
            ],
            {"Coordinamento dell'Alleanza": ("", "Comm.on!", False)},
        )
        _fill(event, confirmed=120)

    day = today + timedelta(days=60)
    event, new = _event(
        "Webinar: co-programmazione e co-progettazione con la Pubblica Amministrazione",
        kind=K.WEBINAR,
        start=at(day, 17),
        end=at(day, 18, 30),
        summary="Un'ora e mezza online sugli strumenti dell'amministrazione condivisa, per gli alleati.",
        organizers=["On! Impresa sociale"],
        online_url="https://meet.example.org/alleanza-webinar",
        capacity=100,
        policy=P.MEMBERS,
        themes=["sussidiarieta-circolare"],
    )
    created += new

    day = today + timedelta(days=30)
    event, new = _event(
        "Tavolo di facilitazione – Costruire comunità",
        kind=K.OTHER,
        start=at(day, 9, 30),
        end=at(day, 13),
        summary="Un tavolo per i changemaker della provincia di Ascoli Piceno: dai temi emersi dall'ascolto alle "
        "prime alleanze.",
        organizers=["Fondazione Carisap", "Bottega del Terzo Settore"],
        province="AP",
        venue="Bottega del Terzo Settore",
        city="Ascoli Piceno",
        capacity=15,
        policy=P.APPLICATION,
        themes=["sussidiarieta-circolare", "reti-filiere-valore"],
    )
    created += new
    if new:
        _fill(event, confirmed=15, waitlisted=3)  # full, with a waiting list

    return {"created": created, "events": Event.objects.count()}
