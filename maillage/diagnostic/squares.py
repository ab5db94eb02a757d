"""Writes of the population squares: their import from a CSV (INSEE's gridded population,
Eurostat GEOSTAT, or a plain file) and their deletion.

Like the other imports (`services`), the import is atomic: every line is checked first, the
errors name the line and the column, and one bad line means nothing is written. Lines whose
communes are all outside the territory are skipped and counted, not errors: extracts of a
grid are rectangles, so they hold squares of the neighbouring communes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils.translation import gettext as _

from analysis.grid import CellIdError, cell_centres
from maillage.core.actors import Actor, user_of
from maillage.core.uploads import RowReport
from maillage.diagnostic.models import PopulationGrid, PopulationSquare
from maillage.diagnostic.services import (
    ImportRejected,
    _check_manager,
    _lines,
    _number,
)
from maillage.territories.models import Area, Territory

# A département at 200 m has tens of thousands of inhabited squares (France: about 2
# million): the row limit of every upload (settings.UPLOAD_LIMITS, 200,000) leaves room for
# the largest. INSEE's file has some 35 columns (about 230 bytes a square); with only the
# three read here, about 50 bytes a square.
#: Squares larger than this (metres) are no population grid; identifiers longer than this do
#: not fit the database (INSEE's are 30 characters).
MAX_SQUARE_SIZE_M = 10_000
MAX_ID_LENGTH = 60
#: Errors listed at most in a report (a file in the wrong format would list every line).
MAX_REPORTED_ERRORS = 100
BATCH_SIZE = 5000

#: Accepted column names, in order of preference: the plain form first, then INSEE's.
ID_COLUMNS = ("square_id", "idcar_200m", "idcar_1km")
POPULATION_COLUMNS = ("population", "ind")
AREA_COLUMNS = ("area_code", "lcog_geo")
_CODE = re.compile(r"^[0-9A-Z_]{2,20}$")
_COMMUNE_CODES = re.compile(r"^(?:[0-9A-Z]{5})+$")


@dataclass(frozen=True)
class SquaresImported:
    squares: int  # stored
    skipped_outside: int  # lines whose communes are all outside the territory


def _columns(header: list[str]) -> tuple[str, str, str]:
    """The columns of the identifier, the population and the commune code; a wrong first
    line is reported on line 1."""
    ids = [c for c in ID_COLUMNS if c in header] or [c for c in header if c.startswith("idcar_")]
    population = [c for c in POPULATION_COLUMNS if c in header]
    area = [c for c in AREA_COLUMNS if c in header]
    errors = []
    if not ids:
        errors.append(
            RowReport(
                1,
                "square_id",
                _(
                    "The first line needs a column of square identifiers: “square_id”, or "
                    "INSEE's “Idcar_200m” or “Idcar_1km”."
                ),
            )
        )
    if not population:
        errors.append(
            RowReport(
                1,
                "population",
                _("The first line needs a column of population: “population”, or INSEE's “Ind”."),
            )
        )
    if not area:
        errors.append(
            RowReport(
                1,
                "area_code",
                _(
                    "The first line needs a column of commune codes: “area_code”, or INSEE's "
                    "“lcog_geo”."
                ),
            )
        )
    if errors:
        raise ImportRejected(errors)
    return ids[0], population[0], area[0]


def _area_of(text: str, column: str, areas: dict[str, int]) -> tuple[int | None, bool]:
    """The territory's area named by a cell, and whether the cell is a valid code. INSEE's
    `lcog_geo` concatenates the 5-character codes of the communes a square straddles: the
    first that belongs to the territory is taken."""
    code = text.upper()
    if code in areas:
        return areas[code], True
    if column == "lcog_geo":
        if not _COMMUNE_CODES.match(code):
            return None, False
        found = (areas.get(code[i : i + 5]) for i in range(0, len(code), 5))
        return next((pk for pk in found if pk is not None), None), True
    return None, bool(_CODE.match(code))


@transaction.atomic
def population_squares_import(
    *, territory: Territory, by: Actor, data: bytes, source: str = ""
) -> SquaresImported:
    """Replace the territory's population squares by those of a CSV.

    Columns (case-insensitive, comma or semicolon): the square's INSPIRE identifier
    (`square_id`, or INSEE's `Idcar_200m`, `Idcar_1km`, another `Idcar_*`), the people
    counted in it (`population` or INSEE's `Ind`, a number >= 0) and its commune's official
    code (`area_code`, or INSEE's `lcog_geo`, which may concatenate several). Other columns
    are ignored. Centres come from `analysis.grid.cell_centres`. All or nothing."""
    _check_manager(by, territory)
    header, lines = _lines(data, _columns)
    id_column, population_column, area_column = _columns(header)
    at = {name: header.index(name) for name in (id_column, population_column, area_column)}
    areas = dict(Area.objects.filter(territory=territory).values_list("code", "pk"))
    errors: list[RowReport] = []
    skipped = read = 0
    seen: dict[str, int] = {}
    planned: list[tuple[int, str, int, float]] = []  # line, identifier, area, population

    def cell(cells: list[str], name: str) -> str:
        return cells[at[name]] if at[name] < len(cells) else ""

    for line, cells in lines:
        read += 1
        if len(errors) > MAX_REPORTED_ERRORS:
            continue  # the file is rejected anyway: count its lines, report no more
        code_text = cell(cells, area_column)
        if not code_text:
            errors.append(RowReport(line, area_column, _("The commune code is empty.")))
            continue
        area, valid = _area_of(code_text, area_column, areas)
        if not valid:
            errors.append(
                RowReport(
                    line,
                    area_column,
                    _("“%(code)s” is not a commune code (INSEE code, for example 33063).")
                    % {"code": code_text},
                )
            )
            continue
        if area is None:
            skipped += 1
            continue
        square = cell(cells, id_column)
        text = cell(cells, population_column)
        people = _number(text)
        if not square:
            errors.append(RowReport(line, id_column, _("The square identifier is empty.")))
        elif square.upper() in seen:
            errors.append(
                RowReport(
                    line,
                    id_column,
                    _("The square “%(id)s” is already on line %(line)s.")
                    % {"id": square, "line": seen[square.upper()]},
                )
            )
        else:
            seen[square.upper()] = line
        if not text:
            errors.append(RowReport(line, population_column, _("The population is empty.")))
        elif people is None:
            errors.append(
                RowReport(
                    line,
                    population_column,
                    _("“%(value)s” is not a number (write 12.5 or 12,5).") % {"value": text},
                )
            )
        elif people < 0:
            errors.append(
                RowReport(
                    line,
                    population_column,
                    _("“%(value)s” is negative: a population is 0 or more.") % {"value": text},
                )
            )
        if square and people is not None and people >= 0:
            planned.append((line, square, area, people))
    if not read:
        raise ImportRejected([RowReport(2, "", _("The file has no data line."))])
    lat, lon, size = _centres(planned, id_column, errors)
    if not errors and not planned:
        errors.append(
            RowReport(
                0,
                "",
                _(
                    "No square of the file is in the territory: the commune codes of its "
                    "%(count)s lines are all outside it. Check the extract, or the column of "
                    "commune codes."
                )
                % {"count": skipped},
            )
        )
    if errors:
        raise ImportRejected(_capped(errors))
    PopulationGrid.objects.filter(territory=territory).delete()
    grid = PopulationGrid(
        territory=territory,
        source=source.strip()[:300],
        skipped_outside=skipped,
        uploaded_by=user_of(by),
    )
    grid.full_clean()
    grid.save()
    PopulationSquare.objects.bulk_create(
        (
            PopulationSquare(
                grid=grid,
                code=square,
                area_id=area,
                latitude=float(lat[k]),
                longitude=float(lon[k]),
                size_m=int(size[k]),
                population=people,
            )
            for k, (_line, square, area, people) in enumerate(planned)
        ),
        batch_size=BATCH_SIZE,
    )
    return SquaresImported(squares=len(planned), skipped_outside=skipped)


def _centres(
    planned: list[tuple[int, str, int, float]], column: str, errors: list[RowReport]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centres and sides of the planned squares; a bad identifier, or a square of another
    size than the first one (mixing sizes would count people twice), is added to `errors`."""
    ids = [square for _line, square, _area, _people in planned]
    lat, lon, size = np.zeros(len(ids)), np.zeros(len(ids)), np.zeros(len(ids))
    start = 0
    while start < len(ids) and len(errors) <= MAX_REPORTED_ERRORS:
        try:
            lat[start:], lon[start:], size[start:] = cell_centres(ids[start:])
            break
        except CellIdError as error:
            bad = start + error.position
            if bad > start:  # the identifiers before the bad one are good
                lat[start:bad], lon[start:bad], size[start:bad] = cell_centres(ids[start:bad])
            errors.append(_not_a_square(planned[bad][0], column, error.value))
            size[bad] = np.nan
            start = bad + 1
    # Identifiers of the right form may still be no population square: too long to store,
    # too large a square, or a corner so far away that it has no latitude.
    for k in np.flatnonzero(
        (size > MAX_SQUARE_SIZE_M)
        | ~np.isfinite(lat)
        | ~np.isfinite(lon)
        | np.array([len(square) > MAX_ID_LENGTH for square in ids], dtype=bool)
    ):
        if not np.isnan(size[k]):  # NaN: already reported
            errors.append(_not_a_square(planned[k][0], column, ids[k]))
        size[k] = np.nan
    valid = np.flatnonzero(size > 0)
    if len(valid):
        first = valid[0]
        for k in valid[size[valid] != size[first]]:
            errors.append(
                RowReport(
                    planned[k][0],
                    column,
                    _(
                        "This square is %(size)s m wide, the one on line %(first)s %(first_size)s "
                        "m: import squares of one size only (mixing them counts people twice)."
                    )
                    % {
                        "size": int(size[k]),
                        "first": planned[first][0],
                        "first_size": int(size[first]),
                    },
                )
            )
    return lat, lon, size


def _not_a_square(line: int, column: str, square: str) -> RowReport:
    return RowReport(
        line,
        column,
        _(
            "“%(id)s” is not a square of the European grid: write it as INSEE does "
            "(CRS3035RES200mN2473200E3486000) or as GEOSTAT does (1kmN2473E3486)."
        )
        % {"id": square},
    )


def _capped(errors: list[RowReport]) -> list[RowReport]:
    """The errors in the order of the file, at most `MAX_REPORTED_ERRORS` of them (the
    checks stop after that many)."""
    errors = sorted(errors, key=lambda e: e.row)
    if len(errors) <= MAX_REPORTED_ERRORS:
        return errors
    return [
        *errors[:MAX_REPORTED_ERRORS],
        RowReport(
            0,
            "",
            _("Only the first %(count)s errors are listed: correct them, then send the file again.")
            % {"count": MAX_REPORTED_ERRORS},
        ),
    ]


@transaction.atomic
def population_squares_clear(*, territory: Territory, by: Actor) -> None:
    """Delete the territory's population squares: runs use the communes' centres again."""
    _check_manager(by, territory)
    PopulationGrid.objects.filter(territory=territory).delete()
