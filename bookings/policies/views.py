"""The privacy notice and the accessibility statement, from the organisation's settings."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from ..retention import SPAM_KEPT_DAYS, UNCONFIRMED_INTEREST_DAYS

bp = Blueprint("policies", __name__)


def _organisation() -> dict:
    config = current_app.config
    return {
        "org_email": config["ORG_EMAIL"],
        "org_address": config["ORG_ADDRESS"],
        "charity_number": config["CHARITY_NUMBER"],
    }


@bp.get("/privacy")
def privacy():
    # The keeping times are the ones `retention purge` applies, so the notice says
    # what the service actually does.
    config = current_app.config
    return render_template(
        "policies/privacy.html",
        needs_days=config["RETENTION_NEEDS_DAYS"],
        mail_days=config["RETENTION_MAIL_DAYS"],
        spam_days=SPAM_KEPT_DAYS,
        unconfirmed_days=UNCONFIRMED_INTEREST_DAYS,
        **_organisation(),
    )


@bp.get("/accessibility")
def accessibility():
    return render_template("policies/accessibility.html", **_organisation())
