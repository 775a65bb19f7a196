"""Two people editing one record: the second save is refused with a clear message, never merged."""
import html
import re

import pytest
from flask_appbuilder.exceptions import DatabaseException
from sqlalchemy import select

from app.extensions import db
from app.models import Investor, Meeting
from app.models.interface import ScopedInterface
from app.models.request_local import lost_race


def _edit_form(client, url) -> dict:
    """Return the hidden version an edit form was shown with."""
    page = client.get(url).text
    match = re.search(r'name="edited_version"[^>]*value="(\d+)"'
                      r'|value="(\d+)"[^>]*name="edited_version"', page)
    assert match, "the edit form carries no version"
    return {"edited_version": match.group(1) or match.group(2)}


def _meeting_form(meeting, **changes) -> dict:
    form = {"subject": meeting.subject, "held_on": meeting.held_on.isoformat(),
            "kind": meeting.kind.value, "owner_office": meeting.owner_office_id}
    form.update(changes)
    return form


def test_the_second_of_two_overlapping_edits_is_refused_and_the_first_kept(app, ui, world):
    meeting_id = world["records"]["meeting"]["NC"]
    url = f"/meetingview/edit/{meeting_id}"
    first, second = ui("admin"), ui("nc")
    seen_by_first, seen_by_second = _edit_form(first, url), _edit_form(second, url)
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        base = _meeting_form(meeting)
    saved = first.post(url, data={**base, **seen_by_first, "subject": "Встреча с инвестором (1)"})
    assert saved.status_code == 302, saved.text[:1500]
    refused = second.post(url, data={**base, **seen_by_second, "subject": "Встреча (2)"})
    assert refused.status_code == 200
    assert "Пока вы редактировали, запись изменил(а) admin" in html.unescape(refused.text)
    assert "Встреча (2)" in refused.text  # the user's own input stays on the form to redo
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).subject == "Встреча с инвестором (1)"
    # Opened afresh, the form carries the new version and saves.
    again = second.post(url, data={**base, **_edit_form(second, url), "subject": "Встреча (2)"})
    assert again.status_code == 302
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).subject == "Встреча (2)"


def test_the_api_refuses_a_save_from_an_older_version_with_409(app, api, world):
    client, headers = api("region.almaty")
    investor_id = world["records"]["investor"]["ALM"]
    read = client.get(f"/api/v1/investor/{investor_id}", headers=headers).json["result"]
    version = read["version"]
    ok = client.put(f"/api/v1/investor/{investor_id}", headers=headers,
                    json={"notes": "первая правка", "version": version})
    assert ok.status_code == 200, ok.text
    stale = client.put(f"/api/v1/investor/{investor_id}", headers=headers,
                       json={"notes": "вторая правка", "version": version})
    assert stale.status_code == 409
    assert "version" in stale.json["message"]
    bad = client.put(f"/api/v1/investor/{investor_id}", headers=headers,
                     json={"notes": "x", "version": "вчерашняя"})
    assert bad.status_code == 400 and "version" in bad.json["message"]
    with app.app_context():
        investor = db.session.get(Investor, investor_id)
        assert investor.notes == "первая правка" and investor.version == version + 1


def test_a_save_that_loses_the_race_at_the_database_is_refused(app, world):
    """Both saves passed their checks; the database's `WHERE version = ...` stops the second."""
    meeting_id = world["records"]["meeting"]["TF"]
    with app.test_request_context():
        mine = db.session.get(Meeting, meeting_id)
        mine.subject = "моя правка"
        with db.engine.begin() as other:  # another worker saves first
            other.execute(Meeting.__table__.update().where(Meeting.__table__.c.id == meeting_id)
                          .values(subject="чужая правка", version=mine.version + 1))
        with pytest.raises(DatabaseException):
            ScopedInterface(Meeting).edit(mine)
        assert lost_race()
        db.session.rollback()
        subject = db.session.execute(
            select(Meeting.subject).where(Meeting.id == meeting_id)).scalar()
    assert subject == "чужая правка"
