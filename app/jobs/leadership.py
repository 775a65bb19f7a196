"""Which scheduler process is the active one: whoever holds the scheduler lock.

Two or more `irm scheduler` processes may run (one per node); each tries the lock, the
holder runs the jobs and the others wait in standby, trying again every
IRM_SCHEDULER_STANDBY_POLL_SECONDS. On PostgreSQL the lock is a session-level advisory
lock on a connection of its own: when the holder dies, even by kill -9, its connection
closes and the server releases the lock, so a standby takes over at its next try. The
connection asks the server for TCP keepalives, so a holder whose whole node vanished is
noticed within about 25 seconds too. On SQLite (one machine) it is a file lock beside
the database.

The holder also fences its own claims (jobs/runs.py): a claim is written only in a
transaction that sees the lock still held by this process's lock connection, so a
holder that lost its lock without noticing cannot start a run its successor also starts.
"""
import fcntl
import logging
import os
import socket
import uuid
from pathlib import Path
from typing import Optional

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

# The advisory lock's key: pg_try_advisory_lock(int, int) takes two 32-bit halves.
LOCK_NAMESPACE = 0x49524D  # "IRM"
LOCK_KEY = 1
# Server-side keepalives on the lock connection: a dead peer is found in 10 + 3 x 5 s.
KEEPALIVES = "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3"


def holder_name() -> str:
    """Return this process's name in claims and logs: host, pid and a random tag."""
    return f"scheduler@{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class AdvisoryLock:
    """The PostgreSQL scheduler lock, held on a dedicated autocommit connection."""

    def __init__(self, url: str):
        self._engine = create_engine(
            make_url(url), poolclass=NullPool, isolation_level="AUTOCOMMIT",
            connect_args={"connect_timeout": 5, "application_name": "irm-scheduler-lock",
                          "options": KEEPALIVES})
        self._connection: Optional[Connection] = None
        self.backend_pid: Optional[int] = None

    def try_acquire(self) -> bool:
        """Take the lock if it is free; False when another process holds it or the
        database cannot be reached (the caller tries again later)."""
        try:
            if self._connection is None:
                self._connection = self._engine.connect()
            taken = self._connection.execute(text("SELECT pg_try_advisory_lock(:ns, :key)"),
                                             {"ns": LOCK_NAMESPACE, "key": LOCK_KEY}).scalar()
            if taken:
                self.backend_pid = self._connection.execute(
                    text("SELECT pg_backend_pid()")).scalar()
            return self.backend_pid is not None
        except Exception as error:  # the database is down: stay in standby
            log.warning("scheduler lock: database unreachable (%s)", error.__class__.__name__)
            self._drop_connection()
            return False

    def still_held(self) -> bool:
        """Whether the lock is held and its connection alive (the lock lives as long)."""
        if self.backend_pid is None:
            return False
        try:
            self._connection.execute(text("SELECT 1"))
            return True
        except Exception:
            self._drop_connection()
            return False

    def fence(self, connection: Connection) -> bool:
        """Whether, as seen in the caller's transaction, our lock connection holds the lock."""
        return bool(connection.execute(text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND classid = :ns AND objid = :key AND objsubid = 2 AND pid = :pid"),
            {"ns": LOCK_NAMESPACE, "key": LOCK_KEY, "pid": self.backend_pid}).scalar())

    def release(self) -> None:
        """Let the lock go (a clean shutdown: a standby takes over at its next try).
        Unlocked explicitly: the server ends a closed connection's backend a moment later."""
        if self._connection is not None and self.backend_pid is not None:
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:ns, :key)"),
                                         {"ns": LOCK_NAMESPACE, "key": LOCK_KEY})
            except Exception:
                pass  # the connection is gone, and the lock with it
        self._drop_connection()
        self._engine.dispose()

    def _drop_connection(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except Exception:
                pass
        self._connection = None
        self.backend_pid = None


class FileLock:
    """The SQLite scheduler lock: an exclusive flock on a file beside the database."""

    def __init__(self, path: Path):
        self._path = path
        self._file = None

    def try_acquire(self) -> bool:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self._path, "a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._file = handle
        return True

    def still_held(self) -> bool:
        return self._file is not None

    def fence(self, connection: Connection) -> bool:
        return self._file is not None  # the kernel keeps the lock while the process lives

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing the file drops the flock
            self._file = None


def lock_for(database_url: str, instance_dir: Path):
    """Return the scheduler lock that suits the database: one lock per database."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        return AdvisoryLock(database_url)
    if url.database and url.database != ":memory:":
        return FileLock(Path(url.database + ".scheduler-lock"))
    return FileLock(instance_dir / "scheduler.lock")


class Leadership:
    """This process as the active scheduler: its name and the lock it holds."""

    def __init__(self, name: str, lock):
        self.name = name
        self.lock = lock


# Set in the scheduler process once it holds the lock; None elsewhere (web, CLI).
active: Optional[Leadership] = None
