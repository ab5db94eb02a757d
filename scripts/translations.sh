#!/usr/bin/env bash
# Bring every catalog up to date with the code, fill the English ones (source strings are
# English), and compile. French entries that are new or changed are left for a translator:
# `make test` fails until they are translated (tests/test_translations.py).
# Usage: scripts/translations.sh          every catalog
#        scripts/translations.sh project  only the project catalog (locale/)
#        scripts/translations.sh APP      only maillage/APP's own catalog
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
if [ "${1:-}" = project ]; then
  ignores=()
  for app_locale in maillage/*/locale; do ignores+=("--ignore=${app_locale%/locale}/*"); done
  .venv/bin/python manage.py makemessages -l fr -l en --ignore='.venv*' --ignore='tests/*' \
    --ignore='bench/*' --ignore='analysis/*' --ignore='scripts/*' "${ignores[@]}" \
    --add-location=file
  catalogs=(locale)
elif [ -n "${1:-}" ]; then
  [ -d "maillage/$1/locale" ] || { echo "maillage/$1 has no locale/ folder" >&2; exit 2; }
  (cd "maillage/$1" && DJANGO_SETTINGS_MODULE=maillage.settings.dev PYTHONPATH="$root" \
    "$root/.venv/bin/django-admin" makemessages -l fr -l en --add-location=file)
  # makemessages ran inside the app: write its locations from the repository root, as the
  # whole-project run does, so that both runs give the same catalog (no churn in diffs).
  for po in "maillage/$1"/locale/*/LC_MESSAGES/django.po; do
    .venv/bin/python scripts/po_locations_from_root.py "$po" "maillage/$1/"
    msgcat --width=79 -o "$po" "$po"
  done
  catalogs=("maillage/$1/locale")
else
  .venv/bin/python manage.py makemessages -l fr -l en --ignore='.venv*' --ignore='tests/*' \
    --ignore='bench/*' --ignore='analysis/*' --ignore='scripts/*' --add-location=file
  catalogs=(locale maillage/*/locale)
fi
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
for catalog in "${catalogs[@]}"; do
  # English is regenerated from the French catalog's msgids: every entry equals its source.
  fr="$catalog/fr/LC_MESSAGES/django.po" en="$catalog/en/LC_MESSAGES/django.po"
  [ -f "$fr" ] || continue
  msgfilter --keep-header -i "$fr" -o "$tmp" sed -e d
  msgen "$tmp" -o "$en"
  msgattrib --clear-fuzzy --no-obsolete "$en" -o "$en"
  sed -i 's/^"Language: fr\\n"/"Language: en\\n"/; s/^"Language-Team: French\\n"/"Language-Team: English\\n"/' "$en"
  sed -i 's/^"Plural-Forms: .*"$/"Plural-Forms: nplurals=2; plural=(n != 1);\\n"/' "$en"
done
for catalog in "${catalogs[@]}"; do
  for language in fr en; do
    po="$catalog/$language/LC_MESSAGES/django.po"
    [ -f "$po" ] && msgfmt --check -o "${po%.po}.mo" "$po"
  done
done
for catalog in "${catalogs[@]}"; do
  po="$catalog/fr/LC_MESSAGES/django.po"
  [ -f "$po" ] || continue
  todo="$(msgattrib --untranslated --no-obsolete "$po" | grep -c '^msgid ' || true)"
  fuzzy="$(msgattrib --only-fuzzy --no-obsolete "$po" | grep -c '^msgid ' || true)"
  # The header counts as one untranslated entry when it is the only thing msgattrib prints.
  echo "$po: $(( todo > 0 ? todo - 1 : 0 )) untranslated, $(( fuzzy > 0 ? fuzzy - 1 : 0 )) fuzzy"
done
