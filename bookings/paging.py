"""Keyset pagination: a page of a list continues from the last row seen, not from a
row number, so each page costs the same however long the list grows, and rows added
while someone pages through are neither shown twice nor skipped.

A list is a query and its order (a few columns, the last one unique, none null). The
address carries an opaque signed cursor, ``?after=<token>`` for the next page and
``?before=<token>`` for the previous one, holding the sort values of the row it
continues from and the page's number. An old ``?page=N`` address still works: that
page is fetched by offset once, and its links carry cursors from then on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import ColumnElement, Select, and_, func, literal, or_, select
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from .extensions import db

# Counts beyond this are shown as "more than": counting is bounded like the pages.
COUNT_LIMIT = 1000
MAX_PAGE_NUMBER = 100_000


@dataclass
class Page:
    """One page of a list, with what its links and its "Page 2 of 5" text need."""

    items: list
    number: int
    per_page: int
    has_next: bool = False
    has_prev: bool = False
    next_args: dict = field(default_factory=dict)
    prev_args: dict = field(default_factory=dict)
    total: int | None = None  # exact, when known and not beyond the count limit
    more_than: int | None = None  # the limit, when there are more rows than it

    @property
    def first(self) -> int:
        """The position of the first row shown (1-based), 0 when the page is empty."""
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0

    @property
    def pages(self) -> int | None:
        if self.total is None:
            return None
        return max((self.total + self.per_page - 1) // self.per_page, 1)

    def link(self, args: Mapping, which: str) -> dict:
        """url_for arguments for the next or previous page: the endpoint's own path
        arguments, the filters in args, and the cursor."""
        cursor = self.next_args if which == "next" else self.prev_args
        return {**(request.view_args or {}), **args, **cursor}

    @property
    def count_text(self) -> str:
        """How many rows the list holds, in words: "120" or "more than 1,000"."""
        if self.total is not None:
            return f"{self.total:,}"
        return f"more than {self.more_than:,}" if self.more_than else ""


def _ordering(order: Sequence[ColumnElement]) -> list[tuple[ColumnElement, bool]]:
    """(column, descending) for each ORDER BY term given as column or column.desc()."""
    terms = []
    for term in order:
        if isinstance(term, UnaryExpression) and term.modifier in (
            operators.desc_op,
            operators.asc_op,
        ):
            terms.append((term.element, term.modifier is operators.desc_op))
        else:
            terms.append((term, False))
    return terms


def beyond(terms: list[tuple[ColumnElement, bool]], values: Sequence[Any]) -> ColumnElement:
    """Rows that come after values in this order. The leading column's own bound is
    stated on its own as well, so the database can start an index range scan there."""
    condition = None
    for (column, descending), value in reversed(list(zip(terms, values, strict=True))):
        further = column < value if descending else column > value
        condition = further if condition is None else or_(further, and_(column == value, condition))
    column, descending = terms[0]
    start = column <= values[0] if descending else column >= values[0]
    return and_(start, condition)


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and "t" in value:
        return datetime.fromisoformat(value["t"])
    if isinstance(value, dict) and "d" in value:
        return date.fromisoformat(value["d"])
    return value


def _serializer(name: str) -> URLSafeSerializer:
    # Signed, so a cursor cannot be forged to feed odd values to the query; salted by
    # list, so one list's cursor is not taken for another's.
    return URLSafeSerializer(current_app.secret_key, salt=f"paging:{name}")


def make_token(name: str, values: Sequence[Any], number: int) -> str:
    return _serializer(name).dumps({"k": [_encode(v) for v in values], "n": number})


def read_token(name: str, token: str | None, width: int) -> tuple[list, int] | None:
    """(sort values, page number) from a cursor, or None if it is missing or not ours."""
    if not token:
        return None
    try:
        data = _serializer(name).loads(token)
        values = [_decode(v) for v in data["k"]]
        number = int(data["n"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    if len(values) != width:
        return None
    return values, min(max(number, 1), MAX_PAGE_NUMBER)


def count_up_to(query: Select, limit: int = COUNT_LIMIT) -> int:
    """How many rows the query has, counting no further than limit + 1. The query keeps
    its order, so the database reads the first rows off the list's index (an index-only
    scan) instead of reading the table until it has found enough."""
    bounded = query.with_only_columns(literal(1), maintain_column_froms=True).limit(limit + 1)
    return db.session.scalar(select(func.count()).select_from(bounded.subquery()))


def bounded(count: int) -> str:
    """A count from count_up_to in words: "120", or "more than 1,000"."""
    return f"more than {COUNT_LIMIT:,}" if count > COUNT_LIMIT else f"{count:,}"


def _page_number(args: Mapping, name: str) -> int:
    try:
        number = int(args.get(name, 1))
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE_NUMBER)


def keyset_page(
    query: Select,
    order: Sequence[ColumnElement],
    *,
    name: str,
    args: Mapping,
    per_page: int,
    prefix: str = "",
    count: bool | int = True,
) -> Page:
    """The page of query the address (args) asks for, in order.

    name identifies the list (cursors are only valid for it); prefix names the address
    parameters (``<prefix>after``, ``<prefix>before``, ``<prefix>page``) when a page
    shows two lists. count=True adds a bounded count of the whole list; a number is
    taken as the count already known (from count_up_to, or exact); False, no count.
    """
    terms = _ordering(order)
    width = len(terms)
    keys = [column.label(f"_key{i}") for i, (column, _) in enumerate(terms)]
    base = query.order_by(None).add_columns(*keys)
    forward = [column.desc() if desc else column.asc() for column, desc in terms]
    backward = [column.asc() if desc else column.desc() for column, desc in terms]

    after = read_token(name, args.get(f"{prefix}after"), width)
    before = None if after else read_token(name, args.get(f"{prefix}before"), width)
    if after:
        values, number = after
        rows = db.session.execute(
            base.where(beyond(terms, values)).order_by(*forward).limit(per_page + 1)
        ).all()
        has_prev, has_next = True, len(rows) > per_page
        rows = rows[:per_page]
    elif before:
        values, number = before
        reverse = [(column, not desc) for column, desc in terms]
        rows = db.session.execute(
            base.where(beyond(reverse, values)).order_by(*backward).limit(per_page + 1)
        ).all()
        has_prev, has_next = len(rows) > per_page, True
        rows = list(reversed(rows[:per_page]))
        # Rows added at the top since may leave more before the "first" page.
        number = max(number, 2) if has_prev else 1
    else:
        number = _page_number(args, f"{prefix}page")
        offset = (number - 1) * per_page
        rows = db.session.execute(base.order_by(*forward).offset(offset).limit(per_page + 1)).all()
        has_prev, has_next = number > 1, len(rows) > per_page
        rows = rows[:per_page]

    page = Page(
        items=[row[0] for row in rows],
        number=number,
        per_page=per_page,
        has_next=has_next and bool(rows),
        has_prev=has_prev,
    )
    if page.has_next:
        last = rows[-1][-width:]
        page.next_args = {f"{prefix}after": make_token(name, last, number + 1)}
    if page.has_prev:
        if rows:
            first = rows[0][-width:]
            page.prev_args = {f"{prefix}before": make_token(name, first, number - 1)}
        else:
            page.prev_args = {}  # past the end: back to the start
    if count is not True and count is not False:
        page.total, page.more_than = (count, None) if count <= COUNT_LIMIT else (None, COUNT_LIMIT)
    elif count:
        if number == 1 and not page.has_next:
            page.total = len(rows)
        else:
            found = count_up_to(query)
            page.total, page.more_than = (
                (found, None) if found <= COUNT_LIMIT else (None, COUNT_LIMIT)
            )
    return page
