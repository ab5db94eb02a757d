#!/usr/bin/env bash
# Bring every catalog up to date with the code, fill the English ones (source strings are
# English), and compile. French entries that are new or changed are left for a translator:
# `make test` fails until they are translated (tests/test_translations.py).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python manage.py makemessages -l fr -l en --ignore='.venv*' --ignore='tests/*' \
  --ignore='bench/*' --ignore='analysis/*' --ignore='scripts/*' --add-location=file
for po in locale/en/LC_MESSAGES/django.po maillage/*/locale/en/LC_MESSAGES/django.po; do
  [ -f "$po" ] || continue
  msgattrib --clear-fuzzy --empty "$po" -o "$po"
  msgen "$po" -o "$po"
  sed -i 's/^"Language: \\n"/"Language: en\\n"/' "$po"
done
.venv/bin/python manage.py compilemessages --ignore='.venv*'
for po in locale/fr/LC_MESSAGES/django.po maillage/*/locale/fr/LC_MESSAGES/django.po; do
  [ -f "$po" ] || continue
  todo="$(msgattrib --untranslated --no-obsolete "$po" | grep -c '^msgid ' || true)"
  fuzzy="$(msgattrib --only-fuzzy --no-obsolete "$po" | grep -c '^msgid ' || true)"
  # The header counts as one untranslated entry when it is the only thing msgattrib prints.
  echo "$po: $(( todo > 0 ? todo - 1 : 0 )) untranslated, $(( fuzzy > 0 ? fuzzy - 1 : 0 )) fuzzy"
done
