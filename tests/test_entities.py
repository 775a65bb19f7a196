"""One declaration per entity (app/entities): a new entity needs its model, its migration,
its declaration and its tests, and nothing in roles, the app factory or the API modules."""
import json
import subprocess
import sys
from pathlib import Path

from app.entities import declared
from app.security.roles import role_permissions

ROOT = Path(__file__).resolve().parent.parent


def test_a_new_entity_is_served_from_its_declaration_alone(app, database_templates):
    url = database_templates.copy(app.config["IRM_TEST_BACKEND"])
    run = subprocess.run([sys.executable, "-m", "tests.example_entity", url], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen == {
        "page_lists_own": True, "page_lists_other": False, "menu_entry": True,
        "api_created": 201, "api_refused_other_office": 422,
        "api_names": ["gadget from the API", "gadget of Almaty"], "api_other_by_id": 404,
        "saved": ["gadget of Almaty", "gadget of Turkestan", "gadget from the API"],
        "regional_may_write": True, "authority_may_write": False,
    }
    database_templates.drop(url)


def test_every_permission_resource_and_menu_comes_from_a_declaration(app):
    """What roles grant is what the declarations say, and every view and API the app serves
    belongs to a declared entity (FAB's own security pages and the home page excepted)."""
    resources = {entity.resource for entity in declared()}
    granted = {resource for grants in role_permissions().values()
               for resource, permission in grants if permission != "menu_access"}
    fab_own = {"UserDBModelView", "ResetMyPasswordView", "UserInfoEditView"}
    assert granted - fab_own == resources
    served = {view.class_permission_name for view in app.appbuilder.baseviews
              if getattr(view, "class_permission_name", None)
              and type(view).__module__.startswith("app.")}
    # FAB's own pages and APIs, some of them subclassed here (labels in the user's language).
    assert served - resources <= {"HomeView", "IrmAuthDBView", "OfficeUserView", "MenuApi",
                                  "OpenApi", "SwaggerView", "UserStatsChartView"}
    assert resources <= served
