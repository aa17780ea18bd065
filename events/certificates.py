"""The attendance certificate of a series (issue 9): a one-page PDF made with reportlab, in the
attendee's language, listing the meetings attended and the hours.

The PDF uses the standard Helvetica font (no embedded font) and ASCII85-encoded streams, so it holds no
NUL byte: it can travel in the outbox's JSON attachments as a Latin-1 string (see `certificate_attachment`),
which Django's mail encodes back to the same bytes.
"""

import io

from django.conf import settings
from django.utils import formats, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from .services.attendance import AttendanceRecord, meeting_hours


def _hours_text(duration) -> str:
    minutes = int(duration.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    if rest:
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": rest}
    return ngettext("%(hours)d hour", "%(hours)d hours", hours) % {"hours": hours}


def _wrap(pdf, text: str, width: float, font: str, size: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if pdf.stringWidth(candidate, font, size) <= width:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def certificate_pdf(record: AttendanceRecord) -> bytes:
    registration = record.registration
    event = registration.event
    with translation.override(registration.language):
        buffer = io.BytesIO()
        pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
        pdf.setTitle(_("Certificate of attendance"))
        pdf.setAuthor(settings.SITE_NAME)
        width, height = A4
        left, right = 25 * mm, width - 25 * mm
        y = height - 35 * mm
        pdf.setFont("Helvetica-Bold", 20)
        pdf.drawString(left, y, _("Certificate of attendance"))
        y -= 14 * mm
        organizers = ", ".join(a.name for a in event.organizers.all())
        intro = _("We certify that %(name)s attended the following meetings of “%(title)s”%(by)s:") % {
            "name": registration.name,
            "title": event.title,
            "by": (" " + _("organized by %(organizers)s") % {"organizers": organizers}) if organizers else "",
        }
        pdf.setFont("Helvetica", 12)
        for line in _wrap(pdf, intro, right - left, "Helvetica", 12):
            pdf.drawString(left, y, line)
            y -= 7 * mm
        y -= 4 * mm
        for meeting in record.meetings:
            when = _("%(day)s, %(start)s–%(end)s (%(hours)s)") % {
                "day": formats.date_format(meeting.day, "l j F Y"),
                "start": formats.time_format(meeting.start_time, "TIME_FORMAT"),
                "end": formats.time_format(meeting.end_time, "TIME_FORMAT"),
                "hours": _hours_text(meeting_hours(meeting)),
            }
            pdf.drawString(left, y, "• " + when)
            y -= 6 * mm
            for line in _wrap(pdf, meeting.title, right - left - 8 * mm, "Helvetica-Oblique", 11)[:2]:
                pdf.setFont("Helvetica-Oblique", 11)
                pdf.drawString(left + 8 * mm, y, line)
                y -= 6 * mm
            pdf.setFont("Helvetica", 12)
            y -= 2 * mm
            if y < 40 * mm:
                pdf.showPage()
                pdf.setFont("Helvetica", 12)
                y = height - 30 * mm
        y -= 4 * mm
        pdf.setFont("Helvetica-Bold", 12)
        total = ngettext(
            "In all: %(count)d meeting, %(hours)s.", "In all: %(count)d meetings, %(hours)s.", len(record.meetings)
        ) % {"count": len(record.meetings), "hours": _hours_text(record.duration)}
        pdf.drawString(left, y, total)
        pdf.setFont("Helvetica", 10)
        pdf.drawString(left, 20 * mm, settings.SITE_NAME)
        pdf.showPage()
        pdf.save()
    return buffer.getvalue()


def certificate_filename(record: AttendanceRecord) -> str:
    with translation.override(record.registration.language):
        return f"{slugify(_('certificate of attendance'))}-{record.registration.event.slug}.pdf"


def certificate_attachment(record: AttendanceRecord) -> dict:
    content = certificate_pdf(record)
    assert b"\0" not in content  # the outbox keeps attachments in JSON (see the module's docstring)
    return {
        "filename": certificate_filename(record),
        "content": content.decode("latin-1"),
        "mimetype": "application/pdf",
    }
