"""Flask commands (flask --app wsgi ...); each calls a service function."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from .enums import ROLES, SECTORS, Role
from .extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")
catalogue_cli = AppGroup("catalogue", help="Import the course catalogue.")
outbox_cli = AppGroup("outbox", help="Deliver queued email.")
reminders_cli = AppGroup("reminders", help="Queue reminder emails.")
invoices_cli = AppGroup("invoices", help="Chase invoices.")


def register(app: Flask) -> None:
    for group in (
        users_cli,
        catalogue_cli,
        outbox_cli,
        reminders_cli,
        invoices_cli,
        retention_cli,
    ):
        app.cli.add_command(group)
    app.cli.add_command(demo)
    app.cli.add_command(feedback_cli)


@click.command("demo")
def demo():
    """Load the demo data (safe to run again)."""
    from .demo import load_demo

    load_demo(echo=click.echo)
    db.session.commit()


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The person's full name.")
@click.option("--role", type=click.Choice(ROLES), default=Role.LEARNER.value, show_default=True)
@click.option("--sector", type=click.Choice(SECTORS), default=None)
@click.option("--organisation", default="", help="Organisation the person works for.")
@click.password_option("--password", help="Prompted for when not given.")
def users_create(email, name, role, sector, organisation, password):
    """Create a user account."""
    from .accounts.service import create_user
    from .errors import AccountError

    try:
        user = create_user(
            email, name, password, role=role, sector=sector, organisation=organisation
        )
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@catalogue_cli.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
def catalogue_import(csv_file):
    """Create or update courses and sessions from a CSV file (see the README)."""
    from .catalogue.importer import import_csv

    try:
        with open(csv_file, encoding="utf-8-sig", newline="") as fh:
            report = import_csv(fh, progress=True)
    except UnicodeDecodeError as exc:
        db.session.rollback()
        raise click.ClickException(
            f"{csv_file} is not UTF-8 text; save it as 'CSV UTF-8' and try again."
        ) from exc
    db.session.commit()
    click.echo(report.summary())
    for line in report.rejected_lines():
        click.echo(line, err=True)
    if report.rejected:
        sys.exit(1)


@outbox_cli.command("send")
@click.option("--loop", is_flag=True, help="Keep running, delivering new messages as they arrive.")
@click.option("--limit", type=int, default=None, help="Stop after this many messages.")
def outbox_send(loop, limit):
    """Deliver pending email, retrying temporary failures with back-off."""
    from .mail.outbox.worker import run_sender

    run_sender(loop=loop, limit=limit, echo=click.echo)


@reminders_cli.command("send")
def reminders_send():
    """Queue reminders for sessions starting within 48 hours (once per booking)."""
    from .mail.reminders import queue_reminders

    count = queue_reminders()
    db.session.commit()
    click.echo(f"Queued {count} reminder{'s' if count != 1 else ''}.")


@invoices_cli.command("remind")
def invoices_remind():
    """Queue a reminder for each overdue invoice (at most once every INVOICE_REMINDER_DAYS)."""
    from .payments.collection import remind_overdue

    count = remind_overdue()
    db.session.commit()
    click.echo(f"Queued {count} invoice reminder{'s' if count != 1 else ''}.")


@users_cli.command("reset-two-factor")
@click.argument("email")
def users_reset_two_factor(email):
    """Turn off someone's two-factor sign-in (a lost phone and lost recovery codes).

    They are emailed, and sign in with their password alone until they set it up again.
    """
    from .accounts import two_factor
    from .accounts.queries import find_by_email

    user = find_by_email(email)
    if user is None:
        raise click.ClickException(f"No account has the address {email}.")
    if not two_factor.reset(user):
        raise click.ClickException(f"{user.email} does not use two-factor sign-in.")
    db.session.commit()
    click.echo(f"Two-factor sign-in is off for {user.email}; they have been emailed.")


feedback_cli = AppGroup("feedback", help="Ask learners for feedback.")


@feedback_cli.command("send")
def feedback_send():
    """Queue a feedback request to each attended learner of sessions that have ended
    (once per booking)."""
    from .feedback.service import queue_requests

    count = queue_requests()
    db.session.commit()
    click.echo(f"Queued {count} feedback request{'s' if count != 1 else ''}.")


retention_cli = AppGroup("retention", help="Erase personal data past its keeping time.")


@retention_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be erased; change nothing.")
def retention_purge(dry_run):
    """Erase or anonymise personal data past its keeping time; print counts per kind."""
    from .retention import purge

    counts = purge(dry_run=dry_run)
    if dry_run:
        db.session.rollback()
        click.echo("Dry run: nothing was changed. A real run now would erase:")
    else:
        db.session.commit()
    for kind, count in counts:
        click.echo(f"{kind.label}: {count}")
