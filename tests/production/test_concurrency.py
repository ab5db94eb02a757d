"""Concurrent saves of one place, through gunicorn, on the stage's database (SQLite file or
PostgreSQL): no server error; each edit is applied or shown the conflict page."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from tests.production.browser_client import form_to

PASSWORD = "demo-maillage-2026"
CONCURRENT = 60


def _place_to_edit(client, territory: str) -> str:
    manage = client.get(f"/{territory}/manage/")
    assert manage.status == 200
    return re.search(r"/manage/places/(\d+)/edit/", manage.text).group(1)


def test_sixty_concurrent_edits_of_one_place_apply_once_and_show_conflicts(stage, stage_env):
    client = stage()
    client.sign_in("coordination", PASSWORD)
    territory = stage_env["territory"]
    place_id = _place_to_edit(client, territory)
    edit_path = f"/{territory}/manage/places/{place_id}/edit/"
    page = client.get(edit_path)
    form = form_to(page.text, r"/edit/$", edit_path)
    fields = dict(form.fields)
    assert "version" in fields

    def save(number: int):
        # Every editor opened the same version and changes the description differently.
        return client.submit(form, description=f"Edited concurrently by editor {number}.")

    with ThreadPoolExecutor(max_workers=CONCURRENT) as pool:
        answers = list(pool.map(save, range(CONCURRENT)))
    statuses = [a.status for a in answers]
    assert all(status < 500 for status in statuses), statuses
    applied = [a for a in answers if a.status == 302]
    conflicts = [a for a in answers if a.status == 200 and 'id="conflict"' in a.text]
    assert len(applied) == 1, statuses
    assert len(conflicts) == CONCURRENT - 1, [a.text[:200] for a in answers if a.status == 200][:2]
    after = client.get(edit_path)
    assert f'name="version" value="{int(fields["version"]) + 1}"' in after.text


def test_sixty_concurrent_still_correct_clicks_all_succeed(stage, stage_env):
    client = stage()
    client.sign_in("coordination", PASSWORD)
    territory = stage_env["territory"]
    manage = client.get(f"/{territory}/manage/")
    confirm = form_to(manage.text, r"/manage/places/\d+/confirm/", f"/{territory}/manage/")

    def click(_number: int):
        return client.submit(confirm)

    with ThreadPoolExecutor(max_workers=CONCURRENT) as pool:
        statuses = [a.status for a in pool.map(click, range(CONCURRENT))]
    assert statuses == [302] * CONCURRENT, statuses
