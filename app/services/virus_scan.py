"""Virus scanners for uploaded documents: IRM_DOCUMENT_SCANNER=app.services.virus_scan:clamdscan.

A scanner takes the stored file's Path before the document is kept and raises
documents.VirusFound (or another DocumentError) to refuse it (docs/DOCUMENTS.md).
"""
import logging
import subprocess
from pathlib import Path

from flask_babel import lazy_gettext as _l

from .documents import DocumentError, VirusFound

log = logging.getLogger(__name__)
SCAN_TIMEOUT_SECONDS = 120


def clamdscan(path: Path) -> None:
    """Scan the file with ClamAV's daemon; refuse it if infected or if it could not be scanned."""
    try:
        result = subprocess.run(["clamdscan", "--no-summary", "--fdpass", str(path)],
                                capture_output=True, text=True, timeout=SCAN_TIMEOUT_SECONDS)
    except (OSError, subprocess.TimeoutExpired) as error:
        log.error("clamdscan could not run: %s", error)
        raise DocumentError(_l("Файл не удалось проверить на вирусы. Попробуйте позже "
                               "или обратитесь к администратору."))
    if result.returncode == 1:  # clamdscan: 0 clean, 1 virus found, 2 an error
        log.warning("clamdscan refused an upload: %s", result.stdout.strip())
        raise VirusFound(_l("В файле найден вирус; файл не сохранён."))
    if result.returncode != 0:  # nothing unscanned is kept
        log.error("clamdscan failed (%s): %s", result.returncode,
                  (result.stderr or result.stdout).strip())
        raise DocumentError(_l("Файл не удалось проверить на вирусы. Попробуйте позже "
                               "или обратитесь к администратору."))
