"""The audit trail for staff: who did what to which object, when; filtered, paged, as CSV."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from ...audit import queries as audit_queries
from ...audit import service as audit
from ...audit.forms import AuditFilterForm
from ...models import utcnow
from ...spreadsheet import csv_response
from ...web import committing
from .base import bp, page_of

# Where an entry's object can be seen, by its type.
OBJECT_PAGES = {
    "session": "staff.session_detail",
    "booking": "staff.booking_detail",
    "user": "staff.user",
}
OBJECT_ARGUMENTS = {"session": "session_id", "booking": "booking_id", "user": "user_id"}


@bp.get("/audit")
def audit_trail():
    form = AuditFilterForm(request.args)
    status = 200 if form.validate() else 400
    filters = form.filters()
    page = page_of(audit_queries.entries_query(**filters), audit_queries.ENTRIES_ORDER)
    return (
        render_template(
            "staff/audit.html",
            form=form,
            page=page,
            args={name: str(value) for name, value in filters.items()},
            csv_limit=audit_queries.CSV_LIMIT,
            action_label=audit_queries.action_label,
            object_types=audit.OBJECT_TYPES,
            object_pages=OBJECT_PAGES,
            object_arguments=OBJECT_ARGUMENTS,
        ),
        status,
    )


@bp.get("/audit.csv")
def audit_csv():
    form = AuditFilterForm(request.args)
    if not form.validate():
        # Not a broader file than was asked for: the page says what to correct.
        return audit_trail()
    with committing():
        chunks = audit.export_csv(form.filters(), by=current_user)
    filename = f"audit-trail-{utcnow():%Y-%m-%d}.csv"
    return csv_response(chunks, filename)
