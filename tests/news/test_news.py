"""News for the public: the paginated list, article pages by slug, the Atom feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import feedparser
from sqlalchemy import select

from bookings.extensions import db
from bookings.models import NewsPost

from ..conftest import login_as, post_form
from ..factories import make_user

ATOM = "{http://www.w3.org/2005/Atom}"


def make_post(title="Spring programme", *, days_ago=1, published=True, body="New **dates**."):
    post = NewsPost(
        title=title,
        body=body,
        published=published,
        published_at=datetime.now(UTC) - timedelta(days=days_ago),
    )
    db.session.add(post)
    db.session.commit()
    return post


def test_slug_is_unique_and_stays_when_staff_edit_the_title(client):
    login_as(client, make_user("staff"))
    news = {"title": "Spring dates: ADHD & you!", "published_on": "2026-03-01", "body": "Hi."}
    for _ in range(2):
        assert post_form(client, "/staff/news/new", {**news, "published": "y"}).status_code == 303
    first, second = db.session.scalars(select(NewsPost).order_by(NewsPost.id)).all()
    assert (first.slug, second.slug) == ("spring-dates-adhd-you", "spring-dates-adhd-you-2")

    edited = {**news, "title": "Summer dates", "published": "y"}
    assert post_form(client, f"/staff/news/{first.id}/edit", edited).status_code == 303
    db.session.expire_all()
    assert db.session.get(NewsPost, first.id).slug == "spring-dates-adhd-you"
    page = client.get("/news/spring-dates-adhd-you")
    assert page.status_code == 200
    assert "<h1>Summer dates</h1>" in page.get_data(as_text=True)


def test_article_page_renders_markdown_without_scripts(client):
    post = make_post(
        "Safe news", body="**Bold** and <script>alert(1)</script> [a link](https://example.org)"
    )
    html = client.get(f"/news/{post.slug}").get_data(as_text=True)
    assert "<h1>Safe news</h1>" in html
    assert "<strong>Bold</strong>" in html
    assert "<script>alert(1)" not in html
    assert 'href="https://example.org"' in html
    assert f'datetime="{post.published_at.date().isoformat()}"' in html


def test_unpublished_future_and_unknown_posts_answer_404(client):
    draft = make_post("Draft", published=False)
    future = make_post("Next month", days_ago=-30)
    login_as(client, make_user("staff"))
    for slug in (draft.slug, future.slug, "no-such-post", "x" * 500):
        assert client.get(f"/news/{slug}").status_code == 404, slug


def test_news_list_is_paginated_newest_first(client):
    for n in range(12):
        make_post(f"Post {n:02d}", days_ago=n + 1)
    make_post("Hidden draft", published=False)
    first = client.get("/news").get_data(as_text=True)
    titles = [f"Post {n:02d}" for n in range(10)]
    assert [first.index(t) for t in titles] == sorted(first.index(t) for t in titles)
    assert "Post 10" not in first and "Hidden draft" not in first
    assert "Page 1 of 2" in first and 'href="/news?page=2"' in first
    second = client.get("/news?page=2").get_data(as_text=True)
    assert "Post 10" in second and "Post 11" in second and "Post 09" not in second
    beyond = client.get("/news?page=999999999999")
    assert beyond.status_code == 200
    assert "no more news posts" in beyond.get_data(as_text=True)


def test_home_page_shows_latest_three_each_with_read_more(client):
    for n in range(4):
        make_post(f"Item {n}", days_ago=n + 1, body=f"Lead {n}.\n\nThe rest of item {n}.")
    html = client.get("/").get_data(as_text=True)
    assert [f"Item {n}" in html for n in range(4)] == [True, True, True, False]
    for n in range(3):
        post = db.session.scalar(select(NewsPost).where(NewsPost.title == f"Item {n}"))
        assert f'href="/news/{post.slug}">Read more' in html
        assert f"Lead {n}." in html
        assert f"The rest of item {n}." not in html  # only the first paragraph
    assert 'href="/news.atom"' in html


def test_atom_feed_parses_with_id_title_updated_and_entries(client):
    older = make_post("Older news", days_ago=5, body="First *one*.")
    newer = make_post("Newer news", days_ago=1, body="Second & last.")
    make_post("A draft", published=False)

    response = client.get("/news.atom")

    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.id == "http://localhost/news"
    assert feed.feed.title == "Medway Volunteer Network training news"
    assert feed.feed.updated_parsed is not None
    assert [entry.title for entry in feed.entries] == ["Newer news", "Older news"]
    entry = feed.entries[1]
    assert entry.id == entry.link == f"http://localhost/news/{older.slug}"
    assert "<em>one</em>" in entry.content[0].value
    assert entry.published_parsed[:3] == older.published_at.utctimetuple()[:3]

    # The same checks by the letter of RFC 4287, in the Atom namespace.
    root = ElementTree.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}").text
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == "http://localhost/news.atom"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2
    updated = root.find(f"{ATOM}updated").text
    assert updated == entries[0].find(f"{ATOM}updated").text
    assert updated.endswith("Z") and datetime.fromisoformat(updated) >= newer.published_at
    for entry in entries:
        for required in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{required}").text


def test_empty_atom_feed_is_still_valid(client):
    feed = feedparser.parse(client.get("/news.atom").data)
    assert not feed.bozo
    assert feed.feed.id and feed.feed.updated_parsed and feed.entries == []
