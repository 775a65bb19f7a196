"""State-service accompaniment (Chapter 6, p. 22-28): applications filed on investors' behalf."""
from datetime import date, datetime
from typing import Optional

from flask_appbuilder import Model
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    or_,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now_utc, today_local
from .base import LabeledEnum, TimestampMixin, TranslatedNameMixin, VersionedMixin, enum_column
from .bounds import SYSTEM_TEXT_MAX, at_most, within
from .investors import Investor
from .org import OfficeUser, OwnedByOfficeMixin
from .types import UtcDateTime


class StateBodyKind(LabeledEnum):
    service_provider = "service_provider", _l("Услугодатель")
    quality_control = "quality_control", _l("Орган контроля качества госуслуг")
    other = "other", _l("Иной государственный орган")


class StateBody(TranslatedNameMixin, TimestampMixin, VersionedMixin, Model):
    """A state body: a service provider, the quality-control body, or a body responsible for an
    issue."""

    __tablename__ = "state_body"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)
    kind: Mapped[StateBodyKind] = enum_column(StateBodyKind, nullable=False,
                                              default=StateBodyKind.service_provider)
    email: Mapped[Optional[str]] = mapped_column(String(320))
    phone: Mapped[Optional[str]] = mapped_column(String(64))


class StateService(TranslatedNameMixin, TimestampMixin, VersionedMixin, Model):
    """A state service a provider renders, with its standard term in working days."""

    __tablename__ = "state_service"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[Optional[str]] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    provider_id: Mapped[int] = mapped_column(ForeignKey("state_body.id"), nullable=False,
                                             index=True)
    # At most a year of working days; 0: rendered on the day of the request.
    term_working_days: Mapped[int] = mapped_column(Integer, nullable=False, info=within(0, 250))

    provider: Mapped[StateBody] = relationship()

    def __str__(self) -> str:
        return gettext("%(name)s (%(days)s р.д.)", name=self.local_name,
                       days=self.term_working_days)


class ApplicantKind(LabeledEnum):
    organization = "organization", _l("Юридическое лицо")
    person = "person", _l("Физическое лицо")


class IdDocumentKind(LabeledEnum):
    id_card = "id_card", _l("Удостоверение личности")
    passport = "passport", _l("Паспорт")
    residence_permit = "residence_permit", _l("Вид на жительство")
    power_of_attorney = "power_of_attorney", _l("Доверенность")


class ApplicationStatus(LabeledEnum):
    """States of an application (p. 24-26); services.accompaniment holds the transitions."""

    received = "received", _l("Принято от инвестора")
    forwarded = "forwarded", _l("Направлено услугодателю")
    returned = "returned", _l("Возвращено услугодателем (несоответствие)")
    investor_notified = "investor_notified", _l("Инвестор уведомлён о возврате")
    corrected_received = "corrected_received", _l("Получены исправленные документы")
    result_ready = "result_ready", _l("Результат готов")
    handed_over = "handed_over", _l("Результат выдан инвестору")


application_services = Table(
    "service_application_service",
    Model.metadata,
    Column("application_id", ForeignKey("service_application.id", ondelete="CASCADE"),
           primary_key=True),
    Column("service_id", ForeignKey("state_service.id"), primary_key=True),
)


class ServiceApplication(OwnedByOfficeMixin, TimestampMixin, VersionedMixin, Model):
    """An investor's application for state services, per the Appendix form of the Rules."""

    __tablename__ = "service_application"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[Optional[str]] = mapped_column(String(32), unique=True)
    investor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("investor.id"), index=True)
    applicant_kind: Mapped[ApplicantKind] = enum_column(ApplicantKind, nullable=False,
                                                        default=ApplicantKind.organization)
    applicant_name: Mapped[str] = mapped_column(String(255), nullable=False)
    applicant_bin_iin: Mapped[Optional[str]] = mapped_column(String(12))
    id_document_kind: Mapped[IdDocumentKind] = enum_column(IdDocumentKind, nullable=False,
                                                           default=IdDocumentKind.id_card)
    id_document_number: Mapped[str] = mapped_column(String(64), nullable=False)
    id_document_issued_by: Mapped[Optional[str]] = mapped_column(String(255))
    id_document_issued_on: Mapped[Optional[date]] = mapped_column(Date)
    phone: Mapped[Optional[str]] = mapped_column(String(64))
    email: Mapped[Optional[str]] = mapped_column(String(320))
    address: Mapped[Optional[str]] = mapped_column(String(255))
    documents: Mapped[str] = mapped_column(Text, nullable=False)  # one accepted document per line
    consent: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    provider_id: Mapped[int] = mapped_column(ForeignKey("state_body.id"), nullable=False,
                                             index=True)
    status: Mapped[ApplicationStatus] = enum_column(
        ApplicationStatus, nullable=False, default=ApplicationStatus.received, index=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=now_utc)
    # Deadlines, all set by services.accompaniment from the working-day calendar.
    forward_due: Mapped[Optional[date]] = mapped_column(Date, index=True)
    provider_due: Mapped[Optional[date]] = mapped_column(Date, index=True)
    notify_due: Mapped[Optional[date]] = mapped_column(Date, index=True)
    expected_result_date: Mapped[Optional[date]] = mapped_column(Date)
    forwarded_at: Mapped[Optional[datetime]] = mapped_column(UtcDateTime)
    returned_at: Mapped[Optional[datetime]] = mapped_column(UtcDateTime)
    investor_notified_at: Mapped[Optional[datetime]] = mapped_column(UtcDateTime)
    corrected_received_at: Mapped[Optional[datetime]] = mapped_column(UtcDateTime)
    result_ready_at: Mapped[Optional[datetime]] = mapped_column(UtcDateTime)
    handed_over_at: Mapped[Optional[datetime]] = mapped_column(UtcDateTime)
    handover_document: Mapped[Optional[str]] = mapped_column(String(255))

    investor: Mapped[Optional[Investor]] = relationship()
    provider: Mapped[StateBody] = relationship()
    services: Mapped[list[StateService]] = relationship(secondary=application_services)
    events: Mapped[list["ApplicationEvent"]] = relationship(
        back_populates="application", order_by="ApplicationEvent.id",
        cascade="all, delete-orphan")
    violations: Mapped[list["ProviderViolation"]] = relationship(
        back_populates="application", order_by="ProviderViolation.id",
        cascade="all, delete-orphan")

    @hybrid_property
    def is_overdue(self) -> bool:
        """The office missed a 1-working-day step, or the provider its standard term."""
        today = today_local()
        return bool((self.forward_due and self.forward_due < today)
                    or (self.notify_due and self.notify_due < today)
                    or (self.status == ApplicationStatus.forwarded and self.provider_due
                        and self.provider_due < today))

    @is_overdue.expression
    def is_overdue(cls):
        today = today_local()
        return or_(cls.forward_due < today, cls.notify_due < today,
                   and_(cls.status == ApplicationStatus.forwarded, cls.provider_due < today))

    @property
    def deadline_state(self) -> str:
        """Say which deadline, if any, is missed, for lists."""
        today = today_local()
        if self.forward_due and self.forward_due < today:
            return str(_l("Не направлено услугодателю в срок"))
        if self.notify_due and self.notify_due < today:
            return str(_l("Инвестор не уведомлён в срок"))
        if self.status == ApplicationStatus.forwarded and self.provider_due \
                and self.provider_due < today:
            return str(_l("Услугодатель нарушил срок"))
        return str(_l("В срок"))

    @property
    def document_list(self) -> list[str]:
        """The accepted documents, one per line as typed."""
        return [line.strip() for line in (self.documents or "").splitlines() if line.strip()]

    def __str__(self) -> str:
        number = self.number or gettext("б/н")  # «без номера»
        return f"{number} {self.applicant_name}"


class ApplicationEvent(Model):
    """One step of an application: what was done, when, by whom."""

    __tablename__ = "service_application_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("service_application.id", ondelete="CASCADE"), nullable=False, index=True)
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    from_status: Mapped[Optional[ApplicationStatus]] = enum_column(ApplicationStatus)
    to_status: Mapped[ApplicationStatus] = enum_column(ApplicationStatus, nullable=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=now_utc)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"))
    due: Mapped[Optional[date]] = mapped_column(Date)  # the deadline this step had
    late: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    note: Mapped[Optional[str]] = mapped_column(Text)

    application: Mapped[ServiceApplication] = relationship(back_populates="events")
    user: Mapped[Optional[OfficeUser]] = relationship()


class ProviderViolation(Model):
    """A provider's breach of its standard term and the notice sent about it (p. 28)."""

    __tablename__ = "provider_violation"
    __table_args__ = (UniqueConstraint("application_id", "provider_due",
                                       name="uq_provider_violation_term"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("service_application.id", ondelete="CASCADE"), nullable=False, index=True)
    provider_due: Mapped[date] = mapped_column(Date, nullable=False)
    detected_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=now_utc)
    recipients: Mapped[str] = mapped_column(Text, nullable=False, info=at_most(SYSTEM_TEXT_MAX))
    text: Mapped[str] = mapped_column(Text, nullable=False, info=at_most(SYSTEM_TEXT_MAX))
    sent_at: Mapped[Optional[datetime]] = mapped_column(UtcDateTime)

    application: Mapped[ServiceApplication] = relationship(back_populates="violations")
