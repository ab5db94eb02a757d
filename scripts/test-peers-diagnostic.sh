#!/usr/bin/env bash
# Compare Maillage's diagnostic numerics with peer libraries (PySAL access, spopt).
# Idempotent: creates .venv-peers-diag on first use, then installs the pinned peers
# (requirements/peers-diagnostic.txt, which also pins numpy, scipy and pytest) and runs the
# tests marked `peers` in tests/peers/diagnostic. Extra arguments go to pytest.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv-peers-diag"
requirements="$root/requirements/peers-diagnostic.txt"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
# pip skips what is already installed at the pinned version, so reruns are quick.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"

cd "$root"
PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}" \
    "$venv/bin/python" -m pytest -p no:django -p no:cacheprovider \
    -W "ignore:Unknown config option:pytest.PytestConfigWarning" \
    -m peers tests/peers/diagnostic "$@"
