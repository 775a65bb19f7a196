"""Foundations: exact money, UTC storage shown in Kazakhstan time, schema from migrations,
secrets."""
from datetime import datetime, timezone
from decimal import Decimal

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_appbuilder import Model
from sqlalchemy import func, select

import config
from app.extensions import db
from app.models import Agreement, FrontOffice, Project
from app.views.formatting import format_money, format_utc_as_local


def test_money_sums_are_exact_decimals(app, world):
    amounts = [Decimal("98765432109876.54"), Decimal("0.01"), Decimal("12345678901234.45")]
    with app.app_context():
        office = db.session.get(FrontOffice, world["offices"]["DE"])
        for number, amount in enumerate(amounts):
            db.session.add(Agreement(title=f"Сумма {number}", parties="A", amount=amount,
                                     signed_on=datetime(2026, 1, 1).date(), owner_office=office))
        db.session.commit()
        total = db.session.execute(
            select(func.sum(Agreement.amount)).where(Agreement.title.like("Сумма %"))).scalar()
        stored = db.session.execute(
            select(Agreement.amount).where(Agreement.title == "Сумма 0")).scalar()
    assert isinstance(stored, Decimal) and stored == amounts[0]
    assert Decimal(total) == sum(amounts)


def test_timestamps_are_stored_in_utc_and_shown_in_kazakhstan_time(app, world):
    with app.app_context():
        project = db.session.get(Project, world["tf_project"])
        assert project.created_at.tzinfo == timezone.utc
        moment = datetime(2026, 11, 25, 19, 30, tzinfo=timezone.utc)
        with app.test_request_context():
            assert format_utc_as_local(moment) == "26.11.2026 00:30"


def test_money_is_shown_with_locale_grouping(app):
    with app.test_request_context():
        assert format_money(Decimal("1234567.89")).replace("\xa0", " ") == "1 234 567,89 ₸"


def test_migrations_build_exactly_the_models_schema(app):
    with app.app_context(), db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Model.metadata)
    assert diff == []


def test_secret_key_is_generated_once_and_kept_in_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.instance_secret_key(tmp_path)
    assert len(first) >= 32
    assert config.instance_secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert config.instance_secret_key(tmp_path) == "from-the-environment"


def test_database_url_accepts_postgres_spellings(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    assert config.database_url() == "postgresql+psycopg://u@h/db"
