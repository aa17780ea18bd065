from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()


@register.simple_tag
def absurl(view_name, *args, **kwargs):
    """An absolute URL for e-mails, in the language the e-mail is being rendered in."""
    return settings.SITE_URL.rstrip("/") + reverse(view_name, args=args, kwargs=kwargs)
