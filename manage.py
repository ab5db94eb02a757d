#!/usr/bin/env python
"""Django's command line. The settings come from the environment file that the server and the
scheduled jobs read too (maillage/settings/env.py); without one, the development settings."""

import sys

if __name__ == "__main__":
    from maillage.settings.env import load_file

    load_file(default_settings="maillage.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
