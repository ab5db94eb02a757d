"""Bordeaux Métropole's governance and roadmap, as its texts describe them.

Real (from the roadmap "France Numérique Ensemble 2024-2027" as summarised in the issue, in
DESIGN.md §1 and in data/bordeaux-roadmap/structures-named-in-roadmap.csv): the four bodies,
their frequency, chair and composition; the roadmap's actions and their content; the national
targets; ALADDIN's target; the inventory's published figures (490 actions, 53.5 % carried by
communes, 30.2 % by associations).

Invented and marked `is_example`: meetings (dates, places, agendas, decisions, attendance), the
roles of partners in the actions, funding amounts, risks, activities and participant counts,
values of the indicators entered by hand, and the inventory entries' classification.

Boulogne-sur-Mer's URBACT action plan is not loaded: its text is not available to the project.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from maillage.core.actors import SystemActor
from maillage.directory.models import Organisation
from maillage.roadmap import services
from maillage.roadmap.models import (
    Action,
    ActionPartner,
    ActionPlan,
    Activity,
    Attendance,
    Body,
    BodyMember,
    FundingLine,
    IndicatorDefinition,
    InventoryEntry,
    Risk,
)
from maillage.territories.models import Territory

DEMO_LOADER = SystemActor("demo loader")

ROADMAP = "Feuille de route France Numérique Ensemble 2024-2027"
SOURCE = "Feuille de route « France Numérique Ensemble 2024-2027 » de Bordeaux Métropole."
EXAMPLE = "Donnée d'exemple inventée pour la démonstration."
STRATEGIC = "Comité stratégique"


def _org(territory: Territory, name: str) -> Organisation:
    return Organisation.objects.get(territory=territory, name=name)


def _with_programme(territory: Territory, programme: str, field: str) -> list[Organisation]:
    # JSON containment is not portable to SQLite: filter in Python (a few dozen rows).
    return [
        o
        for o in Organisation.objects.filter(territory=territory).order_by("name")
        if programme in getattr(o, field)
    ]


def _bodies(territory: Territory) -> dict[str, Body]:
    metropole = _org(territory, "Bordeaux Métropole")
    specs = [
        (STRATEGIC, Body.Level.STRATEGIC, 1, "Président de Bordeaux Métropole", metropole,
         "Oriente la feuille de route et en examine l'avancement chaque année."),
        ("Groupe des partenaires institutionnels", Body.Level.OPERATIONAL, 2, "", None, ""),
        ("Groupe Numérique Inclusif", Body.Level.NETWORK, 3, "", None,
         "Réseau d'environ 160 structures de terrain."),
        ("Comité des communes", Body.Level.OPERATIONAL, 1, "", None, ""),
    ]  # fmt: skip
    bodies = {}
    for name, level, per_year, chair, chair_org, purpose in specs:
        body = Body.objects.filter(territory=territory, name=name).first()
        if body is None:
            body = services.body_create(
                territory=territory,
                name=name,
                level=level,
                meetings_per_year=per_year,
                chair=chair,
                chair_organisation=chair_org,
                purpose=purpose,
                source_note=SOURCE,
                by=DEMO_LOADER,
            )
        bodies[name] = body
    committee = bodies[STRATEGIC]
    if not committee.members.exists():
        services.body_member_add(
            body=committee, organisation=metropole, role=BodyMember.Role.CHAIR,
            college="Bordeaux Métropole", source_note=SOURCE, by=DEMO_LOADER
        )  # fmt: skip
        for name, college, seats in (
            ("L'État", "État", 1),
            ("Les maires des 28 communes", "Communes", 28),
            ("Le groupe des partenaires institutionnels", "Partenaires institutionnels", 1),
            ("Représentants des structures de l'action sociale", "Structures de terrain", 5),
            ("Représentants des structures de médiation numérique", "Structures de terrain", 5),
        ):
            services.body_member_add(
                body=committee,
                name=name,
                college=college,
                seats=seats,
                source_note=SOURCE,
                by=DEMO_LOADER,
            )
    network = bodies["Groupe Numérique Inclusif"]
    if not network.members.exists():
        services.body_member_add(
            body=network, name="Structures de terrain du réseau (environ 160)",
            college="Structures de terrain", seats=160, source_note=SOURCE, by=DEMO_LOADER
        )  # fmt: skip
    communes = bodies["Comité des communes"]
    if not communes.members.exists():
        services.body_member_add(
            body=communes, name="Les 28 communes de Bordeaux Métropole", college="Communes",
            seats=28, source_note=SOURCE, by=DEMO_LOADER
        )  # fmt: skip
    return bodies


def _example_meetings(bodies: dict[str, Body]) -> None:
    dates = {
        STRATEGIC: [dt.date(2025, 6, 19)],
        "Groupe des partenaires institutionnels": [dt.date(2025, 3, 13), dt.date(2025, 10, 9)],
        "Groupe Numérique Inclusif": [
            dt.date(2025, 2, 6), dt.date(2025, 5, 22), dt.date(2025, 11, 20)
        ],
        "Comité des communes": [dt.date(2025, 4, 3)],
    }  # fmt: skip
    for name, days in dates.items():
        body = bodies[name]
        if body.meetings.exists():
            continue
        for day in days:
            meeting = services.meeting_create(
                body=body,
                date=day,
                place="Hôtel de Bordeaux Métropole (exemple)",
                agenda="1. Avancement de la feuille de route\n2. Indicateurs\n3. Questions diverses",
                is_example=True,
                source_note=EXAMPLE,
                by=DEMO_LOADER,
            )
            if name == STRATEGIC:
                services.attendance_record(
                    meeting=meeting,
                    statuses={
                        m.pk: Attendance.Status.PRESENT if i % 4 else Attendance.Status.EXCUSED
                        for i, m in enumerate(body.members.all())
                    },
                    by=DEMO_LOADER,
                )
                meeting.minutes = "Compte rendu d'exemple : avancement présenté, priorités 2026."
                meeting.save(update_fields=["minutes"])
                decision = services.decision_add(
                    meeting=meeting,
                    text="Valider le rapport annuel et lancer la mise à jour du guide des "
                    "lieux ressources (exemple).",
                    is_example=True,
                    by=DEMO_LOADER,
                )
                guide = Action.objects.filter(plan__territory=body.territory, code="7").first()
                services.follow_up_add(
                    decision=decision,
                    description="Envoyer le formulaire de mise à jour aux structures (exemple).",
                    owner=body.chair_organisation,
                    due_date=dt.date(2025, 9, 30),
                    action=guide,
                    is_example=True,
                    by=DEMO_LOADER,
                )


ACTIONS = [
    ("1", "ALADDIN", "Programme local de formation au numérique porté par un réseau de "
     "structures : 3 000 personnes formées par 31 structures.", "", "ALADDIN"),
    ("2", "Coordination des conseillers numériques",
     "Bordeaux Métropole coordonne les conseillers numériques du territoire.",
     "Bordeaux Métropole", "Conseillers numériques"),
    ("3", "Points wifi sociaux", "Installer environ 40 points wifi sociaux.", "", ""),
    ("4", "Ordinateurs reconditionnés et comité d'attribution",
     "Collecter et reconditionner des ordinateurs ; un comité d'attribution répartit les dons "
     "entre structures.", "", ""),
    ("5", "AGINUM, l'événement annuel", "Un événement chaque année, AGINUM.", "", ""),
    ("6", "Formation « Solidarité Numérique » en 7 modules",
     "Une formation en 7 modules pour les aidants et professionnels.", "", ""),
    ("7", "Mise à jour du guide des lieux ressources",
     "Tenir à jour le guide des lieux ressources du territoire.", "", ""),
]  # fmt: skip


def _plan(territory: Territory) -> ActionPlan:
    plan = ActionPlan.objects.filter(territory=territory, title=ROADMAP).first()
    if plan is not None:
        return plan
    plan = services.action_plan_create(
        territory=territory,
        title=ROADMAP,
        start_year=2024,
        end_year=2027,
        context="Feuille de route approuvée par le conseil de Bordeaux Métropole ; son "
        "avancement est présenté chaque année au comité stratégique.",
        source_note=SOURCE,
        by=DEMO_LOADER,
    )
    for code, title, description, lead, programme in ACTIONS:
        action = services.action_create(
            plan=plan,
            code=code,
            title=title,
            status=Action.Status.PLANNED,
            lead=_org(territory, lead) if lead else None,
            data={
                "description": description,
                "calendar": "Chaque année" if code == "5" else "",
            },
            source_note=SOURCE,
            by=DEMO_LOADER,
        )
        if programme:
            field = "labels" if programme == "Conseillers numériques" else "local_programmes"
            key = "ConseillersNumeriques" if field == "labels" else programme
            for organisation in _with_programme(territory, key, field):
                if organisation.pk != action.lead_id:
                    services.action_partner_add(
                        action=action,
                        organisation=organisation,
                        role=ActionPartner.Role.OPERATIONAL,
                        is_example=True,  # the texts name the network, not each one's role
                        by=DEMO_LOADER,
                    )
    aladdin = plan.actions.get(code="1")
    services.funding_line_add(
        action=aladdin, source="Exemple : financement de l'État", status=FundingLine.Status.GRANTED,
        amount=Decimal("120000"), is_example=True, by=DEMO_LOADER
    )  # fmt: skip
    services.risk_add(
        action=aladdin, description="Exemple : des structures quittent le réseau.",
        kind=Risk.Kind.PARTNERSHIP, probability=Risk.Level.MEDIUM, impact=Risk.Level.HIGH,
        mitigation="Exemple : réunions du réseau trois fois par an.", owner="Bordeaux Métropole",
        is_example=True, by=DEMO_LOADER
    )  # fmt: skip
    services.activity_add(
        action=aladdin, what="Exemple : session de formation des aidants.",
        state=Activity.State.DONE, date=dt.date(2025, 3, 18), participants=14,
        results="Exemple de résultat.", keep="Exemple : petits groupes.",
        change="Exemple : horaires du soir.", is_example=True, by=DEMO_LOADER
    )  # fmt: skip
    services.activity_add(
        action=plan.actions.get(code="5"), what="Exemple : AGINUM 2025.",
        state=Activity.State.DONE, date=dt.date(2025, 11, 27), participants=3,
        results="Exemple : participants comptés (moins de 5, non affichés).", is_example=True, by=DEMO_LOADER
    )  # fmt: skip
    services.activity_add(
        action=plan.actions.get(code="5"), what="Exemple : AGINUM 2026.",
        state=Activity.State.FUTURE, is_example=True, by=DEMO_LOADER
    )  # fmt: skip
    return plan


def _indicators(territory: Territory, plan: ActionPlan) -> None:
    services.indicators_preload_national(territory=territory, by=DEMO_LOADER)
    places = services.indicator_define(
        territory=territory, code="lieux-publies", name="Lieux publiés dans l'annuaire",
        unit="lieux", scope=IndicatorDefinition.Scope.LOCAL,
        computed_key="directory.published_places", source_note="Calculé par l'annuaire.", by=DEMO_LOADER
    )  # fmt: skip
    trained = services.indicator_define(
        territory=territory, code="aladdin-personnes-formees", name="ALADDIN : personnes formées",
        unit="personnes", scope=IndicatorDefinition.Scope.PROGRAMME, programme="ALADDIN",
        source_note=SOURCE, by=DEMO_LOADER
    )  # fmt: skip
    services.indicator_target_set(indicator=trained, value=3000, source_note=SOURCE, by=DEMO_LOADER)
    structures = services.indicator_define(
        territory=territory, code="aladdin-structures", name="ALADDIN : structures formatrices",
        unit="structures", scope=IndicatorDefinition.Scope.PROGRAMME, programme="ALADDIN",
        source_note=SOURCE, by=DEMO_LOADER
    )  # fmt: skip
    services.indicator_target_set(
        indicator=structures, value=31, source_note=SOURCE, by=DEMO_LOADER
    )
    wifi = services.indicator_define(
        territory=territory, code="points-wifi-sociaux", name="Points wifi sociaux",
        unit="points", scope=IndicatorDefinition.Scope.LOCAL, source_note=SOURCE, by=DEMO_LOADER
    )  # fmt: skip
    services.indicator_target_set(indicator=wifi, value=40, source_note=SOURCE, by=DEMO_LOADER)
    for indicator, values in (
        (trained, [(dt.date(2024, 12, 31), 900), (dt.date(2025, 6, 30), 1650)]),
        (wifi, [(dt.date(2024, 12, 31), 12), (dt.date(2025, 6, 30), 21)]),
    ):
        for day, value in values:
            services.indicator_value_record(
                indicator=indicator,
                date=day,
                value=value,
                note=EXAMPLE,
                is_example=True,
                by=DEMO_LOADER,
            )
    plan.actions.get(code="1").indicators.add(trained, structures)
    plan.actions.get(code="3").indicators.add(wifi)
    plan.actions.get(code="7").indicators.add(places)


# (organisation, action, audience, category): actions the structures' notes in the roadmap
# mention; their classification in the inventory is ours (example).
INVENTORY = [
    ("Mairie de Bordeaux", "Les « soluces » des bibliothèques", "public", "training"),
    ("Mairie de Cenon", "Wifi gratuit (Wifi4EU) dans 8 bâtiments publics", "public", "resources"),
    ("Pimms Médiation Bordeaux", "Tricycle connecté dans les quartiers prioritaires", "public",
     "rights"),
    ("Reconnect", "Coffre-fort numérique pour les personnes en précarité", "intermediaries",
     "resources"),
    ("Emmaüs Connect", "Cartes SIM solidaires et équipements reconditionnés", "public",
     "resources"),
    ("Bordeaux Ecole Numérique", "EmpowerLab, programme pour les femmes", "public", "training"),
    ("Centre régional info jeunes Nouvelle-Aquitaine", "Ateliers d'éducation aux médias",
     "public", "awareness"),
    ("Atelier Graphite", "Écrivains publics socio-numériques", "public", "rights"),
    ("Espace social et d'animation Alain Couderc", "Repair' Café", "public", "resources"),
]  # fmt: skip


def _inventory(territory: Territory) -> None:
    for key, label, value, unit in (
        ("actions-recensees", "Actions recensées", 490, "actions"),
        ("part-communes", "Part des actions portées par les communes", 53.5, "%"),
        ("part-associations", "Part des actions portées par les associations", 30.2, "%"),
    ):
        services.reference_figure_set(
            territory=territory,
            key=key,
            label=label,
            value=value,
            unit=unit,
            source_note=SOURCE,
            by=DEMO_LOADER,
        )
    if InventoryEntry.objects.filter(territory=territory).exists():
        return
    for name, title, audience, category in INVENTORY:
        services.inventory_entry_submit(
            territory=territory,
            organisation=_org(territory, name),
            title=title,
            audience=audience,
            category=category,
            is_example=True,
            by=DEMO_LOADER,
        )


@transaction.atomic
def load_demo(territory: Territory, *, with_users: bool = False) -> None:
    """Add Bordeaux Métropole's governance and roadmap to the demo territory. Idempotent."""
    if territory.slug != "bordeaux-metropole":
        return
    bodies = _bodies(territory)
    plan = _plan(territory)
    _example_meetings(bodies)
    _indicators(territory, plan)
    _inventory(territory)
