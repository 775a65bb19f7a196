"""Documents attached to records: kept outside the database, checked, scanned, scoped.

Each test attaches files of its own name, so the module's shared world stays readable.
"""
import io
import os
import stat
import time
from urllib.parse import quote

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry
from app.models.audit import AuditAction
from app.models.documents import Document
from app.services import documents, virus_scan

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
INVESTORS = "/investorview"


def refuse_eicar(path):
    """A scanner for the tests: refuse files carrying the EICAR test signature."""
    if EICAR in path.read_bytes():
        raise documents.VirusFound("В файле найден вирус EICAR-Test-File.")


@pytest.fixture(scope="module", autouse=True)
def storage(app, tmp_path_factory):
    """Keep this module's documents in a folder of its own."""
    folder = tmp_path_factory.mktemp("documents")
    app.config["IRM_DOCUMENT_DIR"] = str(folder)
    return folder


def investor(world, office="ALM"):
    return world["records"]["investor"][office]


def attach(client, pk, filename, content, base=INVESTORS):
    """Upload a file on the record page and return the page the user lands on."""
    return client.post(f"{base}/attach/{pk}", data={"file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data", follow_redirects=True)


def documents_named(app, filename):
    with app.app_context():
        return list(db.session.execute(
            select(Document).where(Document.filename == filename)).scalars())


def stored_files(storage):
    return {p.name for p in storage.iterdir()}


def attached(app, ui, world, filename, content=PDF, username="region.almaty", office="ALM"):
    """Attach a valid file as username to office's investor; return the document's id."""
    page = attach(ui(username), investor(world, office), filename, content)
    assert page.status_code == 200
    [document] = documents_named(app, filename)
    return document.id


def test_regional_user_attaches_a_pdf_that_is_listed_and_downloads_identical(app, ui, world,
                                                                              storage):
    client, pk = ui("region.almaty"), investor(world)
    page = attach(client, pk, "Меморандум подписанный.pdf", PDF)
    assert "Документ «Меморандум подписанный.pdf» прикреплён." in page.text
    [document] = documents_named(app, "Меморандум подписанный.pdf")
    assert (document.record_type, document.record_id, document.size_bytes) == (
        "investor", pk, len(PDF))
    assert (storage / document.storage_key).read_bytes() == PDF

    page = client.get(f"{INVESTORS}/show/{pk}").text
    assert f'data-irm-fragment="{INVESTORS}/documents/{pk}"' in page  # fetched as it opens
    shown = client.get(f"{INVESTORS}/documents/{pk}").text
    link = f"{INVESTORS}/document/{pk}/{document.id}"
    assert f'href="{link}"' in shown and "Меморандум подписанный.pdf" in shown
    assert f"{INVESTORS}/attach/{pk}" in shown and 'accept=".pdf,' in shown

    download = client.get(link)
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert quote("Меморандум подписанный.pdf") in disposition


def test_another_regions_user_gets_404_for_the_document_and_for_attaching(app, ui, world,
                                                                         storage):
    doc_id, pk = attached(app, ui, world, "alm-only.pdf"), investor(world)
    client = ui("region.turkestan")
    assert client.get(f"{INVESTORS}/document/{pk}/{doc_id}").status_code == 404
    before = stored_files(storage)
    response = client.post(f"{INVESTORS}/attach/{pk}",
                           data={"file": (io.BytesIO(PDF), "from-turkestan.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 404
    assert documents_named(app, "from-turkestan.pdf") == []
    assert stored_files(storage) == before
    assert "alm-only.pdf" not in client.get(f"{INVESTORS}/documents/{investor(world, 'TUR')}").text
    assert client.get(f"{INVESTORS}/documents/{investor(world)}").status_code == 404


def test_authority_downloads_but_may_not_attach_or_see_the_upload_form(app, ui, world):
    doc_id, pk = attached(app, ui, world, "for-authority.pdf"), investor(world)
    client = ui("authority")
    download = client.get(f"{INVESTORS}/document/{pk}/{doc_id}")
    assert download.status_code == 200 and download.data == PDF
    shown = client.get(f"{INVESTORS}/documents/{pk}").text
    assert "for-authority.pdf" in shown
    assert "/attach/" not in shown and "/detach/" not in shown
    response = client.post(f"{INVESTORS}/attach/{pk}",
                           data={"file": (io.BytesIO(PDF), "by-authority.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 403
    assert documents_named(app, "by-authority.pdf") == []


@pytest.mark.parametrize("filename, content, message", [
    ("renamed-program.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64,
     "Содержимое файла не соответствует расширению .pdf."),
    ("plain-text.pdf", b"just some text, not a PDF at all\n",
     "Содержимое файла не соответствует расширению .pdf."),
    ("setup.exe", b"MZ\x90\x00" + b"\x00" * 64, "Файлы этого типа не принимаются."),
    ("empty.pdf", b"", "Файл пустой."),
])
def test_a_file_that_is_not_what_it_says_is_refused_and_nothing_is_kept(
        app, ui, world, storage, filename, content, message):
    before = stored_files(storage)
    page = attach(ui("region.almaty"), investor(world), filename, content)
    assert page.status_code == 200 and message in page.text
    assert documents_named(app, filename) == []
    assert stored_files(storage) == before


def test_a_file_over_the_size_limit_is_refused(app, ui, world, storage, monkeypatch):
    monkeypatch.setitem(app.config, "IRM_DOCUMENT_MAX_BYTES", 1024 * 1024)
    before = stored_files(storage)
    big = PDF + b"%" * (1024 * 1024)
    page = attach(ui("region.almaty"), investor(world), "too-big.pdf", big)
    assert "Файл больше 1 МБ." in page.text
    assert documents_named(app, "too-big.pdf") == []
    assert stored_files(storage) == before


def test_no_file_chosen_is_explained_not_a_server_error(ui, world):
    response = ui("region.almaty").post(f"{INVESTORS}/attach/{investor(world)}", data={},
                                        content_type="multipart/form-data",
                                        follow_redirects=True)
    assert response.status_code == 200 and "Выберите файл." in response.text


def test_the_configured_scanner_refuses_an_infected_file_and_keeps_nothing(
        app, ui, world, storage, monkeypatch):
    monkeypatch.setitem(app.config, "IRM_DOCUMENT_SCANNER", "tests.test_documents:refuse_eicar")
    before = stored_files(storage)
    page = attach(ui("region.almaty"), investor(world), "infected.pdf", PDF + EICAR + b"\n")
    assert "В файле найден вирус EICAR-Test-File." in page.text
    assert documents_named(app, "infected.pdf") == []
    assert stored_files(storage) == before
    attach(ui("region.almaty"), investor(world), "clean-scanned.pdf", PDF)
    assert len(documents_named(app, "clean-scanned.pdf")) == 1


@pytest.fixture()
def fake_clamdscan(tmp_path, monkeypatch):
    """Put a clamdscan on PATH that exits with the code written to its file."""
    code = tmp_path / "exit-code"
    script = tmp_path / "clamdscan"
    script.write_text(f"#!/bin/sh\necho \"$3: scanned\"\nexit $(cat {code})\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    return code


@pytest.mark.parametrize("exit_code, refusal", [
    ("0", None), ("1", documents.VirusFound), ("2", documents.DocumentError)])
def test_the_clamdscan_example_refuses_infected_and_unscanned_files(
        app, tmp_path, fake_clamdscan, exit_code, refusal):
    fake_clamdscan.write_text(exit_code)
    upload = tmp_path / "upload"
    upload.write_bytes(PDF)
    with app.app_context():
        if refusal is None:
            virus_scan.clamdscan(upload)
        else:
            with pytest.raises(refusal) as refused:
                virus_scan.clamdscan(upload)
            assert (type(refused.value) is documents.VirusFound) == (exit_code == "1")


def test_without_clamdscan_installed_nothing_unscanned_is_kept(app, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with app.app_context(), pytest.raises(documents.DocumentError):
        virus_scan.clamdscan(tmp_path / "upload")


def test_owner_detaches_a_document_and_it_no_longer_downloads(app, ui, world):
    doc_id, pk = attached(app, ui, world, "to-detach.pdf"), investor(world)
    client = ui("region.almaty")
    page = client.post(f"{INVESTORS}/detach/{pk}/{doc_id}", follow_redirects=True)
    assert "Документ «to-detach.pdf» удалён." in page.text
    assert documents_named(app, "to-detach.pdf") == []
    assert client.get(f"{INVESTORS}/document/{pk}/{doc_id}").status_code == 404


@pytest.mark.parametrize("reader", ["authority", "taskforce"])
def test_a_reader_who_may_not_change_the_record_cannot_detach(app, ui, world, reader):
    # Task Force reads the National Company's records but writes only its own.
    doc_id = attached(app, ui, world, f"nc-for-{reader}.pdf", username="nc", office="NC")
    pk = investor(world, "NC")
    assert ui(reader).get(f"{INVESTORS}/document/{pk}/{doc_id}").status_code == 200
    assert ui(reader).post(f"{INVESTORS}/detach/{pk}/{doc_id}").status_code == 403
    assert len(documents_named(app, f"nc-for-{reader}.pdf")) == 1


def test_a_document_is_found_only_under_its_own_record(app, ui, world):
    doc_id = attached(app, ui, world, "investor-only.pdf")
    client = ui("region.almaty")
    project = world["records"]["project"]["ALM"]
    assert client.get(f"/projectview/document/{project}/{doc_id}").status_code == 404
    assert client.post(f"/projectview/detach/{project}/{doc_id}").status_code == 404
    assert len(documents_named(app, "investor-only.pdf")) == 1
    assert client.get(f"{INVESTORS}/document/{investor(world)}/{doc_id}").status_code == 200


def test_materials_keep_their_files_as_versions_not_as_record_documents(app, ui, world):
    client, material = ui("region.almaty"), world["records"]["material"]["ALM"]
    assert 'id="documents"' in client.get(f"{INVESTORS}/show/{investor(world)}").text
    shown = client.get(f"/presentationmaterialview/show/{material}")
    assert shown.status_code == 200 and 'id="documents"' not in shown.text
    assert client.get(f"/presentationmaterialview/documents/{material}").status_code == 404
    response = client.post(f"/presentationmaterialview/attach/{material}",
                           data={"file": (io.BytesIO(PDF), "material-as-document.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 404
    assert documents_named(app, "material-as-document.pdf") == []


def test_cleanup_removes_old_stray_files_and_keeps_stored_ones(app, ui, world, storage):
    attached(app, ui, world, "kept-by-cleanup.pdf")
    [document] = documents_named(app, "kept-by-cleanup.pdf")
    old = time.time() - 2 * 3600
    os.utime(storage / document.storage_key, (old, old))
    stray, fresh = storage / "stray-after-failed-save", storage / "upload-in-progress"
    stray.write_bytes(PDF)
    fresh.write_bytes(PDF)
    os.utime(stray, (old, old))
    result = app.test_cli_runner().invoke(args=["irm", "documents-cleanup"])
    assert result.exit_code == 0, result.output
    assert "Removed 1 orphaned file(s)" in result.output
    assert not stray.exists() and fresh.exists()
    assert (storage / document.storage_key).read_bytes() == PDF
    with app.app_context():
        assert documents.remove_orphans(db.session, older_than_seconds=0) >= 1
    assert not fresh.exists() and (storage / document.storage_key).exists()


def test_a_download_is_in_the_audit_trail(app, ui, world):
    doc_id, pk = attached(app, ui, world, "audited.pdf"), investor(world)
    url = f"{INVESTORS}/document/{pk}/{doc_id}"
    assert ui("region.almaty").get(url).status_code == 200
    with app.app_context():
        entries = db.session.execute(select(AuditEntry).where(
            AuditEntry.action == AuditAction.export,
            AuditEntry.detail.like(f"GET {url} %"))).scalars().all()
    assert [(e.username, "audited.pdf" in e.detail) for e in entries] == [("region.almaty", True)]


def test_deleting_a_record_takes_its_documents_and_cleanup_then_removes_the_file(
        app, ui, world, storage):
    from app.models import FrontOffice, Meeting
    from tests.scenario import make

    with app.app_context():
        office = db.session.get(FrontOffice, world["offices"]["ALM"])
        pk = make(db.session, "meeting", office, "meeting with a scan to delete")
        db.session.commit()
    client = ui("region.almaty")
    attach(client, pk, "scan-of-deleted-meeting.pdf", PDF, base="/meetingview")
    [document] = documents_named(app, "scan-of-deleted-meeting.pdf")
    assert client.post(f"/meetingview/delete/{pk}").status_code == 302
    assert documents_named(app, "scan-of-deleted-meeting.pdf") == []
    with app.app_context():
        assert db.session.get(Meeting, pk) is None
        assert documents.remove_orphans(db.session, older_than_seconds=0) >= 1
    assert document.storage_key not in stored_files(storage)


def test_a_nul_in_the_uploaded_file_name_is_dropped_and_the_document_kept(app, ui, world):
    # PostgreSQL text cannot hold NUL, and no file system path may (services/file_names.py).
    page = attach(ui("region.almaty"), investor(world), "Протокол\x00 встречи.pdf", PDF)
    assert page.status_code == 200
    assert len(documents_named(app, "Протокол встречи.pdf")) == 1
