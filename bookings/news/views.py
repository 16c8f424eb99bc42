"""News for the public: the list, each article, and the Atom feed."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for

from ..calendar.ics import site_url
from ..models import utcnow
from . import queries
from .atom import atom_feed

bp = Blueprint("news", __name__)

PER_PAGE = 10
FEED_SIZE = 20
MAX_PAGE = 100_000


@bp.get("/news")
def index():
    number = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    return render_template("news/index.html", page=queries.news_page(number, PER_PAGE))


@bp.get("/news/<slug>")
def article(slug: str):
    post = queries.published_post(slug) if len(slug) <= 120 else None
    if post is None:
        abort(404)
    return render_template("news/article.html", post=post)


@bp.get("/news.atom")
def feed():
    body = atom_feed(
        queries.latest(FEED_SIZE),
        title=f"{current_app.config['ORG_NAME']} training news",
        author=current_app.config["ORG_NAME"],
        page_url=site_url(url_for("news.index")),
        feed_url=site_url(url_for("news.feed")),
        post_url=lambda post: site_url(url_for("news.article", slug=post.slug)),
        now=utcnow(),
    )
    return Response(body, mimetype="application/atom+xml")
