"""State-service applications accompanied by the offices, walked through their workflow."""
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from ...models import (
    ApplicantKind,
    FrontOffice,
    IdDocumentKind,
    OfficeKind,
    ProviderViolation,
    ServiceApplication,
)
from ..accompaniment import apply_transition, provider_term
from .base import DEMO_TODAY, LAST_DAY, SeederBase
from .names import FEMALE_NAMES, NC_HQ_OFFICE, nc_regional_name, regional_org_name
from .state_bodies import NATIONAL_PROVIDERS, REGIONAL_PROVIDERS

# Where each scripted application ends up; offices not listed draw from OTHER_APPLICATIONS.
APPLICATION_PLANS = {
    regional_org_name("KZ-75"): ("handed_over", "handed_over", "handed_over", "handed_over",
                                 "result_ready", "forwarded", "forwarded_late", "returned",
                                 "corrected_received", "received"),
    regional_org_name("KZ-61"): ("handed_over", "handed_over", "handed_over", "handed_over",
                                 "result_ready", "forwarded", "forwarded_late",
                                 "investor_notified", "received", "received_overdue"),
    nc_regional_name("KZ-75"): ("handed_over", "handed_over", "handed_over", "forwarded",
                                "result_ready", "received"),
    NC_HQ_OFFICE: ("handed_over", "handed_over", "handed_over", "handed_over",
                   "forwarded_late", "forwarded", "returned", "result_ready"),
}
OTHER_APPLICATIONS = {"handed_over": 14, "result_ready": 3, "forwarded": 4,
                      "forwarded_late": 1, "investor_notified": 2, "received": 2}
# The workflow actions leading to each end state (a return cycle may be added).
APPLICATION_PATHS = {
    "received": (), "received_overdue": (), "forwarded": ("forward",),
    "forwarded_late": ("forward",), "returned": ("forward", "provider_returned"),
    "investor_notified": ("forward", "provider_returned", "notify_investor"),
    "corrected_received": ("forward", "provider_returned", "notify_investor",
                           "receive_corrected"),
    "result_ready": ("forward", "result_ready"),
    "handed_over": ("forward", "result_ready", "hand_over"),
}
RETURN_CYCLE = ("provider_returned", "notify_investor", "receive_corrected", "forward")
COMMON_DOCUMENTS = ("Заявление по форме приложения к Правилам",
                    "Копия документа, удостоверяющего личность представителя")
STREETS = ("пр. Абая", "ул. Толе би", "ул. Кабанбай батыра", "ул. Сейфуллина",
           "ул. Жибек жолы", "ул. Байтурсынова", "пр. Аль-Фараби", "ул. Тауке хана")
ID_DOCUMENT_NAMES = {IdDocumentKind.id_card: "Удостоверение личности",
                     IdDocumentKind.passport: "Паспорт",
                     IdDocumentKind.residence_permit: "Вид на жительство",
                     IdDocumentKind.power_of_attorney: "Доверенность"}


class ApplicationSeeder(SeederBase):
    """Creates the service applications and applies the workflow actions to each."""

    def build_service_applications(self) -> None:
        """Create about 60 applications and walk each through the workflow to its end state."""
        plans = [(self.offices[name], target)
                 for name, targets in APPLICATION_PLANS.items() for target in targets]
        others = {kind: [o for o in self.offices.values()
                         if o.kind == kind and o.name not in APPLICATION_PLANS]
                  for kind in (OfficeKind.regional_org, OfficeKind.nc_regional)}
        for office in (self.rng.sample(others[OfficeKind.regional_org], 18)
                       + self.rng.sample(others[OfficeKind.nc_regional], 8)):
            plans.append((office, self.pick(OTHER_APPLICATIONS)))
        specs = [self.application_spec(office, target) for office, target in plans]
        for spec in sorted(specs, key=lambda spec: spec["received_at"]):  # numbers by date
            target = spec.pop("target")
            item = self.add(ServiceApplication(**spec))
            self.session.flush()
            self.walk(item, target)
        for violation in self.session.scalars(select(ProviderViolation)):
            violation.sent_at = violation.detected_at  # notified back then, not e-mailed now

    def application_spec(self, office: FrontOffice, target: str) -> dict:
        """Return the fields of a new application of an office, and its planned end state."""
        regional = REGIONAL_PROVIDERS.get(office.region.code if office.region else None, ())
        provider = self.rng.choice(regional if regional and self.rng.random() < 0.7
                                   else NATIONAL_PROVIDERS)
        offered = self.services[provider]
        services = self.rng.sample(offered, min(len(offered), self.rng.choice((1, 1, 2))))
        received = self.application_arrival(target, max(s.term_working_days for s in services))
        investor = self.rng.choice(self.investors[office.name])
        representative = investor.contact_person
        female = representative.split()[0] in FEMALE_NAMES
        if investor.bin:
            kind, name, bin_iin = ApplicantKind.organization, investor.name, investor.bin
            document = self.pick({IdDocumentKind.id_card: 55,
                                  IdDocumentKind.power_of_attorney: 45})
        elif self.rng.random() < 0.5:
            kind, bin_iin = ApplicantKind.organization, self.next_bin("51")
            name = f"Филиал {investor.name} в Республике Казахстан"
            document = IdDocumentKind.power_of_attorney
        else:
            kind, name, bin_iin = ApplicantKind.person, representative, self.next_iin(female)
            document = self.pick({IdDocumentKind.id_card: 60,
                                  IdDocumentKind.residence_permit: 25,
                                  IdDocumentKind.passport: 15})
        if document == IdDocumentKind.power_of_attorney:
            number, issued_by = f"{self.rng.randint(3, 180)}-Д", name
            issued_on = self.local_day(received) - timedelta(days=self.rng.randint(3, 90))
        else:
            number = {IdDocumentKind.id_card: "0", IdDocumentKind.passport: "N",
                      IdDocumentKind.residence_permit: "F"}[document] \
                + str(self.rng.randint(10**7, 10**8 - 1))
            issued_by, issued_on = "МВД РК", self.day(date(2015, 1, 1), date(2025, 6, 30))
        documents = list(COMMON_DOCUMENTS)
        if document == IdDocumentKind.power_of_attorney:
            documents.append("Доверенность на представление интересов заявителя")
        if kind == ApplicantKind.organization:
            documents.append("Справка о государственной регистрации юридического лица")
        for service in services:
            documents += self.service_documents.get(service.code, ())
        if self.rng.random() < 0.4:
            documents.append("Квитанция об оплате государственной пошлины")
        place = office.region.name_ru if office.region else "город Астана"
        return dict(
            target=target, owner_office=office, investor=investor, applicant_kind=kind,
            applicant_name=name[:255], applicant_bin_iin=bin_iin, id_document_kind=document,
            id_document_number=number, id_document_issued_by=issued_by[:255],
            id_document_issued_on=issued_on, phone=investor.phone, email=investor.email,
            address=f"{place}, {self.rng.choice(STREETS)}, {self.rng.randint(1, 240)}",
            documents="\n".join(dict.fromkeys(documents)), consent=True,
            provider=self.bodies[provider], services=services, received_at=received)

    def application_arrival(self, target: str, term: int) -> datetime:
        """Return when an application was accepted, so that it can reach its end state
        by the demo's today: old for handed-over ones, days ago for those still open."""
        if target == "received":
            if self.rng.random() < 0.3:
                return self.moment(date(2026, 11, 23), time(18, 5), time(19, 0))
            return self.moment(LAST_DAY, time(9, 30), time(16, 30))
        if target == "received_overdue":
            return self.moment(self.rng.choice((date(2026, 11, 19), date(2026, 11, 20))),
                               time(9, 30), time(16, 30))
        if target == "result_ready":
            day = self.working_days_back(LAST_DAY, term + self.rng.randint(2, 6))
            return self.moment(day, time(9, 30), time(17, 0))
        if target == "forwarded":  # the provider's term runs past the demo's today
            start = min(self.working_days_back(DEMO_TODAY, term), LAST_DAY)
            end = max(start, date(2026, 11, 23))
        else:
            start, end = {"handed_over": (date(2026, 1, 12), date(2026, 10, 20)),
                          "forwarded_late": (date(2026, 9, 14), date(2026, 10, 28)),
                          "returned": (date(2026, 11, 16), date(2026, 11, 19)),
                          "investor_notified": (date(2026, 10, 19), date(2026, 11, 13)),
                          "corrected_received": (date(2026, 10, 12), date(2026, 11, 6))}[target]
        return self.arrival(start, end, evening=0.08, weekend=0)

    def walk(self, item: ServiceApplication, target: str) -> None:
        """Apply the workflow actions leading to the target state at realistic moments;
        stop at a step that would fall after the demo's today."""
        path = list(APPLICATION_PATHS[target])
        if target in ("handed_over", "result_ready") and self.rng.random() < 0.2:
            path[1:1] = RETURN_CYCLE
        late_provider = self.rng.random() < 0.15
        previous = item.received_at
        user_id = self.user_id(item.owner_office)
        for n, action in enumerate(path):
            day = self.step_day(item, action, previous, target, late_provider)
            if n == len(path) - 1:  # the planned end state is reached by the demo's today
                day = max(min(day, LAST_DAY), self.local_day(previous))
            at = self.moment(day, time(9, 30), time(17, 45), after=previous)
            if at > self.last_moment:
                break
            apply_transition(self.session, item, action, user_id=user_id, at=at,
                             handover_document=self.handover_document(item)
                             if action == "hand_over" else None)
            previous = at

    def step_day(self, item: ServiceApplication, action: str, previous: datetime, target: str,
                 late_provider: bool) -> date:
        """Return the day an action happens, mostly within its term, sometimes after it."""
        calendar = self.calendar
        start = calendar.registration_day(previous)
        if action == "forward":
            if target != "forwarded" and self.rng.random() < 0.08:
                return calendar.add_working_days(item.forward_due, self.rng.randint(1, 2))
            return start if self.rng.random() < 0.5 else item.forward_due
        if action == "provider_returned":
            return calendar.add_working_days(
                start, self.rng.randint(1, max(1, min(3, provider_term(item)))))
        if action == "notify_investor":
            if self.rng.random() < 0.1:
                return calendar.add_working_days(item.notify_due, self.rng.randint(1, 2))
            return self.local_day(previous) if self.rng.random() < 0.4 else item.notify_due
        if action == "receive_corrected":
            if target == "corrected_received":
                return LAST_DAY
            return self.working_on_or_after(
                self.local_day(previous) + timedelta(days=self.rng.randint(2, 12)))
        if action == "result_ready":
            if late_provider:
                return calendar.add_working_days(item.provider_due, self.rng.randint(1, 6))
            term = provider_term(item)
            return calendar.add_working_days(calendar.registration_day(item.forwarded_at),
                                             self.rng.randint(max(1, (term + 1) // 2), term))
        return calendar.add_working_days(start, self.rng.randint(1, 5))  # hand_over

    @staticmethod
    def handover_document(item: ServiceApplication) -> str:
        """Return the document the result was handed over on: the one shown on acceptance."""
        name = ID_DOCUMENT_NAMES[item.id_document_kind]
        if item.id_document_kind == IdDocumentKind.power_of_attorney:
            return f"{name} № {item.id_document_number} от {item.id_document_issued_on:%d.%m.%Y}"
        return f"{name} № {item.id_document_number}"
