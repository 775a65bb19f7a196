"""The demo's front offices and its users, one per office they act for."""
from ...models import FrontOffice, OfficeKind
from .base import SeederBase
from .names import (
    AUTHORITY_OFFICE,
    CENTRAL_BODIES,
    DEMO_USERS,
    EMBASSIES,
    NC_HQ_OFFICE,
    OFFICE_TRANSLATIONS,
    PEOPLE,
    TASK_FORCE_OFFICE,
    embassy_name,
    nc_regional_name,
    regional_org_name,
)


class OfficeSeeder(SeederBase):
    """Creates the front offices and the demo users."""

    def office(self, name: str, kind: OfficeKind, **fields) -> FrontOffice:
        """Create a front office; its level follows from the kind."""
        n = len(self.offices) + 1
        name_kk, name_en = OFFICE_TRANSLATIONS.get(name, (None, None))
        self.offices[name] = self.add(FrontOffice(
            name=name, name_kk=name_kk, name_en=name_en, kind=kind,
            email=f"office{n:02d}@demo.irm.kz", **fields))
        return self.offices[name]

    def build_offices(self) -> None:
        """Create the authority, NC, Task Force, central bodies, regional offices, embassies."""
        self.office(AUTHORITY_OFFICE, OfficeKind.authority)
        hq = self.office(NC_HQ_OFFICE, OfficeKind.nc_hq)
        self.office(TASK_FORCE_OFFICE, OfficeKind.task_force, parent=hq)
        for name in CENTRAL_BODIES:
            self.office(name, OfficeKind.central_body)
        for code, region in self.regions.items():
            self.office(nc_regional_name(code), OfficeKind.nc_regional, region=region, parent=hq)
            self.office(regional_org_name(code), OfficeKind.regional_org, region=region)
        for code in EMBASSIES:
            self.office(embassy_name(code), OfficeKind.embassy, country=self.countries[code])

    def build_users(self, sm, password: str) -> None:
        """Create the demo users through FAB's security manager, each in its office."""
        self.session.flush()
        for username, role_name, office_name in DEMO_USERS:
            if sm.find_user(username=username):
                continue
            first, last = PEOPLE[username]
            role = sm.find_role(role_name)
            user = role and sm.add_user(username, first, last, f"{username}@demo.irm.kz", role,
                                        password=password, commit=False)
            if not user:
                raise RuntimeError(f"could not create the demo user {username!r}")
            user.front_office_id = self.offices[office_name].id
