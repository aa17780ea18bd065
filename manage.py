#!/usr/bin/env python
import os
import sys


def main():
    # Production unless told otherwise: a deployment that forgets DJANGO_SETTINGS_MODULE must not run with
    # DEBUG on. The demo (make demo, bin/run-demo) and the tests (pyproject.toml) name theirs.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings.production")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
