"""The audit trail: who changed what, when, from where, field by field; and the security events."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from flask_appbuilder import Model
from sqlalchemy import Boolean, Date, Integer, Numeric, String, Text, select

from app.extensions import db
from app.models import AuditAction, AuditEntry, Investor, Project
from app.services import audit
from tests import scenario


def _entries(app, **where):
    with app.app_context():
        return db.session.execute(select(AuditEntry).filter_by(**where)
                                  .order_by(AuditEntry.id)).scalars().all()


def _project_form(project) -> dict:
    return {"name": project.name, "investor": project.investor_id, "region": project.region_id,
            "sector": project.sector_id, "volume": f"{project.volume:.2f}",
            "jobs": str(project.jobs), "year": str(project.year), "stage": project.stage.value,
            "owner_office": project.owner_office_id, "description": project.description or "",
            "edited_version": str(project.version)}


def test_editing_a_project_records_who_when_where_and_each_changed_field(app, ui, world):
    project_id = world["records"]["project"]["ALM"]
    with app.app_context():
        project = db.session.get(Project, project_id)
        form = _project_form(project)
        old_name, old_investor = project.name, project.investor_id
        other = Investor(name="ТОО «Новый инвестор»", owner_office_id=project.owner_office_id,
                         country_id=project.investor.country_id)
        db.session.add(other)
        db.session.commit()
        new_investor = other.id
    before = datetime.now(timezone.utc)
    form.update(name="Тепличный комплекс «Алатау»", volume="250000000.50", investor=new_investor)
    response = ui("region.almaty").post(f"/projectview/edit/{project_id}", data=form)
    assert response.status_code == 302, response.text[:1500]
    with app.app_context():
        saved = db.session.get(Project, project_id)
        assert (saved.name, saved.volume, saved.investor_id) == (
            "Тепличный комплекс «Алатау»", Decimal("250000000.50"), new_investor)

    [entry] = _entries(app, entity="project", record_id=project_id, action=AuditAction.update)
    assert entry.username == "region.almaty"
    assert entry.office_id == world["offices"]["ALM"]
    assert entry.ip == "127.0.0.1"
    assert before - timedelta(seconds=1) <= entry.at <= datetime.now(timezone.utc)
    assert entry.changes == {"name": [old_name, "Тепличный комплекс «Алатау»"],
                             "volume": ["100000000.00", "250000000.50"],
                             "investor_id": [old_investor, new_investor]}


def test_api_create_and_delete_keep_every_value_in_the_trail(app, api, world):
    client, headers = api("region.almaty")
    created = client.post("/api/v1/investor/", headers=headers, json={
        "name": "ТОО «Аудит»", "bin": "123456789013", "country": 1})
    assert created.status_code == 201, created.text
    investor_id = created.json["id"]
    assert client.delete(f"/api/v1/investor/{investor_id}", headers=headers).status_code == 200

    create, delete = _entries(app, entity="investor", record_id=investor_id)
    assert (create.action, delete.action) == (AuditAction.create, AuditAction.delete)
    assert create.changes["name"] == [None, "ТОО «Аудит»"]
    assert create.changes["bin"] == [None, "123456789013"]
    assert create.changes["owner_office_id"] == [None, world["offices"]["ALM"]]
    assert delete.changes["name"] == ["ТОО «Аудит»", None]
    assert create.username == delete.username == "region.almaty"
    assert delete.record_label == "ТОО «Аудит» (123456789013)"


def test_a_change_rolled_back_leaves_no_trail(app, world):
    with app.app_context():
        db.session.add(Investor(name="ТОО «Откат»", country_id=1,
                                owner_office_id=world["offices"]["NC"]))
        db.session.flush()
        assert db.session.execute(select(AuditEntry).filter_by(
            record_label="ТОО «Откат»")).scalar_one().action is AuditAction.create
        db.session.rollback()
    assert _entries(app, record_label="ТОО «Откат»") == []


def test_changes_outside_a_request_are_attributed_to_the_job(app, world):
    with app.app_context(), audit.acting_as("scheduler:sweep"):
        project = db.session.get(Project, world["records"]["project"]["TUR"])
        project.jobs += 1
        db.session.commit()
    entry = _entries(app, entity="project", record_id=world["records"]["project"]["TUR"],
                     action=AuditAction.update)[-1]
    assert entry.username == "scheduler:sweep" and entry.user_id is None
    assert entry.changes == {"jobs": [10, 11]}


def _audited_tables() -> dict[str, type]:
    return {m.class_.__tablename__: m.class_ for m in Model.registry.mappers
            if hasattr(m.class_, "__tablename__") and audit.is_audited(m.class_.__new__(m.class_))}


def test_every_domain_table_is_audited_and_bookkeeping_is_not():
    tables = _audited_tables()
    for table in ("investor", "project", "project_stage_change", "industrial_site", "meeting",
                  "agreement", "info_request", "service_application", "problem_issue",
                  "problem_action", "quarterly_report", "kpi_target", "kpi_actual",
                  "kpi_definition", "niche_project", "front_office", "region", "country",
                  "sector", "mrp_rate", "calendar_day", "state_body", "state_service",
                  "ab_user"):
        assert table in tables, table
    for table in ("audit_entry", "user_session", "job_run", "import_job", "export_job",
                  "ab_role", "ab_permission_view"):
        assert table not in tables, table


def _new_value(column, value):
    if isinstance(column.type, Boolean):
        return not value
    if isinstance(column.type, (String, Text)) and not getattr(column.type, "enum_class", None):
        return (value or "") + "·" if len(value or "") < (column.type.length or 1000) else None
    if isinstance(column.type, Numeric):
        return (value or Decimal(0)) + 1
    if isinstance(column.type, Integer) and not column.foreign_keys:
        return (value or 0) + 1
    if isinstance(column.type, Date):
        return (value or date(2026, 1, 1)) + timedelta(days=1)
    return None


def test_an_update_of_any_audited_record_is_recorded_field_by_field(app, world):
    """Change one plain field of one row of every audited table that has rows."""
    covered = set()
    with app.app_context():
        for table, model in sorted(_audited_tables().items()):
            record = db.session.execute(select(model).limit(1)).scalar_one_or_none()
            if record is None:
                continue
            columns = [c for c in model.__table__.columns
                       if not c.primary_key and c.key not in audit.NOT_TRACKED
                       and c.key not in audit.SECRET_FIELDS and not c.unique]
            for column in columns:
                old = getattr(record, column.key)
                new = _new_value(column, old)
                if new is not None:
                    break
            else:
                continue
            setattr(record, column.key, new)
            db.session.flush()
            entry = db.session.execute(
                select(AuditEntry).where(AuditEntry.entity == table,
                                         AuditEntry.record_id == record.id,
                                         AuditEntry.action == AuditAction.update)
                .order_by(AuditEntry.id.desc()).limit(1)).scalar_one()
            assert entry.changes == {column.key: [audit.plain(old), audit.plain(new)]}, table
            covered.add(table)
        db.session.rollback()
    assert {"investor", "project", "industrial_site", "meeting", "agreement", "info_request",
            "service_application", "problem_issue", "kpi_target", "front_office", "region",
            "country", "sector", "ab_user"} <= covered


def test_a_new_password_is_in_the_trail_but_never_its_value(app, world):
    with app.app_context():
        user = app.appbuilder.sm.find_user("embassy.cn")
        app.appbuilder.sm.reset_password(user.id, "a whole new long password")
    entry = _entries(app, entity="ab_user", action=AuditAction.update)[-1]
    assert entry.changes == {"password": [audit.SECRET, audit.SECRET]}
    assert "a whole new long password" not in str(entry.changes)


def test_roles_given_to_a_user_are_in_the_trail(app, world):
    with app.app_context():
        sm = app.appbuilder.sm
        user = sm.find_user("embassy.de")
        user.roles.append(sm.find_role("Regional"))
        db.session.commit()
    entry = _entries(app, entity="ab_user", action=AuditAction.update)[-1]
    assert entry.changes == {"roles": [["External"], ["External", "Regional"]]}


def test_sign_in_failure_and_sign_out_are_in_the_trail(app, world):
    client = app.test_client()
    client.post("/login/", data={"username": "nc", "password": "wrong password here"})
    client.post("/login/", data={"username": "NC", "password": scenario.PASSWORD})
    client.post("/logout/")
    failed = _entries(app, action=AuditAction.login_failed, username="nc")
    assert failed and failed[-1].user_id is None and failed[-1].ip == "127.0.0.1"
    [login] = _entries(app, action=AuditAction.login, username="nc")[-1:]
    assert login.user_id is not None and login.office_id == world["offices"]["NC"]
    assert _entries(app, action=AuditAction.logout, user_id=login.user_id)


def test_refusals_are_in_the_trail(app, ui, world):
    foreign = world["records"]["project"]["TUR"]
    assert ui("region.almaty").get(f"/projectview/show/{foreign}").status_code == 404
    denial = _entries(app, action=AuditAction.denied, entity="project", record_id=foreign)
    assert denial and denial[-1].username == "region.almaty"
    assert ui("region.almaty").get("/users/list/").status_code in (302, 403)
    assert ui("region.almaty").get("/audittrailview/list/").status_code == 403
    assert any("/audittrailview/list/" in (e.detail or "")
               for e in _entries(app, action=AuditAction.denied, username="region.almaty"))


def test_downloads_are_in_the_trail(app, ui, world):
    response = ui("region.almaty").get("/imports/template/investors")
    assert response.status_code == 200, response.status_code
    [entry] = _entries(app, action=AuditAction.export, username="region.almaty")[-1:]
    assert "/imports/template/investors" in entry.detail and ".xlsx" in entry.detail


def test_a_record_page_shows_its_history_and_only_to_those_who_may_read_it(app, ui, world):
    project_id = world["records"]["project"]["ALM"]
    page = ui("region.almaty").get(f"/projectview/show/{project_id}").text
    assert f"/projectview/history/{project_id}" in page
    history = ui("region.almaty").get(f"/projectview/history/{project_id}?fragment=1").text
    assert "Тепличный комплекс «Алатау»" in history  # the edit of the first test
    assert "Наименование" in history and "region.almaty" in history
    assert "ТОО «Новый инвестор»" in history  # a link shows the linked record's name
    assert "250\u00a0000\u00a0000,50\u00a0₸" in history  # money as everywhere else
    assert ui("region.turkestan").get(f"/projectview/history/{project_id}").status_code == 404


def test_the_authority_searches_the_whole_trail_and_nobody_can_change_it(app, ui, world):
    answer = ui("authority").get("/audittrailview/list/?_flt_0_username=region.almaty")
    assert answer.status_code == 200
    assert "region.almaty" in answer.text and "region.turkestan" not in answer.text
    some = _entries(app, username="region.almaty")[0]
    shown = ui("authority").get(f"/audittrailview/show/{some.id}")
    assert shown.status_code == 200
    assert "/audittrailview/add" not in ui("admin").get("/audittrailview/list/").text
    before = _row(app, some.id)
    for url in ("/audittrailview/add", f"/audittrailview/edit/{some.id}",
                f"/audittrailview/delete/{some.id}"):
        assert ui("admin").post(url, data={"username": "x"}).status_code in (403, 404, 405)
    assert _row(app, some.id) == before  # neither changed nor deleted
    assert _entries(app, username="x") == []  # nor one added


def _row(app, entry_id: int):
    """Return every column of an audit entry as stored, None if it is gone."""
    with app.app_context():
        return db.session.execute(select(AuditEntry.__table__).where(
            AuditEntry.id == entry_id)).one_or_none()


def test_a_long_value_is_kept_as_its_start_and_a_fingerprint(app, world):
    long_note = "Протокол встречи. " * 400  # ~7,200 characters
    with app.app_context():
        investor = db.session.get(Investor, world["records"]["investor"]["CN"])
        investor.notes = long_note
        db.session.commit()
    entry = _entries(app, entity="investor", record_id=world["records"]["investor"]["CN"],
                     action=AuditAction.update)[-1]
    kept = entry.changes["notes"][1]
    assert kept.startswith(long_note[:audit.LONG_TEXT_KEPT])
    assert f"[{len(long_note)} chars, sha256 " in kept and len(kept) < 600
