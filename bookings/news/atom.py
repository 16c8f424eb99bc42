"""The news as an Atom 1.0 feed (RFC 4287)."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree

from ..markup import render_markdown
from ..models import NewsPost

ATOM_NAMESPACE = "http://www.w3.org/2005/Atom"


def rfc3339(instant: datetime) -> str:
    """'2027-03-04T09:00:00Z': the date-time form Atom requires."""
    return instant.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _text(parent: ElementTree.Element, tag: str, text: str, **attributes) -> None:
    ElementTree.SubElement(parent, tag, attributes).text = text


def _link(parent: ElementTree.Element, href: str, rel: str, type_: str) -> None:
    ElementTree.SubElement(parent, "link", {"rel": rel, "href": href, "type": type_})


def post_updated(post: NewsPost) -> datetime:
    """When the post last changed, never before its own date."""
    return max(post.updated_at or post.published_at, post.published_at)


def atom_feed(
    posts: list[NewsPost],
    *,
    title: str,
    author: str,
    page_url: str,
    feed_url: str,
    post_url,
    now: datetime,
) -> bytes:
    """The feed document; post_url(post) is a post's absolute address, also its id."""
    feed = ElementTree.Element("feed", {"xmlns": ATOM_NAMESPACE, "xml:lang": "en-GB"})
    _text(feed, "id", page_url)
    _text(feed, "title", title)
    # An empty feed still needs a time: now, the moment it was last known to be empty.
    _text(feed, "updated", rfc3339(max(map(post_updated, posts), default=now)))
    _link(feed, feed_url, "self", "application/atom+xml")
    _link(feed, page_url, "alternate", "text/html")
    author_element = ElementTree.SubElement(feed, "author")
    _text(author_element, "name", author)
    for post in posts:
        entry = ElementTree.SubElement(feed, "entry")
        url = post_url(post)
        _text(entry, "id", url)
        _text(entry, "title", post.title)
        _text(entry, "published", rfc3339(post.published_at))
        _text(entry, "updated", rfc3339(post_updated(post)))
        _link(entry, url, "alternate", "text/html")
        _text(entry, "content", str(render_markdown(post.body)), type="html")
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)
