"""Pieces of the catalogue page rendered once and reused while nothing on them changes.

A course card shows only what its CourseCard holds (the course's row and its next dates
with the places left), the sector chosen and links under the site's root; the search
form shows only its fields' values, choices and errors. Those values are the cache
key, so a cached piece is always the HTML the template would give: a changed title,
date or number of places is a different key. Caching is off when templates reload
(development), since the key does not cover the template's text.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, current_app, render_template, request
from markupsafe import Markup

from .queries import CourseCard

CARDS_KEPT = 2048  # about 10 KB of HTML for every 10 cards; a few MB at most
FORMS_KEPT = 256  # one per distinct search; a form is about 2 KB


@lru_cache(maxsize=CARDS_KEPT)
def _rendered(app: Flask, card: CourseCard, sector: str, root: str) -> Markup:
    return Markup(render_template("catalogue/_card.html", card=card, sector=sector))


def course_card(card: CourseCard, sector: str = "") -> Markup:
    """The HTML of one card (an <li>) of the catalogue page."""
    app = current_app._get_current_object()
    if app.jinja_env.auto_reload:
        return Markup(render_template("catalogue/_card.html", card=card, sector=sector))
    return _rendered(app, card, sector, request.script_root)


def search_form(form) -> Markup:
    """The search form with its error summary; form is a CatalogueSearchForm."""
    app = current_app._get_current_object()
    if app.jinja_env.auto_reload:
        return Markup(render_template("catalogue/_search_form.html", form=form))
    key = tuple(
        (f.name, f.data, tuple(f.raw_data or ()), tuple(f.errors), _choices(f)) for f in form
    )
    return _FormKey(key, form).render(app, request.script_root)


def _choices(f) -> tuple:
    choices = getattr(f, "choices", None)
    return tuple(map(str, choices)) if choices else ()


class _FormKey:
    """A cache key that carries the form it was made from, for the miss that renders it."""

    __slots__ = ("key", "form")

    def __init__(self, key: tuple, form) -> None:
        self.key, self.form = key, form

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other) -> bool:
        return isinstance(other, _FormKey) and self.key == other.key

    def render(self, app: Flask, root: str) -> Markup:
        return _rendered_key(app, self, root)


@lru_cache(maxsize=FORMS_KEPT)
def _rendered_key(app: Flask, key: _FormKey, root: str) -> Markup:
    return Markup(render_template("catalogue/_search_form.html", form=key.form))
