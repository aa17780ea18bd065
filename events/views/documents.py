"""The documents attached to answers (issue 9): personal papers, kept in the private storage and sent only to
the event's organizers and to whoever holds the registration's link, as attachments kept by no cache."""

from django.http import Http404
from django.views.decorators.http import require_safe

from alliance.media import private_file_response

from ..models import RegistrationAnswer
from .attendee import _registration_or_404
from .manage import managers_only


def _document(answers, pk):
    answer = answers.filter(pk=pk).exclude(file="").first()
    if answer is None or not answer.file.storage.exists(answer.file.name):
        raise Http404
    return private_file_response(answer.file, f"document-{answer.pk}.pdf")


@managers_only
@require_safe
def organizer_document(request, event, pk, answer_pk):
    """For those who may run the event (others get 404, as for every coordination page of it)."""
    return _document(RegistrationAnswer.objects.filter(registration__event=event, registration_id=pk), answer_pk)


@require_safe
def attendee_document(request, token, pk):
    """For whoever holds the registration's link: the person's own document."""
    registration = _registration_or_404(token)
    return _document(registration.answers.all(), pk)
