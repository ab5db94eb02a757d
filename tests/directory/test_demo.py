from maillage.directory.demo import load_demo
from maillage.directory.models import Organisation, Place
from maillage.territories.models import Area


def test_demo_territory_is_real_where_it_can_be_and_marked_where_not(db):
    territory = load_demo(with_users=True)
    assert territory.areas.count() == 28
    assert sum(a.population for a in territory.areas.all()) == 843_738
    assert Area.objects.get(code="33063").name == "Bordeaux"
    assert all(a.contour for a in territory.areas.all())
    assert Organisation.objects.filter(territory=territory).count() == 66
    places = Place.objects.filter(territory=territory)
    assert places.count() == 41
    # Every invented detail is marked: positions approximate, hours and services examples.
    assert not places.filter(is_example=False).exists()
    assert not places.exclude(location_precision=Place.Precision.COMMUNE).exists()
    assert Place.objects.get(name="Bus France Services de Talence").is_mobile
    assert Place.objects.get(name="Mairie de Martignas-sur-Jalles").area.code == "33273"
    # Idempotent.
    load_demo(with_users=True)
    assert Place.objects.filter(territory=territory).count() == 41
