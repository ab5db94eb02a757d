"""Rows of the standard written before v1.0, upgraded to v1.0.2 before the usual validation.

Files of the "schéma des lieux de médiation numérique" written before v1.0.0 (for example the
Hinaura extract in tests/interop/data/hinaura/) use another wording for `services` and
`modalites_accompagnement`, separate values with `;` instead of `|`, and have old columns
(`publics_accueillis`, `conditions_acces`, `courriel`). `upgrade` rewrites such a row as a
v1.0.2 row that `standard.record_from_row` then checks like any other.

The correspondence below is **Maillage's**, decided value by value (no official table of the
old vocabulary to v1.0 was available); docs/interop.md gives it with the reason of each debatable
line. Old values are matched on the words before their first colon (the old files wrote
"Payant : L'accès au lieu … est payant"), ignoring case and the kind of apostrophe.

Nothing is dropped silently: an old value without an equivalent in v1.0.2 is left out of the
place and reported as a note (not a rejection); a value that is neither v1.0.2 nor in the table
below stays in the row, so the standard's validation rejects it as usual.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maillage.core.uploads import WARNING, RowReport
from maillage.directory import vocabularies as voc
from maillage.interop import standard
from maillage.interop.records import standard_from_keys
from maillage.interop.standard import VERSION

#: Columns that only files written before v1.0 have.
OLD_COLUMNS = ("publics_accueillis", "conditions_acces", "courriel")

# v1.0.2 column → its vocabulary, for the columns an old value may land in.
_VOCABULARIES = {
    "services": voc.SERVICES,
    "modalites_accompagnement": voc.SUPPORT_FORMATS,
    "publics_specifiquement_adresses": voc.PUBLICS,
    "prise_en_charge_specifique": voc.SPECIFIC_SUPPORT,
    "frais_a_charge": voc.FEES,
}
# Multi-valued v1.0.2 columns whose values an old file separates with `;`.
_LISTS = (*_VOCABULARIES, "courriels", "site_web")

# Why a value has no equivalent: shown in the note of each row that has it.
_EVERYBODY = gettext_lazy(
    "v1.0.2 names only specific publics; a place for all adults is a place for everybody."
)
_ON_MY_BEHALF = gettext_lazy(
    "v1.0.2 has no support mode where an authorised person does the procedures for someone "
    "(Aidants Connect is a national programme, which this value does not prove)."
)
_PASS = gettext_lazy("v1.0.2 has no field for the Pass numérique vouchers a place accepts.")


@dataclass(frozen=True)
class Old:
    """One old value: where it goes in v1.0.2 (column and key), or why it has no equivalent."""

    value: str  # as written in the old files (the words before the colon are matched)
    column: str = ""  # v1.0.2 column
    key: str = ""  # v1.0.2 key; empty when there is no equivalent
    without_equivalent: object = None  # the reason (lazy text) when there is no equivalent


#: Old column → its old values. `services` and `modalites_accompagnement` kept their name.
TABLE: dict[str, tuple[Old, ...]] = {
    "services": (
        Old("Accéder à du matériel", "services", "AccesInternetEtMaterielInformatique"),
        Old("Accéder à une connexion internet", "services", "AccesInternetEtMaterielInformatique"),
        Old("Prendre en main un ordinateur", "services", "MaitriseDesOutilsNumeriquesDuQuotidien"),
        Old(
            "Prendre en main un smartphone ou une tablette",
            "services",
            "MaitriseDesOutilsNumeriquesDuQuotidien",
        ),
        Old(
            "Utiliser le numérique au quotidien",
            "services",
            "MaitriseDesOutilsNumeriquesDuQuotidien",
        ),
        Old(
            "Réaliser des démarches administratives avec un accompagnement",
            "services",
            "AideAuxDemarchesAdministratives",
        ),
        Old(
            "Accompagner les démarches de santé",
            "services",
            "AideAuxDemarchesAdministratives",
        ),
        Old(
            "Devenir autonome dans les démarches administratives",
            "services",
            "AideAuxDemarchesAdministratives",
        ),
        Old("Approfondir ma culture numérique", "services", "ComprehensionDuMondeNumerique"),
        Old("Promouvoir la citoyenneté numérique", "services", "ComprehensionDuMondeNumerique"),
    ),
    "modalites_accompagnement": (
        Old(
            "Seul : j'ai accès à du matériel et une connexion",
            "modalites_accompagnement",
            "EnAutonomie",
        ),
        Old(
            "Avec de l'aide : je suis accompagné seul dans l'usage du numérique",
            "modalites_accompagnement",
            "AccompagnementIndividuel",
        ),
        Old(
            "Dans un atelier : j'apprends collectivement à utiliser le numérique",
            "modalites_accompagnement",
            "DansUnAtelier",
        ),
        Old(
            "A ma place : une personne habilitée fait les démarches à ma place",
            without_equivalent=_ON_MY_BEHALF,
        ),
    ),
    "publics_accueillis": (
        Old("Adultes", without_equivalent=_EVERYBODY),
        Old("Seniors (+ 65 ans)", "publics_specifiquement_adresses", "Seniors"),
        Old("Jeunes (16-26 ans)", "publics_specifiquement_adresses", "Jeunes"),
        Old("Familles/enfants", "publics_specifiquement_adresses", "FamillesEnfants"),
        Old("Surdité", "prise_en_charge_specifique", "Surdite"),
        Old("Déficience visuelle", "prise_en_charge_specifique", "DeficienceVisuelle"),
        Old(
            "Handicaps mentaux : déficiences limitant les activités d'une personne",
            "prise_en_charge_specifique",
            "HandicapsMentaux",
        ),
        Old("Personnes en situation d'illettrisme", "prise_en_charge_specifique", "Illettrisme"),
        Old("Public langues étrangères", "prise_en_charge_specifique", "LanguesEtrangeresAutre"),
    ),
    "conditions_acces": (
        Old(
            "Gratuit : Je peux accéder gratuitement au lieu et à ses services",
            "frais_a_charge",
            "Gratuit",
        ),
        Old(
            "Gratuit sous condition : La gratuité est conditionnée à des critères (situation "
            "familiale, convention avec un organisme social...)",
            "frais_a_charge",
            "GratuitSousCondition",
        ),
        Old("Payant : L'accès au lieu et/ou à ses services est payant", "frais_a_charge", "Payant"),
        Old(
            "Adhésion : L'accès au lieu et/ou à ses services nécessite d'y adhérer",
            "frais_a_charge",
            "Payant",
        ),
        Old(
            "Accepte le Pass numérique : Il est possible d'utiliser un Pass numérique pour "
            "accéder au lieu",
            without_equivalent=_PASS,
        ),
    ),
}


def _head(value: str) -> str:
    """The words before the first colon, folded: how old values are matched."""
    return value.split(":", 1)[0].strip().replace("\u2019", "'").casefold()


_BY_HEAD: dict[str, dict[str, Old]] = {
    column: {_head(old.value): old for old in olds} for column, olds in TABLE.items()
}


def _split(value: str) -> list[str]:
    """Values of a list cell: old files separate them with `;`, v1.0 with `|`."""
    return standard.split_values(value.replace(";", "|"))


def _cell(row: dict, name: str) -> str:
    value = row.get(name)
    return "" if value is None else str(value).strip()


def is_pre_1_0(row: dict) -> bool:
    """A row written before v1.0: an old column holds something, or `services` or
    `modalites_accompagnement` holds an old value."""
    if any(_cell(row, name) for name in OLD_COLUMNS):
        return True
    return any(
        _head(item) in _BY_HEAD[column]
        for column in ("services", "modalites_accompagnement")
        for item in _split(_cell(row, column))
    )


@dataclass
class Upgrade:
    """A pre-1.0 row rewritten as v1.0.2, with what could not be carried over."""

    row: dict[str, str]
    notes: list[RowReport] = field(default_factory=list)
    issues: list[RowReport] = field(default_factory=list)


def upgrade(row: dict, number: int) -> Upgrade | None:
    """The v1.0.2 form of a pre-1.0 row (`number` as in the reports), or None when the row is
    not recognisably pre-1.0 (it is then read exactly as before)."""
    if not is_pre_1_0(row):
        return None
    new = {k: ("" if v is None else str(v).strip()) for k, v in row.items()}
    for name in OLD_COLUMNS:
        new.pop(name, None)
    result = Upgrade(new)
    # v1.0.2 column → values in the order met: v1.0 keys, or raw items left for validation.
    values: dict[str, list[str]] = {c: [] for c in _LISTS}
    for column in _LISTS:
        if column not in TABLE:
            values[column] = _split(new.get(column, ""))
    for column in (
        "services",
        "modalites_accompagnement",
        "publics_accueillis",
        "conditions_acces",
    ):
        for item in _split(_cell(row, column)):
            old = _BY_HEAD[column].get(_head(item))
            if old is None:
                if column in _VOCABULARIES:  # v1.0 wording, or unknown: validation decides
                    values[column].append(item)
                else:
                    result.issues.append(
                        RowReport(
                            row=number,
                            column=column,
                            value=item,
                            message=_("Unknown pre-1.0 value; Maillage knows: %(values)s.")
                            % {"values": "; ".join(o.value for o in TABLE[column])},
                        )
                    )
            elif old.key:
                values[old.column].append(_wording(old.column, old.key))
            else:
                result.notes.append(
                    RowReport(
                        row=number,
                        column=column,
                        value=item,
                        message=_(
                            "Pre-1.0 value without an equivalent in v%(version)s, left out: %(why)s"
                        )
                        % {"version": VERSION, "why": old.without_equivalent},
                        severity=WARNING,
                    )
                )
    values["courriels"] += _split(_cell(row, "courriel"))
    for column, items in values.items():
        unique = list(dict.fromkeys(items))
        if unique or column in new:
            new[column] = "|".join(unique)
    return result


def _wording(column: str, key: str) -> str:
    return standard_from_keys(_VOCABULARIES[column], [key])[0]
