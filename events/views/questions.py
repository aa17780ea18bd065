"""The questions an event asks at registration (issue 9), edited apart from the event editor.

Same gate as every coordination page of an event (`managers_only`): to anyone who may not run the event,
the page does not exist.
"""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..forms.questions import QuestionFormSet, initial_rows
from ..services.questions import QuestionError, save_questions
from .manage import managers_only


@managers_only
@require_http_methods(["GET", "HEAD", "POST"])
def questions(request, event):
    current = list(event.questions.annotate(answer_count=Count("answers")).order_by("position", "pk"))
    formset = QuestionFormSet(
        request.POST if request.method == "POST" else None, initial=initial_rows(current), prefix="questions"
    )
    needs_confirmation = []
    if request.method == "POST" and formset.is_valid():
        try:
            result = save_questions(
                event=event,
                actor=request.user,
                questions=formset.questions(),
                confirm_removal=request.POST.get("confirm_removal") == "1",
            )
        except QuestionError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if not result.needs_confirmation:
                messages.success(request, _("The questions are saved."))
                return redirect("events:questions", slug=event.slug)
            needs_confirmation = result.needs_confirmation
            messages.warning(
                request,
                _(
                    "Nothing was saved yet: some questions you removed already have answers. "
                    "Confirm below to delete them with their answers."
                ),
            )
    elif request.method == "POST":
        messages.error(request, _("Nothing was saved: please correct the errors marked below."))
    return render(
        request,
        "events/manage/questions.html",
        {
            "event": event,
            "formset": formset,
            "needs_confirmation": needs_confirmation,
            "answered": {q.pk for q in current if q.answer_count},
        },
    )
