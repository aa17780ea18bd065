"""Words of Django and django-allauth that the portal rewrites in its own catalogues
(LOCALE_PATHS come first): allauth's Italian "Cambia la tua Password" and its English
Title Case ("Sign In", "Change Password") read wrong next to the portal's sentence case,
and Django's formset box "Delete" is "Cancella" where the portal says "Elimina".
Listed here only so that ``makemessages`` keeps them; nothing imports this module.
"""

from django.utils.translation import gettext_lazy as _

WORDS = (
    _("Change Password"),
    _("Sign In"),
    _("Sign Up"),
    _("Sign Out"),
    _("Forgot Password?"),
    _("Set Password"),
    _("Password Set"),
    _("Password Reset"),
    _("Current Password"),
    _("New Password"),
    _("New Password (again)"),
    _("Email Addresses"),
    _("Delete"),
    _("Remember Me"),
    _("Reset My Password"),
)
