#!/usr/bin/env bash
# Compare the observatory's weighting and estimation with peer libraries (svy, samplics,
# balance). The peers conflict with each other and with the main environment (balance needs
# numpy < 2 on Python 3.11), so each set lives in its own venv, created here when missing.
# Usage: scripts/test-peers-observatory.sh [extra pytest arguments]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"

ensure_venv() {  # ensure_venv DIR REQUIREMENTS
    local venv="$1" requirements="$2"
    if [ ! -x "$venv/bin/python" ]; then
        "$python" -m venv "$venv"
    fi
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
}

ensure_venv .venv-peers-obs requirements/peers-observatory.txt
ensure_venv .venv-peers-balance requirements/peers-balance.txt

# The peer venvs have no pytest-django, so pyproject's DJANGO_SETTINGS_MODULE is an unknown
# option there; its config warning would otherwise become an error (filterwarnings = error).
pytest_args=(-p no:django -W "ignore::pytest.PytestConfigWarning" -m peers)
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}"

.venv-peers-obs/bin/python -m pytest "${pytest_args[@]}" \
    tests/peers/observatory --ignore=tests/peers/observatory/test_balance.py "$@"
.venv-peers-balance/bin/python -m pytest "${pytest_args[@]}" \
    tests/peers/observatory/test_balance.py "$@"
