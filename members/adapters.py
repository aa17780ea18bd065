from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from alliance.emails import render_html_from_text, store_email

from .models import EMAIL_MAX_LENGTH  # allauth's forms accept up to 320 characters


def recipient_language(email: str) -> str:
    """The language a person reads their e-mail in: theirs if they have an account."""
    language = get_user_model().objects.filter(email__iexact=email).values_list("preferred_language", flat=True).first()
    return language or translation.get_language() or "it"


class AccountAdapter(DefaultAccountAdapter):
    """allauth's e-mails leave through the portal's outbox, in the recipient's language."""

    def clean_email(self, email: str) -> str:
        # Signing up, adding an address, resetting a password: a longer address would not fit the
        # column (a 500, or an account under a cut address), so it is a form error instead.
        if len(email) > EMAIL_MAX_LENGTH:
            raise ValidationError(
                _("An e-mail address has at most %(max)d characters.") % {"max": EMAIL_MAX_LENGTH},
                code="max_length",
            )
        return super().clean_email(email)

    def send_confirmation_mail(self, request, emailconfirmation, signup):
        # The confirmation link is built here, so it must carry the recipient's language too.
        with translation.override(recipient_language(emailconfirmation.email_address.email)):
            super().send_confirmation_mail(request, emailconfirmation, signup)

    def send_mail(self, template_prefix, email, context):
        language = recipient_language(email)
        with translation.override(language):
            request = allauth_context.request
            ctx = {
                "request": request,
                "email": email,
                "current_site": get_current_site(request),
                "site_name": settings.SITE_NAME,
            }
            ctx.update(context)
            message = self.render_mail(template_prefix, email, ctx)
        if getattr(message, "content_subtype", "plain") == "html":
            text, html = "", message.body
        else:
            text = message.body
            html = next(
                (body for body, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), ""
            )
        if not html:
            html = render_html_from_text(subject=message.subject, text=text, language=language)
        store_email(
            to=email,
            template=template_prefix,
            language=language,
            subject=message.subject,
            body_text=text,
            body_html=html,
        )
