"""Invoices for staff: the lists and their exports, one invoice, payments, reminders, waivers."""

from __future__ import annotations

from functools import partial

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ... import timefmt
from ...audit import service as audit
from ...enums import INVOICE_LISTS, PAYMENT_METHOD_LABELS, AuditAction, InvoiceList, PaymentMethod
from ...models import CreditNote, Invoice
from ...payments import collection, export
from ...payments import queries as invoice_queries
from ...payments.forms import InvoiceFilterForm, MarkPaidForm, WaiveForm
from ...payments.service import today
from ...spreadsheet import csv_response
from ...web import committing
from ..forms import ActionForm
from .base import bp, page_of, usable

XERO = "xero"


def _filters(form: InvoiceFilterForm) -> tuple[str, tuple]:
    """The search and the issue dates chosen; a filter that did not validate is ignored."""
    return usable(form.q, ""), (usable(form.issued_from, None), usable(form.issued_to, None))


def _filter_args(form: InvoiceFilterForm) -> dict:
    search, (first, last) = _filters(form)
    args = {"q": search, "issued_from": first, "issued_to": last}
    return {name: value for name, value in args.items() if value}


def _chosen_list(conditions: list, day) -> list:
    """Exports cover every list unless one is asked for (show=...)."""
    show = request.args.get("show")
    if show not in INVOICE_LISTS:
        return conditions
    return [*conditions, invoice_queries.in_list(show, day)]


def _record_export(what: str, form: InvoiceFilterForm) -> None:
    """Exports carry buyers' names and addresses: the trail says who took them."""
    filters = ", ".join(f"{name} {value}" for name, value in _filter_args(form).items())
    with committing():
        audit.record(
            AuditAction.DATA_EXPORTED,
            by=current_user,
            subject=("export", what),
            summary=f"{what}" + (f", filtered by {filters}." if filters else "."),
        )


@bp.get("/invoices")
def invoices():
    """Outstanding, overdue, paid and credited invoices, with a count and total for each;
    with format=xero, the invoices as Xero's sales-invoice import file."""
    form = InvoiceFilterForm(request.args)
    status = 200 if form.validate() else 400
    search, dates = _filters(form)
    day = today()
    conditions = [invoice_queries.matching(search)]
    if request.args.get("format") == XERO and status == 200:
        _record_export("Invoices for Xero", form)
        chunks = partial(export.xero_csv, _chosen_list(conditions, day), dates)
        return csv_response(chunks, f"xero-invoices-{day.isoformat()}.csv")
    listed = [*conditions, *invoice_queries.issued_between(Invoice.issued_on, *dates)]
    show = request.args.get("show")
    show = InvoiceList(show) if show in INVOICE_LISTS else InvoiceList.OUTSTANDING
    summaries = invoice_queries.list_summaries(listed, day)
    return (
        render_template(
            "staff/invoices.html",
            form=form,
            lists=InvoiceList,
            show=show,
            summaries=summaries,
            page=page_of(
                invoice_queries.staff_list(show, listed, day),
                invoice_queries.STAFF_LIST_ORDER,
                name=f"invoices:{show}",
                count=summaries[show].count,  # the tabs carry the counts
            ),
            args={"show": show, **_filter_args(form)},
            filters=_filter_args(form),
            export_sizes=invoice_queries.export_sizes(
                conditions,
                invoice_queries.issued_between(Invoice.issued_on, *dates),
                invoice_queries.issued_between(CreditNote.issued_on, *dates),
            ),
            today=day,
        ),
        status,
    )


@bp.get("/invoices.csv")
def invoices_csv():
    """Every invoice and credit note (as filtered) as one plain CSV file."""
    form = InvoiceFilterForm(request.args)
    if not form.validate():
        abort(400)
    search, dates = _filters(form)
    day = today()
    conditions = _chosen_list([invoice_queries.matching(search)], day)
    _record_export("Invoices and credit notes CSV", form)
    chunks = partial(export.documents_csv, conditions, dates, day)
    return csv_response(chunks, f"invoices-and-credit-notes-{day.isoformat()}.csv")


def _invoice_or_404(number: str) -> Invoice:
    invoice = invoice_queries.invoice_by_number(number)
    if invoice is None:
        abort(404)
    return invoice


def _waive_prefix(line_id: int) -> str:
    """Each line's waiver form has its own field names, so ids stay unique on the page."""
    return f"line-{line_id}"


def _invoice_page(invoice: Invoice, *, paid_form=None, waiving=None, status: int = 200):
    """The invoice page; paid_form or waiving (line id, form) as sent, errors and all."""
    day = today()
    paid_form = paid_form or MarkPaidForm(
        formdata=None, paid_on=day, method=PaymentMethod.BANK_TRANSFER.value
    )
    sent_line, sent_form = waiving or (None, None)
    waive_forms = {
        line.id: sent_form
        if line.id == sent_line
        else WaiveForm(formdata=None, prefix=_waive_prefix(line.id))
        for line in invoice.lines
        if line.waivable
    }
    return render_template(
        "staff/invoice.html",
        invoice=invoice,
        today=day,
        paid_form=paid_form,
        waive_forms=waive_forms,
        payment_methods=PAYMENT_METHOD_LABELS,
        action=ActionForm(),
    ), status


@bp.get("/invoices/<number>")
def invoice(number: str):
    return _invoice_page(_invoice_or_404(number))


@bp.post("/invoices/<number>/paid")
def invoice_paid(number: str):
    invoice = _invoice_or_404(number)
    form = MarkPaidForm()
    if not form.validate_on_submit():
        return _invoice_page(invoice, paid_form=form, status=400)
    with committing(form) as outcome:
        collection.mark_paid(
            invoice,
            paid_on=form.paid_on.data,
            method=form.method.data,
            reference=form.reference.data or "",
            by=current_user,
        )
    if outcome.refused:
        return _invoice_page(invoice, paid_form=form, status=400)
    flash(f"Invoice {invoice.number} is marked paid on {timefmt.day(invoice.paid_on)}.", "success")
    return redirect(url_for("staff.invoice", number=invoice.number), 303)


@bp.post("/invoices/<number>/reminder")
def invoice_reminder(number: str):
    invoice = _invoice_or_404(number)
    if ActionForm().validate_on_submit():
        with committing() as outcome:
            collection.send_reminder(invoice, by=current_user)
        if not outcome.refused:
            flash(
                f"A reminder for invoice {invoice.number} will be emailed to "
                f"{invoice.buyer_email}.",
                "success",
            )
    return redirect(url_for("staff.invoice", number=invoice.number), 303)


@bp.post("/invoices/<number>/lines/<int:line_id>/waive")
def invoice_waive(number: str, line_id: int):
    invoice = _invoice_or_404(number)
    line = next((line for line in invoice.lines if line.id == line_id), None)
    if line is None:
        abort(404)
    form = WaiveForm(prefix=_waive_prefix(line.id))
    if not form.validate_on_submit():
        return _invoice_page(invoice, waiving=(line.id, form), status=400)
    with committing(form) as outcome:
        note = collection.waive(line, form.reason.data, current_user)
    if outcome.refused:
        return _invoice_page(invoice, waiving=(line.id, form), status=400)
    flash(
        f"The charge is waived: credit note {note.number} for {timefmt.amount(note.total_pence)} "
        f"will be emailed to {invoice.buyer_email}.",
        "success",
    )
    return redirect(url_for("staff.invoice", number=invoice.number), 303)
