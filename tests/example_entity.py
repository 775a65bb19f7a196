"""A new entity served from its declaration alone, in a process of its own so its table and
declaration stay out of the rest of the suite: `python -m tests.example_entity <database URL>`.

It declares a model and an Entity here, and nothing else: no edit to security/roles.py,
app/__init__.py or any module of app/api. It prints what a regional user then meets.
"""
import json
import sys

from flask_appbuilder import Model
from sqlalchemy import Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from app.entities import Access, Api, Entity, Page
from app.models.base import TimestampMixin, VersionedMixin
from app.models.org import OwnedByOfficeMixin


class Gadget(OwnedByOfficeMixin, TimestampMixin, VersionedMixin, Model):
    """The example: a record an office keeps."""

    __tablename__ = "example_gadget"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)


GADGET = Entity(
    "Gadget", Gadget, Access.RECORD,
    pages=(Page(menu="Gadgets", label="Gadgets", icon="fa-cube", category="Records"),),
    api=Api("gadget", ("id", "name", "owner_office.id")),
    add_columns=("name", "owner_office"),
    search_columns=("name",),
)


def main(url: str) -> dict:
    import config
    from app import create_app
    from app.extensions import db
    from app.security.roles import role_pairs
    from app.security.sync import sync_security
    from tests import scenario

    app = create_app(config.TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        Gadget.__table__.create(db.engine)  # a real entity has its migration
        sync_security(app.appbuilder)  # as `flask irm init-db` does after migrating
        world = scenario.build(db.session, app.appbuilder.sm)
        own, other = world["offices"]["ALM"], world["offices"]["TUR"]
        theirs = Gadget(name="gadget of Turkestan", owner_office_id=other)
        db.session.add_all([Gadget(name="gadget of Almaty", owner_office_id=own), theirs])
        db.session.commit()
        theirs_id = theirs.id
    page = app.test_client()
    page.post("/login/", data={"username": "region.almaty", "password": scenario.PASSWORD})
    listed = page.get("/gadgetview/list/").get_data(as_text=True)
    home = page.get("/").get_data(as_text=True)
    api = app.test_client()
    token = api.post("/api/v1/security/login", json={
        "username": "region.almaty", "password": scenario.PASSWORD,
        "provider": "db"}).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    created = api.post("/api/v1/gadget/", json={"name": "gadget from the API",
                                                  "owner_office": own}, headers=headers)
    refused = api.post("/api/v1/gadget/", json={"name": "into another office",
                                                  "owner_office": other}, headers=headers)
    listed_by_api = api.get("/api/v1/gadget/", headers=headers).json
    with app.app_context():
        saved = db.session.execute(select(Gadget.name).order_by(Gadget.id)).scalars().all()
        db.engine.dispose()
    return {
        "page_lists_own": "gadget of Almaty" in listed,
        "page_lists_other": "gadget of Turkestan" in listed,
        "menu_entry": "/gadgetview/list/" in home,
        "api_created": created.status_code,
        "api_refused_other_office": refused.status_code,
        "api_names": sorted(item["name"] for item in listed_by_api["result"]),
        "api_other_by_id": api.get(f"/api/v1/gadget/{theirs_id}", headers=headers).status_code,
        "saved": saved,
        "regional_may_write": ("Gadget", "can_write") in role_pairs()["Regional"],
        "authority_may_write": ("Gadget", "can_write") in role_pairs()["Authority"],
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
