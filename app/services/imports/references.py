"""Names in a spreadsheet turned into records, looked up once per import, not once per row."""
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Country, FrontOffice, Investor, Region, Sector
from ...scoping import OfficeScope, read_clause
from .columns import CellError, fold

NOT_FOUND = {
    "region": _l("Такого региона нет в справочнике: укажите название или код (KZ-75)."),
    "sector": _l("Такой отрасли нет в справочнике: укажите название или код отрасли."),
    "country": _l("Такой страны нет в справочнике: укажите название или код (DE, CN)."),
    "office": _l("Такого фронт-офиса нет: укажите название офиса, как в справочнике."),
}
class References:
    """Reference data and the user's readable investors, keyed by every way a file names them."""

    def __init__(self, session: Session, scope: OfficeScope):
        self.session, self.scope = session, scope
        self.tables = {
            "region": self._named(Region, "code"),
            "sector": self._named(Sector, "code"),
            "country": self._named(Country, "alpha2"),
            "office": {fold(o.name): o for o in session.execute(select(FrontOffice)).scalars()},
        }
        self._investors = None

    def _named(self, model, code: str) -> dict:
        found = {}
        for record in self.session.execute(select(model)).scalars():
            for key in (record.name_ru, record.name_kk, record.name_en, getattr(record, code)):
                found[fold(key)] = record
        return found

    def find(self, kind: str, text: str):
        """Return the record a cell names, or raise CellError saying what to write instead."""
        record = self.tables[kind].get(fold(text))
        if record is None:
            raise CellError(NOT_FOUND[kind])
        return record

    def investor(self, bin_: Optional[str], name: Optional[str]) -> int:
        """Return the id of the readable investor with this BIN, else the only one so named."""
        if self._investors is None:
            self._load_investors()
        by_bin, by_name = self._investors
        if bin_:
            if bin_ in by_bin:
                return by_bin[bin_]
            raise CellError(_l("Инвестора с таким БИН нет среди ваших: сначала добавьте "
                               "или импортируйте инвестора."))
        ids = by_name.get(fold(name or ""), [])
        if len(ids) == 1:
            return ids[0]
        if ids:
            raise CellError(_l("Инвесторов с таким наименованием несколько: укажите БИН."))
        raise CellError(_l("Инвестора с таким наименованием нет среди ваших: сначала "
                           "добавьте или импортируйте инвестора."))

    def _load_investors(self) -> None:
        by_bin, by_name = {}, {}
        rows = self.session.execute(select(Investor.id, Investor.bin, Investor.name)
                                    .where(read_clause(Investor, self.scope)))
        for investor_id, bin_, name in rows:
            if bin_:
                by_bin[bin_] = investor_id
            by_name.setdefault(fold(name), []).append(investor_id)
        self._investors = by_bin, by_name
