"""The storage folder's part of a backup: the files a database snapshot's rows name.

Each file is archived as `files/<folder>/<name>` (folder: documents, imports or exports) and
listed in the manifest with its size and sha256, computed while it streams into the archive.
Files are written once and never changed in place (services/documents.py, imports, exports),
so a file opened after the snapshot holds the bytes its row was committed with.
"""
import hashlib
import os
import secrets
import shutil
import tarfile
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator, Mapping, Optional

from sqlalchemy import inspect, select
from sqlalchemy.engine import Connection

from ..models.documents import Document
from ..models.exports import ExportJob
from ..models.imports import ImportJob
from . import imports
from .commands import CommandError

MEMBER_PREFIX = "files/"
_CHUNK = 1 << 20


class FilesError(CommandError):
    """The files of a backup do not match its manifest or its rows; the message says which."""


def _document_files(connection: Connection) -> Iterable[str]:
    return connection.execute(select(Document.storage_key)).scalars()


def _import_files(connection: Connection) -> Iterable[str]:
    for job_id in connection.execute(select(ImportJob.id)).scalars():
        yield imports.file_path(Path(), ImportJob(id=job_id)).name


def _export_files(connection: Connection) -> Iterable[str]:
    # Only a finished export names its file; a running one's half-written file is not kept.
    return connection.execute(select(ExportJob.file_name)
                              .where(ExportJob.file_name.is_not(None))).scalars()


# Every kind of row that names a file, by storage folder (services/storage.py): a new
# folder or a new file column belongs here, or backups would restore rows without files.
STORED_FILES = {"documents": (Document.__tablename__, _document_files),
                "imports": (ImportJob.__tablename__, _import_files),
                "exports": (ExportJob.__tablename__, _export_files)}


def referenced_files(connection: Connection) -> set[str]:
    """Return every file the database's rows name, as "<folder>/<name>"."""
    tables = set(inspect(connection).get_table_names())
    return {f"{folder}/{name}" for folder, (table, names) in STORED_FILES.items()
            if table in tables for name in names(connection)}


def add_files(archive: tarfile.TarFile, folders: Mapping[str, Path],
              wanted: Iterable[str]) -> tuple[list[dict], list[str]]:
    """Stream the wanted files into archive; return their manifest entries and the missing."""
    entries, missing = [], []
    for relative in sorted(wanted):
        try:
            source = open(_target(folders, relative), "rb")
        except FileNotFoundError:
            missing.append(relative)
            continue
        with source:
            # Opened, the file stays readable even if the clean-up unlinks it now.
            info = tarfile.TarInfo(MEMBER_PREFIX + relative)
            stat = os.fstat(source.fileno())
            info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
            hashing = _Hashing(source)
            archive.addfile(info, hashing)
            entries.append({"path": relative, "bytes": stat.st_size,
                            "sha256": hashing.digest.hexdigest()})
    return entries, missing


def check_listing(listed: list[dict], referenced: set[str], where: str) -> None:
    """Refuse a manifest whose files are not exactly those the restored rows name."""
    names = {entry["path"] for entry in listed}
    without_file, without_row = sorted(referenced - names), sorted(names - referenced)
    if without_file or without_row:
        raise FilesError(
            f"the files of the backup do not match the rows restored into {where}: "
            + "; ".join(f"{label}: {some_paths(paths)}" for label, paths in [
                ("rows without their file", without_file),
                ("files without their row", without_row)] if paths))


def read_files(path: Path, listed: list[dict], staging: Optional[Mapping[str, Path]] = None,
               to_stage: frozenset[str] | set[str] = frozenset()) -> None:
    """Check every archived file against the manifest; write those in to_stage under staging."""
    expected = {MEMBER_PREFIX + entry["path"]: entry for entry in listed}
    seen = set()
    with tarfile.open(path, "r:") as archive:
        for member in archive:
            if not member.name.startswith(MEMBER_PREFIX):
                continue
            entry = expected.get(member.name)
            if entry is None or not member.isfile() or member.name in seen:
                raise FilesError(f"{member.name} in the archive is not listed in its manifest")
            seen.add(member.name)
            relative = entry["path"]
            target = _target(staging, relative) if relative in to_stage else None
            digest = _copy(archive.extractfile(member), target)
            if (member.size, digest) != (entry["bytes"], entry["sha256"]):
                raise FilesError(f"{relative} does not match the size and checksum in the "
                                 f"manifest")
    absent = sorted(expected.keys() - seen)
    if absent:
        raise FilesError(f"files listed in the manifest are not in the archive: "
                         f"{some_paths([name.removeprefix(MEMBER_PREFIX) for name in absent])}")


def check_in_place(listed: list[dict], folders: Mapping[str, Path]) -> None:
    """Refuse unless every listed file is in the storage folder with its size and sha256."""
    differing = [entry["path"] for entry in listed
                 if _fingerprint(_target(folders, entry["path"]))
                 != (entry["bytes"], entry["sha256"])]
    if differing:
        raise FilesError(f"files in the storage folder do not match the backup: "
                         f"{some_paths(differing)}")


def split(listed: list[dict], folders: Mapping[str, Path]) -> tuple[list[dict], list[str]]:
    """Return the listed files not yet in the storage folder, and those there that differ."""
    absent, differing = [], []
    for entry in listed:
        actual = _fingerprint(_target(folders, entry["path"]))
        if actual is None:
            absent.append(entry)
        elif actual != (entry["bytes"], entry["sha256"]):
            differing.append(entry["path"])
    return absent, differing


def unnamed_files(listed: list[dict], folders: Mapping[str, Path]) -> int:
    """Count the files in the storage folders that the backup does not name."""
    named = {entry["path"] for entry in listed}
    return sum(1 for folder, directory in folders.items() if directory.is_dir()
               for file in directory.iterdir()
               if file.is_file() and f"{folder}/{file.name}" not in named)


@contextmanager
def staging_folders(folders: Mapping[str, Path]) -> Iterator[dict[str, Path]]:
    """Yield a hidden staging folder inside each storage folder (same file system, so the
    final move is a rename); remove them afterwards."""
    token = secrets.token_hex(5)
    staging = {}
    try:
        for folder, directory in folders.items():
            directory.mkdir(parents=True, exist_ok=True)
            staging[folder] = directory / f".irm-restore-{token}"
            staging[folder].mkdir()
        yield staging
    finally:
        for directory in staging.values():
            shutil.rmtree(directory, ignore_errors=True)


def move_into_place(entries: list[dict], staging: Mapping[str, Path],
                    folders: Mapping[str, Path]) -> None:
    """Move staged files into their storage folders."""
    for entry in entries:
        os.replace(_target(staging, entry["path"]), _target(folders, entry["path"]))


def validate(listed) -> None:
    """Refuse a manifest file list whose paths could reach outside the storage folders."""
    if not isinstance(listed, list):
        raise ValueError("its list of files is not a list")
    for entry in listed:
        folder, _, name = str(entry["path"]).partition("/")
        if (folder not in STORED_FILES or name in ("", ".", "..") or "/" in name
                or "\\" in name or not isinstance(entry["bytes"], int)
                or not isinstance(entry["sha256"], str)):
            raise ValueError(f"its file entry {entry['path']!r} is not a storage file")


def _target(folders: Mapping[str, Path], relative: str) -> Path:
    folder, _, name = relative.partition("/")
    return folders[folder] / name


def _fingerprint(path: Path) -> Optional[tuple[int, str]]:
    try:
        with open(path, "rb") as file:
            return os.fstat(file.fileno()).st_size, _copy(file, None)
    except FileNotFoundError:
        return None


def _copy(source: BinaryIO, target: Optional[Path]) -> str:
    """Stream source into target (if any); return its sha256."""
    digest = hashlib.sha256()
    with open(target, "xb") if target is not None else _nowhere() as out:
        while block := source.read(_CHUNK):
            digest.update(block)
            if out is not None:
                out.write(block)
    return digest.hexdigest()


@contextmanager
def _nowhere() -> Iterator[None]:
    yield None


def some_paths(paths: list[str], shown: int = 5) -> str:
    """Name the first few paths, and how many more there are."""
    more = f" and {len(paths) - shown} more" if len(paths) > shown else ""
    return ", ".join(paths[:shown]) + more


class _Hashing:
    """A file reader that hashes what it hands out (tarfile reads members through it)."""

    def __init__(self, file: BinaryIO):
        self.file, self.digest = file, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        block = self.file.read(size)
        self.digest.update(block)
        return block
