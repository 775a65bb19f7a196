"""Excel import: template, dry run with row errors, all-or-nothing write, re-import, scope."""
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
import xlsxwriter
from sqlalchemy import func, select

from app.extensions import db
from app.models import ImportJob, ImportStatus, Investor, NicheProject, Project
from app.services.excel import write_workbook
from app.services.exports import POOL_COLUMNS, POOL_SHEET, pool_rows
from app.services.identifiers import check_digit

INVESTOR_HEADERS = ["Наименование", "БИН", "Страна", "Отрасль", "Статус"]
PROJECT_HEADERS = ["Внешний код", "Проект", "Инвестор", "БИН", "Регион", "Отрасль", "Стадия",
                   "Объём инвестиций", "Рабочие места", "Год"]


def xlsx(headers, rows, formulas=(), merge=None) -> bytes:
    """Build a workbook the way a user's spreadsheet program would."""
    stream = io.BytesIO()
    book = xlsxwriter.Workbook(stream, {"strings_to_numbers": False})
    sheet = book.add_worksheet()
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is not None:
                sheet.write(r, col, value)
    for r, col, formula in formulas:
        sheet.write_formula(r, col, formula)
    if merge:
        sheet.merge_range(*merge, "Объединённый заголовок")
    book.close()
    return stream.getvalue()


def upload(client, kind, data, name="file.xlsx"):
    return client.post("/imports/upload", data={"kind": kind, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def job_of(app, response) -> ImportJob:
    assert response.status_code == 302, response.text[:3000]
    job_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    with app.app_context():
        job = db.session.get(ImportJob, job_id)
        db.session.expunge(job)
        return job


def count(app, model, **where) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)
                                  .filter_by(**where)).scalar()


def valid_bin(body: str) -> str:
    """Return the first valid BIN from this 11-digit body on (some bodies have none)."""
    while check_digit(body) is None:
        body = f"{int(body) + 1:011d}"
    return body + str(check_digit(body))


def investors_file(prefix: str, n: int = 3) -> bytes:
    return xlsx(INVESTOR_HEADERS, [
        [f"ТОО «{prefix} {i}»", valid_bin(f"9{i:03d}{abs(hash(prefix)) % 10**7:07d}"),
         "Казахстан", "Пищевая промышленность", "Действующий"] for i in range(n)])


def test_template_has_the_headers_in_the_users_language(ui):
    client = ui("region.almaty")
    book = openpyxl.load_workbook(io.BytesIO(client.get("/imports/template/projects").data))
    headers = [c.value for c in next(book.active.iter_rows(max_row=1))]
    assert "Внешний код *" in headers and "Объём инвестиций *" in headers
    client.get("/lang/en")
    book = openpyxl.load_workbook(io.BytesIO(client.get("/imports/template/investors").data))
    headers = [c.value for c in next(book.active.iter_rows(max_row=1))]
    assert "Name *" in headers and "Наименование *" not in headers
    client.get("/lang/ru")


def test_dry_run_writes_nothing_then_write_saves_every_row(app, ui, world):
    client = ui("region.almaty")
    before = count(app, Investor)
    job = job_of(app, upload(client, "investors", investors_file("Дальний Восток")))
    assert job.status == ImportStatus.checked and job.created == 3 and job.error_count == 0
    assert count(app, Investor) == before  # the dry run wrote nothing
    page = client.get(f"/imports/{job.id}").text
    assert 'id="import-write"' in page
    client.post(f"/imports/{job.id}/write")
    with app.app_context():
        job = db.session.get(ImportJob, job.id)
        assert job.status == ImportStatus.done and job.created == 3
        owners = set(db.session.execute(select(Investor.owner_office_id).where(
            Investor.name.like("ТОО «Дальний Восток%"))).scalars())
        keys = db.session.execute(select(Investor.name_key).where(
            Investor.name.like("ТОО «Дальний Восток%"))).scalars().all()
    assert owners == {world["offices"]["ALM"]}  # the importing user's own office
    # Each keeps its name's key, by which a later look-alike finds it.
    assert len(keys) == 3 and all(key.startswith("дальний восток") for key in keys), keys
    assert count(app, Investor) == before + 3


def test_reimport_of_the_same_file_updates_instead_of_duplicating(app, ui):
    client = ui("region.almaty")
    data = investors_file("Повтор")
    before = count(app, Investor)
    for _ in range(2):
        job = job_of(app, upload(client, "investors", data))
        client.post(f"/imports/{job.id}/write")
    with app.app_context():
        assert db.session.get(ImportJob, job.id).updated == 3
    assert count(app, Investor) == before + 3
    with app.app_context():
        names = db.session.execute(select(Investor.name).where(
            Investor.name.like("ТОО «Повтор%"))).scalars().all()
    assert len(names) == 3


def test_row_errors_name_row_and_column_and_nothing_is_written(app, ui):
    client = ui("region.almaty")
    before = count(app, Investor)
    data = xlsx(INVESTOR_HEADERS, [
        ["ТОО «Верная строка»", "990340012345", "Казахстан", None, None],
        ["ТОО «Плохой БИН»", "12345", "Казахстан", None, None],
        ["ТОО «Нет страны»", None, "Атлантида", None, None],
        [None, "990340012395", "Германия", None, "Спящий"],
        ["ТОО «Опечатка в БИН»", "990340012346", "Казахстан", None, None],
    ])
    job = job_of(app, upload(client, "investors", data))
    assert job.status == ImportStatus.invalid
    found = {(e["row"], e["column"]) for e in job.errors}
    assert {(3, "БИН"), (4, "Страна"), (5, "Наименование"), (5, "Статус"), (6, "БИН")} <= found
    assert (2, "Наименование") not in found
    page = client.get(f"/imports/{job.id}").text
    assert "БИН состоит ровно из 12 цифр." in page and 'id="import-write"' not in page
    assert "Контрольная цифра БИН не сходится" in page
    refused = client.post(f"/imports/{job.id}/write", follow_redirects=True)
    assert refused.request.path == f"/imports/{job.id}"
    assert "Записать можно только файл, проверка которого прошла без ошибок." in refused.text
    assert count(app, Investor) == before
    with app.app_context():
        assert db.session.get(ImportJob, job.id).status == ImportStatus.invalid


def test_wrong_types_are_row_errors(app, ui, world):
    data = xlsx(PROJECT_HEADERS, [["W-1", "Завод", None, None, "город Алматы",
                                   "Пищевая промышленность", None, "много", 5.5, "2026"]])
    job = job_of(app, upload(ui("region.almaty"), "projects", data))
    messages = {e["column"]: e["message"] for e in job.errors}
    assert "Нужно число" in messages["Объём инвестиций"]
    assert "целое" in messages["Рабочие места"]


def _garbage():
    return b"\x00\x01 this is not a workbook" * 100


def _macro_workbook():
    source = zipfile.ZipFile(io.BytesIO(investors_file("Макрос")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"fake vba")
    return out.getvalue()


BAD_FILES = {
    "garbage": (_garbage, "не книга Excel"),
    "formula": (lambda: xlsx(INVESTOR_HEADERS, [["ТОО «Ф»", None, "Казахстан", None, None]],
                             formulas=[(1, 1, "=1+1")]), "формулу"),
    "macro": (_macro_workbook, "макрос"),
    "merged header": (lambda: xlsx([], [["ТОО «М»", None, "Казахстан"]], merge=(0, 0, 0, 2)),
                      "объединённые"),
    "missing columns": (lambda: xlsx(["Телефон"], [["+7 701"]]), "нет обязательных столбцов"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_gets_a_clear_message_and_writes_nothing(app, ui, case):
    make, words = BAD_FILES[case]
    investors = count(app, Investor)
    response = upload(ui("region.almaty"), "investors", make())
    if response.status_code == 400:  # refused at upload: the message is next to the file field
        assert words in response.text and 'id="file-error"' in response.text
    else:  # found while the dry run reads the rows (a formula deep in the file)
        job = job_of(app, response)
        assert job.status == ImportStatus.invalid and job.error_count == 1
        assert words in job.errors[0]["message"]
        assert words in ui("region.almaty").get(f"/imports/{job.id}").text
    assert count(app, Investor) == investors


def test_too_many_rows_is_refused_with_the_limit(app, ui):
    app.config["IRM_IMPORT_MAX_ROWS"] = 5
    try:
        response = upload(ui("region.almaty"), "investors", investors_file("Много", n=6))
        job = job_of(app, response)  # counted while reading: the dry run refuses it
        assert job.status == ImportStatus.invalid
        assert "больше 5 строк" in job.errors[0]["message"]
    finally:
        app.config["IRM_IMPORT_MAX_ROWS"] = 50_000


def test_a_file_over_the_size_limit_is_refused(app, ui):
    app.config["IRM_IMPORT_MAX_BYTES"] = 1024
    try:
        response = upload(ui("region.almaty"), "investors", investors_file("Большой", n=200))
        assert response.status_code == 400 and "Файл больше" in response.text
    finally:
        app.config["IRM_IMPORT_MAX_BYTES"] = 20 * 1024 * 1024


def test_rows_for_another_region_or_office_are_rejected_with_a_reason(app, ui, world):
    with app.app_context():
        alm_investor = db.session.get(Investor, world["records"]["investor"]["ALM"])
        bin_ = alm_investor.bin or ""
        name = alm_investor.name
    data = xlsx(PROJECT_HEADERS + ["Фронт-офис"], [
        ["R-1", "Завод в Туркестане", name, bin_ or None, "Туркестанская область",
         "Пищевая промышленность", "Инициатива", 1000000, 10, 2026, None],
        ["R-2", "Чужой офис", name, bin_ or None, "город Алматы", "Пищевая промышленность",
         "Инициатива", 1000000, 10, 2026, "Региональная организация Туркестанской области"],
    ])
    job = job_of(app, upload(ui("region.almaty"), "projects", data))
    errors = {e["row"]: e for e in job.errors}
    assert errors[2]["column"] == "Регион" and "своего региона" in errors[2]["message"]
    assert errors[3]["column"] == "Фронт-офис"
    assert "не может вносить записи за этот офис" in errors[3]["message"]


def test_a_project_of_another_office_is_not_changed_by_import(app, ui, world):
    with app.app_context():
        theirs = db.session.get(Project, world["records"]["project"]["TUR"])
        theirs.external_id = "TUR-0001"
        db.session.commit()
        investor = db.session.get(Investor, world["records"]["investor"]["ALM"]).name
    data = xlsx(PROJECT_HEADERS, [["TUR-0001", "Захват", investor, None, "город Алматы",
                                   "Пищевая промышленность", None, 5, 1, 2026]])
    job = job_of(app, upload(ui("region.almaty"), "projects", data))
    assert job.status == ImportStatus.invalid
    assert "ведёт другой офис" in job.errors[0]["message"]


def test_duplicate_investors_are_reported(app, ui, world):
    with app.app_context():
        existing = db.session.get(Investor, world["records"]["investor"]["ALM"]).name
    data = xlsx(INVESTOR_HEADERS, [
        ["ТОО «Двойник»", "980440012347", "Казахстан", None, None],
        ["ТОО Двойник", "980440012347", "Казахстан", None, None],
        [f"«{existing.upper()}» ТОО", "970440012345", "Казахстан", None, None],
    ])
    job = job_of(app, upload(ui("region.almaty"), "investors", data))
    assert any(e["row"] == 3 and "строке 2" in e["message"] for e in job.errors)
    assert any(w["row"] == 4 and existing in w["message"] for w in job.warnings)


def test_an_exported_pool_imports_back_unchanged(app, ui, world):
    client = ui("nc")
    with app.app_context():
        from app.models import OfficeUser
        user = db.session.execute(select(OfficeUser).filter_by(username="nc")).scalar_one()
        stream = io.BytesIO()
        write_workbook([(POOL_SHEET, POOL_COLUMNS, list(pool_rows(db.session, user)))], stream)
        before = {p.id: (p.name, p.volume, p.stage, p.investor_id, p.region_id, p.jobs)
                  for p in db.session.execute(select(Project)).scalars()}
    projects = count(app, Project)
    job = job_of(app, upload(client, "projects", stream.getvalue(), "pool.xlsx"))
    assert job.status == ImportStatus.checked, job.errors[:5]
    # The pool holds projects the NC reads and other offices keep (the authorized body's):
    # their rows are left as they are, each named in a warning, and the rest update.
    kept_elsewhere = [w for w in job.warnings if "ведёт другой офис" in w["message"]]
    assert kept_elsewhere
    assert job.created == 0 and job.updated == job.rows_total - len(kept_elsewhere) > 0
    client.post(f"/imports/{job.id}/write")
    with app.app_context():
        assert db.session.get(ImportJob, job.id).status == ImportStatus.done
        after = {p.id: (p.name, p.volume, p.stage, p.investor_id, p.region_id, p.jobs)
                 for p in db.session.execute(select(Project)).scalars()}
    assert count(app, Project) == projects and after == before


def test_niche_projects_import_and_update(app, ui):
    headers = ["Внешний код", "Регион", "Продукция", "Мощность", "Ориентировочная стоимость",
               "Окупаемость, лет", "IRR, %"]
    client = ui("region.almaty")
    for cost, created, updated in ((1500000000, 1, 0), (1750000000, 0, 1)):
        data = xlsx(headers, [["N-ALM-1", "город Алматы", "Кондитерские изделия",
                               "5 000 т в год", cost, 4.5, 18.25]])
        job = job_of(app, upload(client, "niche_projects", data))
        assert job.status == ImportStatus.checked, job.errors
        client.post(f"/imports/{job.id}/write")
        with app.app_context():
            written = db.session.get(ImportJob, job.id)
            assert (written.status, written.created, written.updated) == (
                ImportStatus.done, created, updated)
    with app.app_context():
        niche = db.session.execute(select(NicheProject).filter_by(external_id="N-ALM-1")
                                   ).scalar_one()
        assert niche.estimated_cost == Decimal("1750000000.00")
        assert niche.irr_percent == Decimal("18.25")
    assert count(app, NicheProject, external_id="N-ALM-1") == 1


def test_progress_and_pages_are_the_users_own(app, ui):
    job = job_of(app, upload(ui("region.almaty"), "investors", investors_file("Прогресс")))
    progress = ui("region.almaty").get(f"/imports/{job.id}/progress").json
    assert progress["finished"] is True and progress["rows_done"] == 3
    for url in (f"/imports/{job.id}", f"/imports/{job.id}/progress"):
        assert ui("region.turkestan").get(url).status_code == 404
    assert ui("region.turkestan").post(f"/imports/{job.id}/write").status_code == 404


def test_no_pass_runs_twice(app, ui, tmp_path):
    from app.services.imports import process_job
    from app.views.imports import import_directory

    job = job_of(app, upload(ui("region.almaty"), "investors", investors_file("Дважды")))
    with app.test_request_context():
        assert process_job(db.session, job.id, import_directory()) is None  # already checked


def test_the_dry_run_runs_in_the_background(app, ui):
    app.config["IRM_IMPORTS_INLINE"] = False
    try:
        job = job_of(app, upload(ui("region.almaty"), "investors", investors_file("Фон")))
    finally:
        app.config["IRM_IMPORTS_INLINE"] = True
    import time
    for _ in range(100):
        with app.app_context():
            status = db.session.get(ImportJob, job.id).status
        if status != ImportStatus.checking:
            break
        time.sleep(0.1)
    assert status == ImportStatus.checked


def test_authority_cannot_import(ui):
    assert ui("authority").get("/imports/").status_code in (302, 403)


def test_an_update_without_an_office_column_keeps_the_records_office(app, ui, world):
    with app.app_context():
        project = db.session.get(Project, world["records"]["project"]["NCALM"])
        project.external_id = "NCALM-0001"
        investor = project.investor
        db.session.commit()
        row = ["NCALM-0001", "Обновлён импортом НК", investor.name, investor.bin,
               project.region.name_ru, project.sector.name_ru, None, 7, 3, 2026]
    job = job_of(app, upload(ui("nc"), "projects", xlsx(PROJECT_HEADERS, [row])))
    assert job.status == ImportStatus.checked and job.updated == 1, job.errors
    ui("nc").post(f"/imports/{job.id}/write")
    with app.app_context():
        saved = db.session.get(Project, world["records"]["project"]["NCALM"])
        assert saved.name == "Обновлён импортом НК"
        assert saved.owner_office_id == world["offices"]["NCALM"]  # not moved to the NC


def test_another_offices_records_stay_unnamed_and_unfound(app, ui, world):
    with app.app_context():
        theirs = db.session.get(Investor, world["records"]["investor"]["TUR"])
        name, their_bin = theirs.name, theirs.bin or "no-bin"
        project = world["records"]["project"]["TUR"]
        own = db.session.get(Investor, world["records"]["investor"]["ALM"])
    # A near-same name is flagged, but the other office's investor is not shown.
    job = job_of(app, upload(ui("region.almaty"), "investors", xlsx(INVESTOR_HEADERS, [
        [f"«{name.upper()}» ТОО", "960440012343", "Казахстан", None, None]])))
    assert job.warnings and "другой офис" in job.warnings[0]["message"]
    assert name not in job.warnings[0]["message"] and their_bin not in job.warnings[0]["message"]
    # IRM-<id> of a project the user cannot read is as if it did not exist.
    job = job_of(app, upload(ui("region.almaty"), "projects", xlsx(PROJECT_HEADERS, [
        [f"IRM-{project}", "Чужой", own.name, None, "город Алматы",
         "Пищевая промышленность", None, 5, 1, 2026]])))
    assert "присваивает платформа" in job.errors[0]["message"]


def test_a_nul_in_the_workbooks_file_name_is_dropped_from_the_name(app, ui):
    # PostgreSQL text cannot hold NUL (services/file_names.py).
    job = job_of(app, upload(ui("region.almaty"), "investors", investors_file("Имя файла"),
                             name="инвес\x00торы.xlsx"))
    assert job.file_name == "инвесторы.xlsx"
