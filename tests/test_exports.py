"""The whole-pool export: queued in the UI, built by the scheduler, scoped, downloadable once
ready."""
from decimal import Decimal
from io import BytesIO

import openpyxl
from sqlalchemy import func, select

from app.extensions import db
from app.models import ExportJob, ExportStatus, FrontOffice, Investor, Project
from app.services.exports import POOL_EXPORT, PROJECTS_EXPORT, run_pending_exports

CENT = Decimal("0.01")
KINDS = {"pool": POOL_EXPORT, "projects": PROJECTS_EXPORT}


def queue(app, browser, button: str, username: str) -> int:
    """Press an export button: the user is told it is queued, and one pending job of theirs is."""
    with app.app_context():
        last = db.session.execute(select(func.max(ExportJob.id))).scalar() or 0
    page = browser.post(f"/exports/{button}", follow_redirects=True)
    assert page.status_code == 200 and page.request.path == "/exports/"
    assert "Выгрузка поставлена в очередь" in page.text
    with app.app_context():
        job = db.session.execute(select(ExportJob).where(ExportJob.id > last)).scalar_one()
        assert (job.user.username, job.kind, job.status) == (username, KINDS[button],
                                                             ExportStatus.pending)
        return job.id


def test_pool_export_is_built_in_the_background_and_scoped(app, ui, world, tmp_path):
    app.config["IRM_EXPORT_DIR"] = str(tmp_path)
    with app.app_context():
        office = db.session.get(FrontOffice, world["offices"]["ALM"])
        investor = db.session.execute(select(Investor).filter_by(
            owner_office_id=office.id)).scalars().first()
        investor.ownership = "private"
        db.session.add(Project(name="=HYPERLINK(\"x\") пул Алматы", investor=investor,
                               region=office.region, sector_id=1, jobs=3, year=2026,
                               volume=Decimal("900000000.00"), owner_office=office))
        db.session.commit()
        expected = db.session.execute(select(Project.id).where(
            Project.in_unified_pool.is_(True), Project.owner_office_id == office.id)
        ).scalars().all()
    browser = ui("region.almaty")
    queued = queue(app, browser, "pool", "region.almaty")  # nothing is built inside the request
    with app.app_context():
        job = db.session.get(ExportJob, queued)
        assert run_pending_exports(db.session, tmp_path) == 1
        assert run_pending_exports(db.session, tmp_path) == 0  # built once
        db.session.refresh(job)
        assert job.status == ExportStatus.done and job.rows == len(expected) > 0
        job_id = job.id
    assert str(job_id) in browser.get("/exports/").text
    response = browser.get(f"/exports/{job_id}/download")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(BytesIO(response.data)).active
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert sorted(r[0] for r in rows if isinstance(r[0], int)) == sorted(expected)
    name = header.index("Проект")
    assert any(r[name] == '=HYPERLINK("x") пул Алматы' for r in rows)  # text, not a formula
    # Every row carries the code a re-import finds its project by.
    assert all(r[header.index("Внешний код")] for r in rows)
    assert ui("region.turkestan").get(f"/exports/{job_id}/download").status_code == 404


def test_all_projects_export_has_every_project_of_the_scope_and_no_other(app, ui, world,
                                                                         tmp_path):
    app.config["IRM_EXPORT_DIR"] = str(tmp_path)
    browser = ui("region.turkestan")
    queued = queue(app, browser, "projects", "region.turkestan")
    with app.app_context():
        expected = sorted(db.session.execute(select(Project.id).where(
            Project.owner_office_id == world["offices"]["TUR"])).scalars())
        assert run_pending_exports(db.session, tmp_path) == 1
        job = db.session.get(ExportJob, queued)
        assert job.status == ExportStatus.done and job.rows == len(expected)
        job_id = job.id
    response = browser.get(f"/exports/{job_id}/download")
    assert response.status_code == 200
    assert "proekty" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(BytesIO(response.data)).active
    assert sorted(r[0] for r in sheet.iter_rows(min_row=2, values_only=True)) == expected


def test_export_cells_keep_money_to_the_tiyn_and_their_number_formats(app, ui, world, tmp_path):
    app.config["IRM_EXPORT_DIR"] = str(tmp_path)
    browser = ui("region.turkestan")
    job_id = queue(app, browser, "projects", "region.turkestan")
    with app.app_context():
        office_id = world["offices"]["TUR"]
        investor = db.session.execute(select(Investor).filter_by(
            owner_office_id=office_id)).scalars().first()
        office = db.session.get(FrontOffice, office_id)
        db.session.add(Project(name="  Тиын в тиын  ", investor=investor, region=office.region,
                               sector_id=1, jobs=7, year=2026, owner_office=office,
                               volume=Decimal("987654321098.37")))
        db.session.commit()
        volumes = dict(db.session.execute(select(Project.id, Project.volume).where(
            Project.owner_office_id == office_id)).all())
        assert run_pending_exports(db.session, tmp_path) == 1
    sheet = openpyxl.load_workbook(BytesIO(browser.get(f"/exports/{job_id}/download").data)).active
    header = [c.value for c in sheet[1]]
    volume, jobs, year = (header.index(name) for name in ("Объём инвестиций", "Рабочие места",
                                                          "Год"))
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == len(volumes)
    for row in rows:
        assert Decimal(str(row[volume].value)).quantize(CENT) == volumes[row[0].value]
        assert row[volume].number_format == '#,##0.00 "₸"'
        assert {row[i].number_format for i in (0, jobs, year)} == {"#,##0"}
        assert row[header.index("Проект")].data_type == "s"
    names = [row[header.index("Проект")].value for row in rows]
    assert "  Тиын в тиын  " in names  # spaces at the ends kept


def test_exports_read_their_rows_from_the_reporting_replica(app, ui, world, tmp_path):
    """With IRM_REPORTING_DATABASE_URL the rows are read there and the job is kept on the
    primary. (The "replica" here is the same database under a second engine, so the test
    runs on both backends; which engine ran the row query is what is checked.)"""
    from sqlalchemy import event

    from app.jobs.scheduler import build_exports

    app.config.update(IRM_EXPORT_DIR=str(tmp_path),
                      IRM_REPORTING_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        queued = queue(app, ui("region.turkestan"), "projects", "region.turkestan")
        with app.app_context():
            from app.services.replica import _engine

            replica_statements = []
            event.listen(_engine(), "before_cursor_execute",
                         lambda *args: replica_statements.append(args[2]))
            assert build_exports(db.session) == 1
            job = db.session.get(ExportJob, queued)
            assert job.status == ExportStatus.done and job.rows > 0
        assert any("FROM project" in statement for statement in replica_statements)
        assert not any("export_job" in statement for statement in replica_statements)
    finally:
        app.config["IRM_REPORTING_DATABASE_URL"] = ""
        with app.app_context():
            for engine in app.extensions.pop("irm_reporting_engines", {}).values():
                engine.dispose()


def test_a_scheduler_taking_over_builds_the_exports_its_predecessor_left_running(
        app, ui, world, tmp_path):
    from app.services.exports import requeue_orphaned_exports

    app.config["IRM_EXPORT_DIR"] = str(tmp_path)
    queued = queue(app, ui("region.almaty"), "pool", "region.almaty")
    with app.app_context():
        job = db.session.get(ExportJob, queued)
        job.status = ExportStatus.running  # claimed by a scheduler killed while building it
        db.session.commit()
        assert run_pending_exports(db.session, tmp_path) == 0  # nobody else touches it
        assert requeue_orphaned_exports(db.session) == 1
        assert run_pending_exports(db.session, tmp_path) == 1
        db.session.refresh(job)
        assert job.status == ExportStatus.done
