#!/usr/bin/env python
import os
import sys


def main():
    # Without DJANGO_SETTINGS_MODULE: production wherever the environment holds the production secret
    # (a deployment that forgets the module must not run with DEBUG on), the local settings in a checkout
    # without one (makemigrations, makemessages, check work with no set-up). wsgi, asgi and Celery
    # always default to production; the demo (bin/run-demo) and the tests (pyproject.toml) name theirs.
    deployed = bool(os.environ.get("DJANGO_SECRET_KEY"))
    os.environ.setdefault(
        "DJANGO_SETTINGS_MODULE", "alliance.settings.production" if deployed else "alliance.settings.local"
    )
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
