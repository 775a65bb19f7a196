"""Front offices of the three levels and the user who belongs to exactly one of them."""
from typing import Optional

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship, validates

from .base import LabeledEnum, TimestampMixin, TranslatedNameMixin, VersionedMixin, enum_column
from .reference import Country, Region


class OfficeLevel(LabeledEnum):
    """The three levels of the front-office system (p. 2.11, p. 3)."""

    external = "external", _l("Внешний уровень")
    central = "central", _l("Центральный уровень")
    regional = "regional", _l("Региональный уровень")


class OfficeKind(LabeledEnum):
    """What kind of body a front office is; the level follows from it."""

    embassy = "embassy", _l("Загранучреждение (посольство)")
    consulate = "consulate", _l("Загранучреждение (консульство)")
    nc_abroad = "nc_abroad", _l("Представительство НК за рубежом")
    authority = "authority", _l("Уполномоченный орган")
    nc_hq = "nc_hq", _l("Национальная компания (центральный аппарат)")
    task_force = "task_force", _l("Task Force")
    central_body = "central_body", _l("Центральный государственный орган")
    atameken = "atameken", _l("НПП «Атамекен»")
    holding = "holding", _l("Национальный холдинг / компания")
    nc_regional = "nc_regional", _l("Региональное представительство НК")
    regional_org = "regional_org", _l("Региональная организация")
    local_body = "local_body", _l("Подразделение местного исполнительного органа")


LEVEL_OF_KIND = {
    OfficeKind.embassy: OfficeLevel.external,
    OfficeKind.consulate: OfficeLevel.external,
    OfficeKind.nc_abroad: OfficeLevel.external,
    OfficeKind.authority: OfficeLevel.central,
    OfficeKind.nc_hq: OfficeLevel.central,
    OfficeKind.task_force: OfficeLevel.central,
    OfficeKind.central_body: OfficeLevel.central,
    OfficeKind.atameken: OfficeLevel.central,
    OfficeKind.holding: OfficeLevel.central,
    OfficeKind.nc_regional: OfficeLevel.regional,
    OfficeKind.regional_org: OfficeLevel.regional,
    OfficeKind.local_body: OfficeLevel.regional,
}

# Offices that belong to the National Company (what "NC data" means for the Task Force).
NATIONAL_COMPANY_KINDS = (OfficeKind.nc_hq, OfficeKind.task_force,
                          OfficeKind.nc_regional, OfficeKind.nc_abroad)


class FrontOffice(TranslatedNameMixin, TimestampMixin, VersionedMixin, Model):
    """A front office: an embassy, the NC, the Task Force, a regional organization, ..."""

    __tablename__ = "front_office"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)
    level: Mapped[OfficeLevel] = enum_column(OfficeLevel, nullable=False, index=True)
    kind: Mapped[OfficeKind] = enum_column(OfficeKind, nullable=False, index=True)
    region_id: Mapped[Optional[int]] = mapped_column(ForeignKey("region.id"), index=True)
    country_id: Mapped[Optional[int]] = mapped_column(ForeignKey("country.id"), index=True)
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("front_office.id"))
    email: Mapped[Optional[str]] = mapped_column(String(320))
    phone: Mapped[Optional[str]] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    region: Mapped[Optional[Region]] = relationship(lazy="joined")
    country: Mapped[Optional[Country]] = relationship(lazy="joined")
    parent: Mapped[Optional["FrontOffice"]] = relationship(remote_side=[id])

    @validates("kind")
    def _level_follows_kind(self, key, kind):
        # The level is never typed in: an embassy is external, a regional organization regional.
        self.level = LEVEL_OF_KIND[OfficeKind(kind)]
        return kind

    # The scoping layer reads the owning office of a record from this column.
    __office_column__ = "id"


class OfficeUser(User):
    """A platform user; every user belongs to exactly one front office."""

    __tablename__ = "ab_user"
    front_office_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("front_office.id"), index=True
    )
    front_office: Mapped[Optional[FrontOffice]] = relationship(
        foreign_keys=[front_office_id]
    )

    # The language the user chose (ru, kk, en): pages after sign-in, notices and e-mails.
    locale: Mapped[Optional[str]] = mapped_column(String(5))

    # Users are scoped by their office, so assignee dropdowns list colleagues only.
    __office_column__ = "front_office_id"
    # Colleagues are picked by name (surname, given name), or by login (views/lookup.py).
    __lookup_columns__ = ("last_name", "first_name", "username")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class OwnedByOfficeMixin:
    """A record that belongs to the front office that keeps it; the scoping reads this column."""

    @declared_attr
    def owner_office_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("front_office.id"), nullable=False, index=True)

    @declared_attr
    def owner_office(cls) -> Mapped[FrontOffice]:
        return relationship(FrontOffice)
