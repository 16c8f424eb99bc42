"""Markdown written by staff, rendered and sanitised with nh3 before it reaches a page."""

from functools import lru_cache

import markdown as markdown_lib
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "a",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "code",
    "pre",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "td": set()}


def render_markdown(text: str | None) -> Markup:
    """Markdown to safe HTML: scripts, styles, event handlers and odd URLs removed."""
    return _rendered(text or "")


# Course pages and news show the same few texts again and again, and converting
# one costs about a quarter of a millisecond.
@lru_cache(maxsize=256)
def _rendered(text: str) -> Markup:
    html = markdown_lib.markdown(text, extensions=["tables", "sane_lists"])
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return Markup(clean)


def register_filters(app) -> None:
    app.jinja_env.filters["markdown"] = render_markdown
