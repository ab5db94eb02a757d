"""Rewrite the `#:` locations of a catalog made inside an app so that they start at the
repository root (`apps.py` → `maillage/<app>/apps.py`), as a whole-project makemessages writes
them. Used by scripts/translations.sh. Usage: po_locations_from_root.py CATALOG.po PREFIX/"""

import sys


def main(path: str, prefix: str) -> None:
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
    for i, line in enumerate(lines):
        if line.startswith("#: "):
            files = [n if n.startswith("maillage/") else prefix + n for n in line[3:].split()]
            lines[i] = "#: " + " ".join(files) + "\n"
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(lines)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
