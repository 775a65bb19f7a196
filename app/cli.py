"""`flask --app run irm ...` commands: database set-up, demo data, users, backups.

Each command's change runs as a command (services/commands.run, through run_step): it is
committed whole, or refused with its message and an exit code of 1, and nothing is saved.
"""
from pathlib import Path
from typing import Any, Callable

import click
from flask import current_app
from flask.cli import AppGroup
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_migrate import upgrade
from sqlalchemy import select

from .extensions import db
from .models import Country, FrontOffice, Region
from .models.org import LEVEL_OF_KIND, OfficeKind, OfficeLevel
from .security.passwords import check_password
from .security.roles import ROLE_NAMES
from .services import commands

irm_cli = AppGroup("irm", help="IRM platform commands.")


def run_step(step: Callable[[], Any], dry_run: bool = False) -> Any:
    """Run `step` as a command and return what it returned; a refusal ends the CLI command
    with its message (exit code 1), everything the step wrote rolled back."""
    try:
        return commands.run(db.session, step, dry_run=dry_run)
    except commands.CommandError as refused:
        raise click.ClickException(str(refused)) from None


def init_database() -> None:
    """Migrate the schema to head, sync roles and permissions, load reference data."""
    from .security.sync import sync_security
    from .services.reference_data import load_reference_data

    upgrade(directory=current_app.extensions["migrate"].directory)
    sync_security(current_app.appbuilder)
    run_step(lambda: load_reference_data(db.session))


@irm_cli.command("init-db")
def init_db_command():
    """Migrate the database, sync roles and permissions, load reference data."""
    init_database()
    click.echo("Database is up to date.")


@irm_cli.command("seed-demo")
@click.option("--password", envvar="IRM_DEMO_PASSWORD", default="demo-password",
              show_default=True, help="Password of every demo user (demo data only).")
def seed_demo_command(password):
    """Load the deterministic demo data set (offices, investors, projects, users, ...)."""
    from .services.demo_data import seed_demo

    init_database()
    summary = run_step(lambda: seed_demo(db.session, current_app.appbuilder.sm, password))
    for name, count in summary.items():
        click.echo(f"{name}: {count}")


@irm_cli.command("create-office")
@click.option("--name", required=True, help="The office's name, unique.")
@click.option("--kind", required=True, type=click.Choice([kind.name for kind in OfficeKind]))
@click.option("--region", "region_code", help="Region code (KZ-75): regional offices.")
@click.option("--country", "country_code", help="Country (DE): offices abroad.")
@click.option("--parent", "parent_name", help="The office it reports to (exact name).")
def create_office_command(name, kind, region_code, country_code, parent_name):
    """Create a front office (the first ones of a new installation, before any user)."""
    kind = OfficeKind[kind]
    level = LEVEL_OF_KIND[kind]
    if db.session.execute(select(FrontOffice.id).where(FrontOffice.name == name)).first():
        raise click.BadParameter(f"an office named {name!r} exists", param_hint="--name")
    office = FrontOffice(name=name, kind=kind)
    if level == OfficeLevel.regional:
        if not region_code:
            raise click.BadParameter("a regional office needs its region", param_hint="--region")
        office.region = _named(Region, Region.code, region_code, "--region")
    if level == OfficeLevel.external:
        if not country_code:
            raise click.BadParameter("an office abroad needs its country",
                                     param_hint="--country")
        office.country = _named(Country, Country.alpha2, country_code.upper(), "--country")
    if parent_name:
        office.parent = _named(FrontOffice, FrontOffice.name, parent_name, "--parent")
    run_step(lambda: db.session.add(office))
    click.echo(f"Created {office.name} ({kind.name}, {level.name}).")


def _named(model, column, value, option):
    found = db.session.execute(select(model).where(column == value)).scalar_one_or_none()
    if found is None:
        raise click.BadParameter(f"no {model.__tablename__} {value!r}", param_hint=option)
    return found


@irm_cli.command("create-user")
@click.option("--username", prompt=True)
@click.option("--first-name", prompt=True)
@click.option("--last-name", prompt=True)
@click.option("--email", prompt=True)
@click.option("--role", type=click.Choice(ROLE_NAMES), prompt=True)
@click.option("--office", "office_name", prompt="Front office (exact name)")
@click.password_option()
def create_user_command(username, first_name, last_name, email, role, office_name, password):
    """Create a user in a front office with one role."""
    sm = current_app.appbuilder.sm
    office = db.session.execute(
        select(FrontOffice).where(FrontOffice.name == office_name)).scalar_one_or_none()
    if office is None:
        raise click.BadParameter(f"no front office named {office_name!r}", param_hint="--office")
    if sm.find_user(username=username):
        raise click.BadParameter(f"user {username!r} already exists", param_hint="--username")
    try:
        check_password(password)  # the policy forms apply (FAB's add_user does not)
    except PasswordComplexityValidationError as error:
        raise click.BadParameter(str(error), param_hint="--password")

    def add_user():
        user = sm.add_user(username, first_name, last_name, email, sm.find_role(role),
                           password=password)
        if not user:
            raise commands.CommandError("the user could not be created (is the e-mail taken?)")
        user.front_office_id = office.id
    run_step(add_user)
    click.echo(f"Created {username} ({role}) in {office.name}.")


@irm_cli.command("sweep")
def sweep_command():
    """Run the daily deadline sweep once now (notices, provider violations, e-mails)."""
    from .services.sweep import run_daily_sweep

    result = run_step(lambda: run_daily_sweep(db.session))
    click.echo(f"notices: {result.notices}, violations: {result.violations}, "
               f"e-mails: {result.emails}")


@irm_cli.command("recompute-deadlines")
@click.option("--dry-run", is_flag=True, help="Count what would move; change nothing.")
def recompute_deadlines_command(dry_run):
    """Recompute every open deadline against the current working-day calendar (run after
    a holidays package update brings a new law's holidays); the owners are notified."""
    from .services.deadline_recompute import recompute_open_deadlines

    def recompute():
        moved = recompute_open_deadlines(db.session)  # the system's, in each history
        return sum(len(record.changes) for record in moved), len(moved)
    deadlines, records = run_step(recompute, dry_run=dry_run)
    click.echo(f"{'Would move' if dry_run else 'Moved'} {deadlines} deadline(s) "
               f"of {records} open record(s).")


@irm_cli.command("documents-cleanup")
@click.option("--older-than", "older_than", type=int, default=3600, show_default=True,
              help="Leave files younger than this many seconds (uploads not yet committed).")
def documents_cleanup_command(older_than):
    """Delete stored document files no document names (failed uploads, deleted documents)."""
    from .services.documents import remove_orphans, storage_dir

    removed = run_step(lambda: remove_orphans(db.session, older_than_seconds=older_than))
    click.echo(f"Removed {removed} orphaned file(s) from {storage_dir()}.")


@irm_cli.command("scheduler")
def scheduler_command():
    """Run the job scheduler: one per node; the one holding the lock runs the jobs, the
    others stand by and take over when it stops (jobs/leadership.py)."""
    import os

    from .jobs import metrics
    from .jobs.scheduler import EXIT_LOST_LOCK, serve, stop_on_signals
    from .ops.logs import configure_logging

    app = current_app._get_current_object()
    configure_logging(app.config.get("IRM_LOG_FORMAT") or "text")
    if app.config.get("IRM_SCHEDULER_METRICS_PORT"):
        metrics.serve(int(app.config["IRM_SCHEDULER_METRICS_PORT"]), app.config["IRM_METRICS_BIND"])
    click.echo("Scheduler started (standby until it holds the lock); Ctrl+C stops it.")
    code = serve(app, stop_on_signals())
    if code == EXIT_LOST_LOCK:
        os._exit(code)  # now, without waiting for a job thread that may still be running


@irm_cli.command("compile-reports")
@click.option("--quarter", required=True, help="The quarter, e.g. 2026Q3.")
def compile_reports_command(quarter):
    """Create and compile every office's report and the NC consolidated report of a quarter."""
    from .services.reports import compile_consolidated, create_drafts, parse_quarter

    try:
        year, number = parse_quarter(quarter)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--quarter")
    failures: list = []  # compiled by the system: user_id None in each report's history

    def compile_quarter():
        created = create_drafts(db.session, year, number, failures, user_id=None)
        compile_consolidated(db.session, year, number, failures, user_id=None)
        return created
    created = run_step(compile_quarter)
    click.echo(f"{quarter}: {created} new reports; consolidated report compiled.")
    for failure in failures:  # the others are compiled; these are marked on their reports
        click.echo(f"not compiled: {failure}", err=True)


@irm_cli.command("run-job")
@click.argument("job", type=click.Choice(["reporting_daily", "daily_sweep",
                                          "stalled_projects_daily"]))
@click.option("--today", help="Run as of this date (YYYY-MM-DD), for catching up.")
def run_job_command(job, today):
    """Run one scheduled job now (it still runs once per period, whoever else tries)."""
    from datetime import date

    from .jobs.problems import stalled_projects_daily
    from .jobs.reporting import reporting_daily
    from .services.sweep import run_daily_sweep

    day = date.fromisoformat(today) if today else None

    def work():
        if job == "reporting_daily":
            return reporting_daily(db.session, day)
        if job == "stalled_projects_daily":
            return stalled_projects_daily(db.session, day)
        return run_daily_sweep(db.session, day)
    click.echo(str(run_step(work)))


def _storage_folders() -> dict:
    """Return the storage folders a backup holds, as configured (services/storage.py)."""
    from .services import storage

    return {name: storage.folder(name) for name in storage.OVERRIDES}


@irm_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path):
    """Back up the database and the files its rows name to PATH (a .tar); verify by restoring."""
    from .services.backup import backup
    from .services.documents import megabytes

    summary = run_step(lambda: backup(current_app.config["SQLALCHEMY_DATABASE_URI"], path,
                                      _storage_folders()))
    click.echo(f"Backup written to {path} and verified: restored into a fresh database, "
               f"its {summary.tables} tables ({summary.rows} rows) and {summary.files} files "
               f"({megabytes(summary.file_bytes)} MB) match (schema revision "
               f"{summary.revision}).")


@irm_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True,
              help="Replace the contents of a non-empty database and differing files.")
def restore_command(path, force):
    """Restore the backup at PATH into the configured database and storage folder; verify."""
    from .services.backup import restore
    from .services.documents import megabytes

    # Our own idle connections must not hold locks the restore would wait for.
    db.session.remove()
    db.engine.dispose()
    summary = run_step(lambda: restore(current_app.config["SQLALCHEMY_DATABASE_URI"], path,
                                       _storage_folders(), force=force))
    restored = f"its {summary.tables} tables ({summary.rows} rows)"
    notes = []
    if summary.files is None:
        notes.append("This backup (format 1) holds the database only: the storage folder's "
                     "files were not included; restore them from their own copy.")
    else:
        restored += f" and {summary.files} files ({megabytes(summary.file_bytes)} MB)"
    if summary.unnamed_files:
        notes.append(f"{summary.unnamed_files} files already in the storage folder are not "
                     f"in the backup; `flask --app run irm documents-cleanup` removes those "
                     f"of documents.")
    notes.append("Run `flask --app run irm init-db` if this app's schema is newer.")
    click.echo(f"Restored {path} (taken {summary.created_at}, schema revision "
               f"{summary.revision}): {restored} match the backup. " + " ".join(notes))
