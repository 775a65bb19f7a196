"""Run an import: a dry run that finds every error, then a write that saves all or nothing.

Both passes read the file row by row and put each row through the same record rules as
forms and the API (services.validation); the write pass checks again, because the data
may have changed since the dry run, and rolls back on the first error it finds.
"""
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import false, func, null, select
from sqlalchemy.orm import Session

from ...models import ImportKind, Investor, NicheProject, Project
from ...scoping import (
    OFFICE_NOT_WRITABLE,
    OfficeScope,
    may_assign_office,
    read_clause,
    write_clause,
)
from ..exports import OWN_CODE_PREFIX
from ..look_alikes import look_alikes
from ..validation import validate_record
from ..xlsx_reader import SheetRow
from .columns import CellError, HeaderMap, fold
from .references import References

MODELS = {ImportKind.investors: Investor, ImportKind.projects: Project,
          ImportKind.niche_projects: NicheProject}
# Checked for the whole file at once (keys, scope of links), not by a query per row.
TRUSTED = frozenset({"bin", "external_id", "investor", "investor_id", "owner_office",
                     "owner_office_id", "region", "sector", "country"})
KEPT = 500  # errors and warnings stored per import; the count says how many in all
FLUSH_EVERY = 1000

FILL_IN = _l("Заполните ячейку.")
TAKEN_ELSEWHERE = _l("Эту запись (тот же БИН или код) ведёт другой офис: импорт её не изменит.")
READ_ONLY_ROW = _l("Эту запись ведёт другой офис: строка пропущена, запись не изменена.")
READ_ONLY = "read-only"  # _match: a record the user reads and another office keeps
REPEATED = _l("То же значение уже было в строке %(row)s.")
OWN_CODE_UNKNOWN = _l("Коды вида IRM-… присваивает платформа, а проекта с таким кодом нет: "
                     "для нового проекта укажите свой код.")
LOOKS_LIKE_ELSEWHERE = _l("Похож на инвестора, которого ведёт другой офис: проверьте, не "
                          "дубликат ли это.")
LOOKS_LIKE = _l("Похож на уже зарегистрированного инвестора «%(name)s» (БИН %(bin)s): "
                "проверьте, не дубликат ли это.")


@dataclass
class Outcome:
    """What a pass found and did."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    error_count: int = 0
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    def error(self, row: int, column: Any, message: Any) -> None:
        self.error_count += 1
        if len(self.errors) < KEPT:
            self.errors.append({"row": row, "column": str(column or ""), "message": str(message)})

    def warn(self, row: int, column: Any, message: Any) -> None:
        if len(self.warnings) < KEPT:
            self.warnings.append({"row": row, "column": str(column or ""),
                                  "message": str(message)})


class Importer:
    """Puts the rows of one file into records of one kind, within one user's scope."""

    def __init__(self, session: Session, kind: ImportKind, scope: OfficeScope,
                 headers: HeaderMap):
        self.session, self.kind, self.scope = session, kind, scope
        self.model = MODELS[kind]
        self.headers = headers
        self.header_of = {c.key: h for h, c in headers.columns.items()}
        self.refs = References(session, scope)
        self.owners: dict[int, int] = {}  # record id -> its office, for rules on updates
        self.existing = self._existing_keys()
        self.seen: dict[str, int] = {}  # key -> first row, to catch a record given twice

    def run(self, rows: Iterator[SheetRow], write: bool,
            progress: Callable[[int], None] = lambda done: None) -> Outcome:
        """Check (and with write=True save) every row; on a write, any error saves nothing."""
        outcome, batch = Outcome(), []
        with self.session.no_autoflush:
            for row in rows:
                outcome.rows += 1
                checked = self._row(row, outcome)
                if checked is not None and write and not outcome.error_count:
                    batch.append(checked)
                if outcome.rows % FLUSH_EVERY == 0:
                    self._write(batch)
                    batch = []
                    progress(outcome.rows)
            if not outcome.error_count:
                self._write(batch)
        return outcome

    def _row(self, row: SheetRow, outcome: Outcome) -> Optional[tuple[Optional[int], dict]]:
        """Return (id of the record to update or None, values) for a row without errors."""
        values, failed = self._values(row, outcome)
        if failed:
            return None
        key = self._key(values)
        if key is not None and key in self.seen:
            column = self.header_of.get("external_id") or self.header_of.get(
                "bin" if values.get("bin") else "name")
            outcome.error(row.number, column, REPEATED % {"row": self.seen[key]})
            return None
        if key is not None:
            self.seen[key] = row.number
        item_id = self._match(values, key)
        if item_id is READ_ONLY:
            # A row of a file exported from here (the unified pool every office reads) whose
            # record another office keeps: left as it is, the rest of the file imports.
            outcome.warn(row.number, self.header_of.get("external_id"), READ_ONLY_ROW)
            return None
        office = values.get("owner_office_id")
        if office is not None and not may_assign_office(self.session, office, self.model,
                                                         self.scope):
            outcome.error(row.number, self.header_of["owner_office"], OFFICE_NOT_WRITABLE)
            return None
        if item_id is None and (key or "").startswith(OWN_CODE_PREFIX):
            outcome.error(row.number, self.header_of.get("external_id"), OWN_CODE_UNKNOWN)
            return None
        if item_id is False:
            outcome.error(row.number, self.header_of.get("external_id")
                          or self.header_of.get("bin") or self.header_of.get("name"),
                          TAKEN_ELSEWHERE)
            return None
        if item_id is None and self.model is Investor:
            self._warn_if_duplicate(row.number, values, outcome)
        if item_id is None:
            values.setdefault("owner_office_id", self.scope.own_office_id)
        # An update without an office column keeps its office, and is checked against it.
        checked = {"owner_office_id": self.owners.get(item_id), **values}
        errors = validate_record(self.session, self.model, checked, item_id, trusted=TRUSTED)
        for name, messages in errors.items():
            for message in messages:
                outcome.error(row.number, self.header_of.get(name, name), message)
        if errors:
            return None
        if item_id is None:
            outcome.created += 1
        else:
            outcome.updated += 1
        return item_id, values

    def _write(self, batch: list[tuple[Optional[int], dict]]) -> None:
        """Save checked rows: the records they update are loaded together, then one flush."""
        if not batch:
            return
        ids = [item_id for item_id, _ in batch if item_id]
        loaded = {r.id: r for r in self.session.execute(
            select(self.model).where(self.model.id.in_(ids))).scalars()} if ids else {}
        # Routing a project reads its investor: load the batch's investors in one query too.
        investors = self.session.execute(select(Investor).where(Investor.id.in_(
            {v["investor_id"] for _, v in batch if v.get("investor_id")}))).scalars().all() \
            if self.model is Project else []
        for item_id, values in batch:
            record = loaded[item_id] if item_id else self.model()
            for name, value in values.items():
                setattr(record, name, value)
            if item_id is None:
                self.session.add(record)
        self.session.flush()
        del investors  # kept referenced until the flush has used them

    def _values(self, row: SheetRow, outcome: Outcome) -> tuple[dict, bool]:
        """Return the row's cells read into record values, and whether any cell failed."""
        values, failed = {}, False
        for header, column in self.headers.columns.items():
            raw = row.values.get(header)
            try:
                value = None if raw is None or (isinstance(raw, str) and not raw.strip()) \
                    else column.read(raw)
                if value is not None and getattr(column.read, "reference", None):
                    value = self.refs.find(column.read.reference, value)
            except CellError as error:
                outcome.error(row.number, header, error.args[0])
                failed = True
                continue
            if value is None and column.required:
                outcome.error(row.number, header, FILL_IN)
                failed = True
            values[column.key] = value
        if failed:
            return values, True
        office = values.pop("owner_office", None)  # none given: a new record is the user's
        if office is not None:
            values["owner_office_id"] = office.id
        if self.model is Project:
            try:
                values["investor_id"] = self.refs.investor(values.pop("investor_bin", None),
                                                           values.pop("investor_name", None))
            except CellError as error:
                outcome.error(row.number, self.header_of.get("investor_bin")
                              or self.header_of.get("investor_name"), error.args[0])
                return values, True
        for name in [n for n, v in values.items() if v is None]:
            if name in ("stage", "status", "ownership", "jobs"):
                values.pop(name)  # left to the model's default on a new record, kept on an old
        return values, False

    def _key(self, values: dict) -> Optional[str]:
        """Return what finds the row's record again: BIN (else name and country), or code."""
        if self.model is not Investor:
            return values.get("external_id")
        if values.get("bin"):
            return values["bin"]
        return f"{fold(values['name'])}\x00{values['country'].id}"

    def _existing_keys(self) -> dict[str, tuple[int, bool]]:
        """Return {key: (record id, writable)} of every record that has one, any office's."""
        writable, owner = write_clause(self.model, self.scope), self.model.owner_office_id
        if self.model is Investor:
            keys = select(func.coalesce(Investor.bin, Investor.name), Investor.bin.is_(None),
                          Investor.country_id)
        else:
            keys = select(self.model.external_id, false(), null()).where(
                self.model.external_id.is_not(None))
        existing = {}
        for key, by_name, country_id, record_id, may, office in self.session.execute(
                keys.add_columns(self.model.id, writable, owner)):
            existing[f"{fold(key)}\x00{country_id}" if by_name else key] = (record_id, bool(may))
            self.owners[record_id] = office
        return existing

    def _match(self, values: dict, key: Optional[str]):
        """Return the id of the record this row updates, None for a new one, False if barred."""
        if key is None:
            return None
        found = self.existing.get(key)
        if found is None and self.model is Project and key.startswith(OWN_CODE_PREFIX):
            found = self._own_code(key)  # exported from here: IRM-<id>
            if found is not None:
                values.pop("external_id")  # the project keeps having no external id
                if not found[1]:
                    return READ_ONLY  # read, as the pool is, and kept by another office
        if found is None:
            return None
        record_id, writable = found
        return record_id if writable else False

    def _own_code(self, key: str) -> Optional[tuple[int, bool]]:
        number = key[len(OWN_CODE_PREFIX):]
        if not number.isdigit():
            return None
        # Only a project the user may read: another office's does not exist for this file.
        row = self.session.execute(select(Project.id, write_clause(Project, self.scope),
                                          Project.owner_office_id)
                                   .where(Project.id == int(number),
                                          read_clause(Project, self.scope))).first()
        if row is None:
            return None
        self.owners[row[0]] = row[2]
        return row[0], bool(row[1])

    def _warn_if_duplicate(self, number: int, values: dict, outcome: Outcome) -> None:
        """Warn of a new investor named like a registered one; another office's stays unnamed."""
        found = look_alikes(self.session, values.get("name"), self.scope)
        others = [one for one in found.readable if one.bin != values.get("bin")]
        if others:
            message = LOOKS_LIKE % {"name": others[0].name, "bin": others[0].bin or "—"}
        elif found.elsewhere:
            message = LOOKS_LIKE_ELSEWHERE
        else:
            return
        outcome.warn(number, self.header_of.get("name"), message)
