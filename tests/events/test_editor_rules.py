"""The paths that used to bypass the rules: the event editor, unusual dates, and the Django admin."""

from datetime import date, datetime, time, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.forms import MultiWidget
from django.urls import reverse
from django.utils import timezone, translation

from alliance.models import LogEntry, OutgoingEmail
from alliance.workflow import history
from events import services
from events.models import Event, Registration, Session, SessionChoice
from tests.events.test_manage import messages_of, page_data, url
from tests.factories.events import ROME, EventFactory, SessionFactory
from tests.factories.members import CoordinatorFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db

Status = Registration.Status
OUT_OF_RANGE = "Enter a date between 01/01/1950 and 31/12/2100."


def out_of_range(language):
    """The same message in the language of a page that is not under /en/ (the admin)."""
    from alliance.dates import SaneDateValidator

    with translation.override(language):
        message = str(SaneDateValidator.message) % {"earliest": "01/01/1950", "latest": "31/12/2100"}
    if language == "en":
        assert message == OUT_OF_RANGE
    return message


@pytest.fixture
def coordinator(client):
    user = CoordinatorFactory()
    client.force_login(user)
    return user


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def seated(event, count, **kwargs):
    people = []
    for _ in range(count):
        user = VerifiedUserFactory()
        attendee = services.Attendee(name=user.full_name, email=user.email, **kwargs)
        people.append(services.register(event=event, attendee=attendee, user=user).registration)
    OutgoingEmail.objects.all().delete()
    return people


def emails():
    return sorted(OutgoingEmail.objects.values_list("template", "to"))


# The editor: seats and sessions ---------------------------------------------------------------


def test_the_editor_refuses_fewer_seats_than_confirmed_and_offers_the_explicit_move(client, coordinator):
    event = EventFactory(capacity=5)
    people = seated(event, 5)
    page = client.get(url("events:event_edit", slug=event.slug))
    assert 'name="confirm_moves"' not in page.content.decode()  # only with the error

    refused = client.post(url("events:event_edit", slug=event.slug), page_data(page, capacity="2"))

    assert refused.status_code == 200
    form = refused.context["editor"].event_form
    assert form.errors["capacity"] == [
        "5 people hold a confirmed seat, more than the 2 seats you set: raise the number, or confirm below that the "
        "latest 3 confirmed move to the waiting list."
    ]
    assert 'name="confirm_moves"' in refused.content.decode()
    assert messages_of(refused) == [
        "Nothing was saved: some people would lose their place. Change the seats, or confirm the moves below and "
        "save again."
    ]
    assert fresh(event).capacity == 5
    assert set(event.registrations.values_list("status", flat=True)) == {Status.CONFIRMED}
    assert emails() == []

    confirmed = client.post(
        url("events:event_edit", slug=event.slug), page_data(refused, capacity="2", confirm_moves="on")
    )

    assert confirmed.status_code == 302
    assert fresh(event).capacity == 2
    assert [fresh(p).status for p in people] == [Status.CONFIRMED] * 2 + [Status.WAITLISTED] * 3
    assert emails() == sorted(("event_moved_to_waitlist", p.email) for p in people[2:])
    assert messages_of(confirmed) == [
        "3 people moved to the waiting list and were told by e-mail.",
        "Your changes are saved.",
    ]


def test_the_editor_no_longer_deletes_a_session_under_the_people_who_chose_it(client, coordinator):
    event = EventFactory(capacity=None)
    room = SessionFactory(
        event=event, kind="workshop", capacity=2, title="Comunità educanti", start_time=time(14), end_time=time(16)
    )
    people = seated(event, 3, session_ids=[room.pk])  # two seated, one waiting for it
    page = client.get(url("events:event_edit", slug=event.slug))
    data = page_data(page)
    data["sessions-0-DELETE"] = "on"

    refused = client.post(url("events:event_edit", slug=event.slug), data)

    assert refused.status_code == 200
    row = refused.context["editor"].sessions.forms[0]
    assert row.non_field_errors() == [
        "3 people chose “Comunità educanti”: to remove it, confirm below that their choices are dropped (they are "
        "told by e-mail)."
    ]
    assert Session.objects.filter(pk=room.pk).exists()
    assert SessionChoice.objects.filter(session=room).count() == 3
    assert emails() == []

    data["confirm_moves"] = "on"
    done = client.post(url("events:event_edit", slug=event.slug), data)

    assert done.status_code == 302
    assert not Session.objects.filter(pk=room.pk).exists()
    assert emails() == sorted(("event_session_removed", p.email) for p in people)
    assert [fresh(p).status for p in people] == [Status.CONFIRMED] * 3


def test_the_editor_refuses_fewer_workshop_seats_than_taken(client, coordinator):
    event = EventFactory(capacity=None)
    room = SessionFactory(event=event, kind="workshop", capacity=3, start_time=time(14), end_time=time(16))
    seated(event, 3, session_ids=[room.pk])
    page = client.get(url("events:event_edit", slug=event.slug))

    refused = client.post(url("events:event_edit", slug=event.slug), page_data(page, **{"sessions-0-capacity": "1"}))

    assert refused.status_code == 200
    assert refused.context["editor"].sessions.forms[0].errors["capacity"] == [
        f"“{room.title}” has 3 confirmed seats, more than the 1 you set: raise the number, or confirm below that the "
        "latest 2 move to its waiting list."
    ]
    assert fresh(room).capacity == 3


# Dates within a sane range, everywhere --------------------------------------------------------------


EDITOR_DATE_FIELDS = ["start", "end", "registration_opens_at", "registration_closes_at"]


@pytest.mark.parametrize("year", [1, 9999])
@pytest.mark.parametrize("field", EDITOR_DATE_FIELDS + ["sessions-0-day"])
def test_every_date_of_the_editor_refuses_year_1_and_9999(client, coordinator, field, year):
    event = EventFactory(draft=True)
    SessionFactory(event=event)
    before = fresh(event)
    page = client.get(url("events:event_edit", slug=event.slug))
    value = f"{year:04d}-06-01" if field.endswith("day") else f"{year:04d}-06-01T10:00"

    response = client.post(url("events:event_edit", slug=event.slug), page_data(page, **{field: value}))

    assert response.status_code == 200
    editor = response.context["editor"]
    if field.endswith("day"):
        assert editor.sessions.forms[0].errors["day"] == [OUT_OF_RANGE]
        assert fresh(event.sessions.get()).day == event.sessions.get().day
    else:
        assert editor.event_form.errors[field] == [OUT_OF_RANGE]
    after = fresh(event)
    assert [getattr(after, f) for f in EDITOR_DATE_FIELDS] == [getattr(before, f) for f in EDITOR_DATE_FIELDS]


def test_the_date_inputs_carry_the_range():
    from events.forms.manage import EventForm, SessionForm

    form = EventForm(user=CoordinatorFactory(), instance=Event())
    for name in EDITOR_DATE_FIELDS:
        attrs = form.fields[name].widget.attrs
        assert (attrs["min"], attrs["max"]) == ("1950-01-01T00:00", "2100-12-31T23:59")
    day = SessionForm().fields["day"].widget.attrs
    assert (day["min"], day["max"]) == ("1950-01-01", "2100-12-31")


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def test_the_models_refuse_dates_out_of_range_whatever_the_path(english):
    event = EventFactory.build(start=datetime(1, 1, 1, 10, tzinfo=ROME), end=datetime(9999, 1, 1, tzinfo=ROME))
    with pytest.raises(ValidationError) as refused:
        event.full_clean(exclude=["slug"])
    assert refused.value.message_dict["start"] == [OUT_OF_RANGE]
    assert refused.value.message_dict["end"] == [OUT_OF_RANGE]
    session = Session(event=EventFactory(), day=date(1, 1, 1), start_time=time(9), end_time=time(10), title="x")
    with pytest.raises(ValidationError) as refused:
        session.full_clean()
    assert refused.value.message_dict["day"] == [OUT_OF_RANGE]
    with pytest.raises(ValidationError):
        services.save_event(
            event=EventFactory(),
            actor=CoordinatorFactory(),
            data=services.EventData(registration_opens_at=datetime(1, 1, 1, tzinfo=ROME)),
        )


# The admin --------------------------------------------------------------------------------------


@pytest.fixture
def admin_user(client):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser(email="admin@example.org", password="x" * 20)
    client.force_login(user)
    return user


def admin_data(response, **changes):
    """What the admin's change page sends back untouched, with `changes` (names as posted)."""
    data = {}
    form = response.context["adminform"].form
    for field in form:
        widget = field.field.widget
        value = field.value()
        if widget.__class__.__name__ in ("ClearableFileInput", "FileInput", "AdminFileWidget"):
            continue
        if isinstance(widget, MultiWidget):
            parts = widget.decompress(value) if not isinstance(value, list) else value
            for index, (part, sub) in enumerate(zip(parts, widget.widgets, strict=True)):
                data[f"{field.html_name}_{index}"] = sub.format_value(part) or ""
        elif value is None or value is False or value == "":
            continue
        elif value is True:
            data[field.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[field.html_name] = [str(v) for v in value]
        else:
            data[field.html_name] = str(value)
    for inline in response.context["inline_admin_formsets"]:
        for field in inline.formset.management_form:
            data[field.html_name] = field.value()
    data.update(changes)
    return data


def test_the_admin_shows_the_workflow_fields_read_only(client, admin_user):
    event = EventFactory(capacity=5)
    people = seated(event, 5)
    change = reverse("admin:events_event_change", args=[event.pk])
    page = client.get(change)
    form = page.context["adminform"].form
    assert {"status", "capacity", "sequence", "published_at", "cancelled_at"} & set(form.fields) == set()

    response = client.post(
        change, admin_data(page, status="cancelled", capacity="1", sequence="9", summary="Dal pannello")
    )

    assert response.status_code == 302
    saved = fresh(event)
    assert (saved.summary, saved.status, saved.capacity, saved.sequence) == ("Dal pannello", "published", 5, 0)
    assert {fresh(p).status for p in people} == {Status.CONFIRMED}
    registration_page = client.get(reverse("admin:events_registration_change", args=[people[0].pk]))
    assert {"status", "event", "email", "checked_in_at"} & set(
        registration_page.context["adminform"].form.fields
    ) == set()


@pytest.mark.parametrize("year", [1, 9999])
@pytest.mark.parametrize("field", EDITOR_DATE_FIELDS)
def test_the_admin_refuses_dates_out_of_range(client, admin_user, field, year):
    event = EventFactory()
    before = fresh(event)
    change = reverse("admin:events_event_change", args=[event.pk])
    page = client.get(change)

    response = client.post(change, admin_data(page, **{f"{field}_0": f"{year:04d}-06-01", f"{field}_1": "10:00"}))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [out_of_range(response.wsgi_request.LANGUAGE_CODE)]
    after = fresh(event)
    assert [getattr(after, f) for f in EDITOR_DATE_FIELDS] == [getattr(before, f) for f in EDITOR_DATE_FIELDS]


def test_a_time_change_in_the_admin_goes_through_the_service(client, admin_user):
    event = EventFactory(capacity=10)
    people = seated(event, 2)
    change = reverse("admin:events_event_change", args=[event.pk])
    page = client.get(change)
    later = timezone.localtime(event.start, ROME) + timedelta(hours=2)

    response = client.post(change, admin_data(page, start_0=f"{later:%Y-%m-%d}", start_1=f"{later:%H:%M}"))

    assert response.status_code == 302
    saved = fresh(event)
    assert (saved.start, saved.sequence) == (later, 1)
    assert emails() == sorted(("event_changed", p.email) for p in people)
    assert [(e.action, e.actor) for e in history(saved)] == [("events.event.changed", admin_user)]


def test_the_admin_actions_publish_and_cancel_through_the_services(client, admin_user):
    draft = EventFactory(draft=True)
    published = EventFactory()
    person = seated(published, 1)[0]
    changelist = reverse("admin:events_event_changelist")

    client.post(changelist, {"action": "publish_events", "_selected_action": [draft.pk]})
    client.post(changelist, {"action": "cancel_events", "_selected_action": [published.pk]})

    assert fresh(draft).status == Event.Status.PUBLISHED
    assert fresh(published).status == Event.Status.CANCELLED
    assert [(e.action, e.actor) for e in history(fresh(draft))] == [("events.event.status.published", admin_user)]
    assert [(e.action, e.actor) for e in history(fresh(published))] == [("events.event.status.cancelled", admin_user)]
    assert emails() == [("event_cancelled", person.email)]
    actions = client.get(changelist).context["action_form"].fields["action"].choices
    assert "delete_selected" not in [name for name, _label in actions]


def test_the_admin_cancels_registrations_through_the_service_and_cannot_add_or_delete_them(client, admin_user):
    event = EventFactory(capacity=1)
    holder, waiting = seated(event, 2)
    changelist = reverse("admin:events_registration_changelist")

    client.post(changelist, {"action": "cancel_registrations", "_selected_action": [holder.pk]})

    assert (fresh(holder).status, fresh(waiting).status) == (Status.CANCELLED, Status.CONFIRMED)
    assert emails() == sorted([("event_registration_cancelled", holder.email), ("event_promoted", waiting.email)])
    assert LogEntry.objects.filter(action="events.registration.status.cancelled", actor=admin_user).count() == 1
    assert client.get(reverse("admin:events_registration_add")).status_code == 403
    assert client.get(reverse("admin:events_registration_delete", args=[waiting.pk])).status_code == 403
    assert client.get(reverse("admin:events_event_delete", args=[event.pk])).status_code == 403


# The history on the management page ----------------------------------------------------------------


@pytest.mark.parametrize("changes", [1, 3])
def test_the_editor_shows_the_events_history_in_constant_queries(
    client, coordinator, django_assert_num_queries, changes
):
    event = EventFactory(capacity=100)
    for n in range(changes):
        services.save_event(event=event, actor=coordinator, data=services.EventData(capacity=101 + n))
    ContentType.objects.get_for_model(Event)  # cached by Django after a server's first request
    page_url = url("events:event_edit", slug=event.slug)
    client.get(page_url)  # warm what every page loads once (organizer choices, provinces)

    with django_assert_num_queries(EDITOR_QUERIES):
        response = client.get(page_url)

    content = response.content.decode()
    assert content.count("Number of seats changed") == changes
    assert [e.data["to"] for e in response.context["history"]] == [101 + n for n in range(changes)]


EDITOR_QUERIES = 19  # with the admission lists and the pathway stages one may link (the project is typed)


def test_the_registration_list_shows_each_registrations_history(client, coordinator):
    event = EventFactory(capacity=1)
    holder, waiting = seated(event, 2)
    services.cancel_registration(registration=holder, actor=coordinator)

    response = client.get(url("events:registrations", slug=event.slug))

    content = response.content.decode()
    assert "Pending → Confirmed" in content
    assert "On the waiting list → Confirmed" in content
    assert "Confirmed → Cancelled" in content
    histories = {r.pk: [e.action for e in r.history] for r in response.context["page_obj"]}
    assert histories[waiting.pk][-1] == "events.registration.status.confirmed"


def test_an_event_added_in_the_admin_is_created_by_the_service_as_a_draft(client, admin_user):
    add = reverse("admin:events_event_add")
    page = client.get(add)
    start = timezone.localtime(timezone.now() + timedelta(days=30), ROME)
    data = admin_data(
        page,
        title="Dal pannello",
        slug="dal-pannello",
        kind="conference",
        summary="Sintesi.",
        language="it",
        registration_policy="open",
        reminder_offsets="[120]",
        status="published",
        start_0=f"{start:%Y-%m-%d}",
        start_1="09:30",
        end_0=f"{start:%Y-%m-%d}",
        end_1="12:30",
    )

    response = client.post(add, data)

    assert response.status_code == 302
    event = Event.objects.get(slug="dal-pannello")
    assert (event.title, event.status, event.capacity, event.created_by, event.sequence) == (
        "Dal pannello",
        Event.Status.DRAFT,
        None,
        admin_user,
        0,
    )
    assert [(e.action, e.actor) for e in history(event)] == [("events.event.created", admin_user)]
