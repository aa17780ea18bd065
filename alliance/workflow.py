"""One log and one transition helper for every workflow of the portal.

A model with a workflow declares ``TRANSITIONS = {from_status: {to_status, ...}}``;
services change its status only through `transition()`, inside their own
transaction and with the row locked (``select_for_update``), so that every
change is checked against the table and written to the log with its actor.
Other changes worth keeping (a time change, a check-in, a decision's reason)
go through `log()`.
"""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import LogEntry

# Human labels for actions that are not status changes, filled by the domains:
# ``ACTION_LABELS["events.event.changed"] = gettext_lazy("Time or place changed")``.
ACTION_LABELS: dict[str, str] = {}


class TransitionError(ValidationError):
    """The transition table refused the change; the message is for the person."""


def action_name(obj, suffix: str) -> str:
    meta = obj._meta
    return f"{meta.app_label}.{meta.model_name}.{suffix}"


def log(obj, action: str, *, actor=None, data: dict | None = None, at=None) -> LogEntry:
    """Put a change of `obj` on the record. `action` is either a full dotted name or a suffix
    (``"checked_in"`` becomes ``"events.registration.checked_in"``)."""
    if action.count(".") < 2:
        action = action_name(obj, action)
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=obj.pk,
        action=action,
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        data=data or {},
        created_at=at or timezone.now(),
    )


def can_transition(obj, to, *, field: str = "status", table: dict | None = None) -> bool:
    table = type(obj).TRANSITIONS if table is None else table
    return to in table.get(getattr(obj, field), ())


def transition(
    obj,
    to,
    *,
    actor,
    field: str = "status",
    table: dict | None = None,
    note: str = "",
    data: dict | None = None,
    update_fields=(),
    message: str = "",
) -> LogEntry:
    """Move `obj` from its current `field` value to `to`, if the table allows it; save and log.

    The caller holds the row lock. `update_fields` names other fields the
    caller set on `obj` that must be saved with the status (timestamps,
    reasons). Refused changes raise `TransitionError` with `message` or a
    sentence naming the current status.
    """
    previous = getattr(obj, field)
    if not can_transition(obj, to, field=field, table=table):
        if not message:
            message = _("This is %(status)s and cannot become %(to)s.") % {
                "status": _label(type(obj), field, previous).lower(),
                "to": _label(type(obj), field, to).lower(),
            }
        raise TransitionError(message, code="transition")
    setattr(obj, field, to)
    obj.save(update_fields=[field, *update_fields])
    payload = {"field": field, "from": str(previous), "to": str(to)}
    if note:
        payload["note"] = note
    payload.update(data or {})
    return log(obj, f"{field}.{to}", actor=actor, data=payload)


def history(obj):
    """The log of one object, oldest first, with the actors."""
    return (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False), object_id=obj.pk
        )
        .select_related("actor", "content_type")
        .order_by("created_at", "pk")
    )


def histories(objects) -> dict:
    """The logs of several objects of one model in one query: {pk: [entries]}."""
    objects = list(objects)
    if not objects:
        return {}
    content_type = ContentType.objects.get_for_model(objects[0], for_concrete_model=False)
    result = defaultdict(list)
    entries = (
        LogEntry.objects.filter(content_type=content_type, object_id__in=[o.pk for o in objects])
        .select_related("actor", "content_type")
        .order_by("created_at", "pk")
    )
    for entry in entries:
        result[entry.object_id].append(entry)
    return result


def attach_history(objects, attribute: str = "history") -> list:
    """Set `attribute` on each object to its log entries, in one query."""
    objects = list(objects)
    found = histories(objects)
    for obj in objects:
        setattr(obj, attribute, found.get(obj.pk, []))
    return objects


def _label(model, field, value) -> str:
    try:
        choices = dict(model._meta.get_field(field).flatchoices)
    except Exception:  # noqa: BLE001 - a field without choices: show the raw value
        choices = {}
    return str(choices.get(value, value or "–"))


def describe(entry: LogEntry) -> str:
    """A sentence for the history on an object's page, in the active language."""
    label = ACTION_LABELS.get(entry.action)
    if label is not None:
        return str(label)
    data = entry.data or {}
    if "field" in data and "to" in data:
        model = entry.content_type.model_class()
        if data.get("from"):
            return _("%(from)s → %(to)s") % {
                "from": _label(model, data["field"], data["from"]),
                "to": _label(model, data["field"], data["to"]),
            }
        return _label(model, data["field"], data["to"])
    return entry.action


SYSTEM = gettext_lazy("the portal")
