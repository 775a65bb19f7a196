"""The roles of the Rules, by name: what declarations and the security layer both refer to."""

ADMIN = "Admin"
AUTHORITY = "Authority"  # the authorized body
NATIONAL_COMPANY = "NationalCompany"
TASK_FORCE = "TaskForce"
EXTERNAL = "External"  # investment officers abroad
REGIONAL = "Regional"

ROLE_NAMES = (ADMIN, AUTHORITY, NATIONAL_COMPANY, TASK_FORCE, EXTERNAL, REGIONAL)
