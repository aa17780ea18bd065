"""Dates within a sane range: every date and datetime field of the portal uses these validators.

A year such as 1 or 9999 is accepted by Python but breaks time-zone arithmetic,
calendar files and the lists that sort by date; the network's history starts
well after 1950 and nobody plans past 2100.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

EARLIEST = datetime.date(1950, 1, 1)
LATEST = datetime.date(2100, 12, 31)


@deconstructible
class SaneDateValidator:
    message = _("Enter a date between %(earliest)s and %(latest)s.")
    code = "date_out_of_range"

    def __call__(self, value):
        if value is None:
            return
        day = value.date() if isinstance(value, datetime.datetime) else value
        if not (EARLIEST <= day <= LATEST):
            raise ValidationError(
                self.message,
                code=self.code,
                params={"earliest": EARLIEST.strftime("%d/%m/%Y"), "latest": LATEST.strftime("%d/%m/%Y")},
            )

    def __eq__(self, other):
        return isinstance(other, SaneDateValidator)


sane_date = SaneDateValidator()


def check_sane(value, field_label: str = ""):
    """For services that receive a date from somewhere else than a form."""
    sane_date(value)
    return value


def html_bounds(kind: str = "date") -> dict:
    """`min`/`max` attributes for a date (or datetime-local) input."""
    if kind == "datetime-local":
        return {"min": f"{EARLIEST.isoformat()}T00:00", "max": f"{LATEST.isoformat()}T23:59"}
    return {"min": EARLIEST.isoformat(), "max": LATEST.isoformat()}
