from django.urls import path
from django.utils.translation import gettext_lazy as _

from .views import attendee, documents, manage, public, questions, registrations, review, series

app_name = "events"

urlpatterns = [
    # Public pages
    path(_("events/"), public.event_list, name="event_list"),
    path(_("events/calendar.ics"), public.feed, name="feed"),
    path(_("events/organizers.json"), public.organizer_names, name="organizer_names"),
    path(_("events/<slug:slug>/"), public.event_detail, name="event_detail"),
    path(_("events/<slug:slug>/calendar.ics"), public.event_ics, name="event_ics"),
    # Attendees
    path(_("events/<slug:slug>/register/"), attendee.register, name="register"),
    path(_("registrations/<str:token>/"), attendee.registration_detail, name="registration"),
    path(_("registrations/<str:token>/confirm/"), attendee.confirm_email, name="confirm_email"),
    path(_("registrations/<str:token>/cancel/"), attendee.cancel, name="cancel"),
    path(_("registrations/<str:token>/sessions/"), attendee.change_sessions, name="change_sessions"),
    path(_("registrations/<str:token>/calendar.ics"), attendee.registration_ics, name="registration_ics"),
    path(_("registrations/<str:token>/documents/<int:pk>/"), documents.attendee_document, name="answer_document"),
    path(_("my-area/registrations/"), attendee.my_registrations, name="my_registrations"),
    path(_("registrations/<str:token>/certificate.pdf"), series.certificate, name="certificate"),
    # Coordination: events and their programme
    path(_("coordination/events/"), manage.event_list, name="manage_list"),
    path(_("coordination/events/new/"), manage.event_create, name="event_create"),
    path(_("coordination/events/organizers.json"), manage.organizer_search, name="organizer_search"),
    path(_("coordination/events/projects.json"), manage.project_search, name="project_search"),
    path(_("coordination/events/<slug:slug>/"), manage.event_edit, name="event_edit"),
    path(_("coordination/events/<slug:slug>/publish/"), manage.event_publish, name="event_publish"),
    path(_("coordination/events/<slug:slug>/duplicate/"), manage.event_duplicate, name="event_duplicate"),
    path(_("coordination/events/<slug:slug>/cancel/"), manage.event_cancel, name="event_cancel"),
    # Coordination: series of meetings and editions (events.views.series)
    path(_("coordination/events/<slug:slug>/new-edition/"), series.new_edition, name="new_edition"),
    path(_("coordination/events/<slug:slug>/meetings/check-in/"), series.meeting_check_in, name="meeting_check_in"),
    path(_("coordination/events/<slug:slug>/meetings/<int:pk>/cancel/"), series.meeting_cancel, name="meeting_cancel"),
    path(_("coordination/events/<slug:slug>/certificates/"), series.certificates_send, name="certificates_send"),
    # Coordination: registrations
    path(_("coordination/events/<slug:slug>/registrations/"), registrations.registration_list, name="registrations"),
    path(
        _("coordination/events/<slug:slug>/registrations.csv"),
        registrations.registrations_csv,
        name="registrations_csv",
    ),
    path(
        _("coordination/events/<slug:slug>/registrations/<int:pk>/"),
        registrations.registration_action,
        name="registration_action",
    ),
    path(
        _("coordination/events/<slug:slug>/registrations/<int:pk>/sessions/"),
        registrations.registration_sessions,
        name="registration_sessions",
    ),
    path(
        _("coordination/events/<slug:slug>/registrations/<int:pk>/documents/<int:answer_pk>/"),
        documents.organizer_document,
        name="registration_document",
    ),
    path(_("coordination/events/<slug:slug>/message/"), registrations.message, name="message"),
    # Coordination: registration questions and the review of requests (issue 9)
    path(_("coordination/events/<slug:slug>/questions/"), questions.questions, name="questions"),
    path(_("coordination/events/<slug:slug>/registrations/decide/"), review.decide, name="registrations_decide"),
    path(_("coordination/events/<slug:slug>/check-in/"), registrations.check_in, name="check_in"),
]
