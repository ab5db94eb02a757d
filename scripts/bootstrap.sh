#!/usr/bin/env bash
# Create .venv and install the pinned requirements (base or dev). Idempotent and quick when
# nothing changed: a stamp file remembers the hash of the requirements installed.
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-base}"
python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=".venv/.installed-$profile"
hash="$(find requirements -name '*.txt' ! -name 'peers-*' | sort | xargs cat | sha256sum | cut -d" " -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$hash" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "requirements/$profile.txt"
  echo "$hash" > "$stamp"
fi
