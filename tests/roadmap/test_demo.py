"""The demo: Bordeaux Métropole's governance and roadmap, loaded again and again."""

from maillage.roadmap.models import (
    Action,
    ActionPlan,
    Body,
    BodyMember,
    IndicatorDefinition,
    InventoryEntry,
    Meeting,
    ReferenceFigure,
)


def test_demo_is_idempotent_and_follows_the_texts(demo_territory):
    from maillage.roadmap.demo import load_demo

    counts = [
        m.objects.count()
        for m in (
            Body,
            BodyMember,
            Meeting,
            ActionPlan,
            Action,
            IndicatorDefinition,
            InventoryEntry,
        )
    ]
    load_demo(demo_territory, with_users=True)
    assert counts == [
        m.objects.count()
        for m in (
            Body,
            BodyMember,
            Meeting,
            ActionPlan,
            Action,
            IndicatorDefinition,
            InventoryEntry,
        )
    ]
    bodies = {b.name: b.meetings_per_year for b in Body.objects.filter(territory=demo_territory)}
    assert bodies == {
        "Comité stratégique": 1,
        "Groupe des partenaires institutionnels": 2,
        "Groupe Numérique Inclusif": 3,
        "Comité des communes": 1,
    }
    committee = Body.objects.get(name="Comité stratégique")
    seats = {m.display_name: m.seats for m in committee.members.all()}
    assert seats["Les maires des 28 communes"] == 28
    assert seats["Représentants des structures de l'action sociale"] == 5
    assert seats["Représentants des structures de médiation numérique"] == 5
    assert committee.chair_organisation.name == "Bordeaux Métropole"
    # Invented things are flagged; what the texts say is not.
    assert all(m.is_example for m in Meeting.objects.all())
    assert not committee.is_example
    assert {f.key: f.value for f in ReferenceFigure.objects.all()} == {
        "actions-recensees": 490,
        "part-communes": 53.5,
        "part-associations": 30.2,
    }
    national = IndicatorDefinition.objects.filter(scope="national")
    assert sorted(i.targets.get().value for i in national) == [20_000, 25_000, 2_000_000, 8_000_000]
    aladdin = IndicatorDefinition.objects.get(code="aladdin-personnes-formees")
    assert aladdin.targets.get().value == 3000 and aladdin.targets.get().year is None
    # Organisations are the directory's, not copies.
    from maillage.directory.models import Organisation

    assert Organisation.objects.filter(name="Bordeaux Métropole").count() == 1


def test_inventory_statistics_are_computed_from_the_entries(demo_territory):
    from maillage.roadmap.selectors import inventory_stats

    stats = inventory_stats(demo_territory)
    assert stats.total == InventoryEntry.objects.filter(territory=demo_territory).count()
    assert abs(sum(s.percent for s in stats.by_carrier) - 100.0) < 1e-9
    communes = next(s for s in stats.by_carrier if s.key == "commune")
    assert communes.count == InventoryEntry.objects.filter(carrier="commune").count()
    assert stats.example_entries == stats.total
