"""Flask commands (flask --app wsgi ...); each calls a service function."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

users_cli = AppGroup("users", help="Manage user accounts.")
catalogue_cli = AppGroup("catalogue", help="Import the course catalogue.")
outbox_cli = AppGroup("outbox", help="Deliver queued email.")
reminders_cli = AppGroup("reminders", help="Queue reminder emails.")


def register(app: Flask) -> None:
    for group in (users_cli, catalogue_cli, outbox_cli, reminders_cli):
        app.cli.add_command(group)
    app.cli.add_command(demo)


@click.command("demo")
def demo():
    """Load the demo data (safe to run again)."""
    from .demo import load_demo

    load_demo(echo=click.echo)
