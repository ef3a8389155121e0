#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raqmana.settings")
    if sys.argv[1:2] == ["demo_totp"] and not os.environ.get("SECRET_KEY"):
        # No SECRET_KEY: no deployment (settings refuse one without it), so the development defaults apply.
        # The command's docstring says why this cannot print a real account's code.
        os.environ.setdefault("RAQMANA_DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
