"""Writes of the observatory that a page does in one go."""

import pytest
from django.core.exceptions import ValidationError

from maillage.observatory import services
from maillage.observatory.models import GridAdoption, Wave
from tests.factories import SYSTEM


def test_a_wave_adopts_its_grid_in_the_same_transaction(territory):
    with pytest.raises(ValidationError):  # the wave fails: the grid is not adopted either
        services.wave_start(territory=territory, grid_version="1", name="", by=SYSTEM)
    assert not GridAdoption.objects.exists()
    wave = services.wave_start(territory=territory, grid_version="1", name="Vague 1", by=SYSTEM)
    assert wave.grid.grid_version == "1"
    again = services.wave_start(territory=territory, grid_version="1", name="Vague 2", by=SYSTEM)
    assert again.grid == wave.grid
    assert Wave.objects.count() == 2


def test_a_new_wave_keeps_the_questions_the_territory_added_to_its_grid(territory):
    adoption = services.grid_adopt(territory=territory, version="1", by=SYSTEM)
    adoption.extra_questions = [{"key": "q", "label": "Q"}]
    adoption.save()
    services.wave_start(territory=territory, grid_version="1", name="Vague", by=SYSTEM)
    adoption.refresh_from_db()
    assert adoption.extra_questions == [{"key": "q", "label": "Q"}]
