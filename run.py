"""Run the IRM platform: migrate, seed demo data into an empty database, serve, and run the
job scheduler beside the web server.

    python run.py [--host 127.0.0.1] [--port 8080] [--no-scheduler]

Also the Flask app for the CLI: `flask --app run irm --help`.
"""
import argparse
import signal

from app import create_app

app = create_app()


def main() -> None:
    """Prepare the database, start the scheduler and serve the app."""
    parser = argparse.ArgumentParser(description="IRM «Одно окно» platform")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--no-scheduler", action="store_true",
                        help="Serve pages only: no quarterly drafts, background exports or "
                             "reminders (run `flask --app run irm scheduler` for them).")
    args = parser.parse_args()

    from sqlalchemy import func, select

    from app.cli import init_database
    from app.extensions import db
    from app.jobs.embedded import EmbeddedScheduler
    from app.models import FrontOffice
    from app.services import commands
    from app.services.demo_data import DEMO_USERS, seed_demo

    with app.app_context():
        init_database()
        if db.session.execute(select(func.count(FrontOffice.id))).scalar() == 0:
            print("Empty database: loading demo data...")
            commands.run(db.session, lambda: seed_demo(db.session, app.appbuilder.sm,
                                                       app.config["IRM_DEMO_PASSWORD"]))
            print("Demo logins (password from IRM_DEMO_PASSWORD, default demo-password):")
            for username, role, _office in DEMO_USERS:
                print(f"  {username:<18} {role}")
    scheduler = None
    if not args.no_scheduler:
        # After the demo data: the catch-up at start compiles its offices' reports.
        scheduler = EmbeddedScheduler(app).start()
        print("Job scheduler started (quarterly reports, exports, reminders); "
              "--no-scheduler turns it off.")
    # SIGTERM stops the server like Ctrl+C, so the scheduler lets go of its lock cleanly.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    print(f"IRM is running at http://{args.host}:{args.port}/")
    try:
        # One process: with threads a record page's panels load in parallel instead of
        # queueing; the app keeps no request state on shared objects (docs/CONTRIBUTING.md).
        # No reloader: it would run this function, and the scheduler, twice.
        app.run(host=args.host, port=args.port, threaded=True, use_reloader=False)
    except KeyboardInterrupt:
        pass
    finally:
        if scheduler is not None:
            scheduler.stop()


if __name__ == "__main__":
    main()
