"""Reading the news: published posts only, newest first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select

from ..extensions import db
from ..models import NewsPost, utcnow


def _published(now: datetime | None = None) -> Select:
    """Posts staff have published whose date has come, newest first."""
    return (
        select(NewsPost)
        .where(NewsPost.published, NewsPost.published_at <= (now or utcnow()))
        .order_by(NewsPost.published_at.desc(), NewsPost.id.desc())
    )


def news_page(page: int, per_page: int):
    """One page of published posts (a Flask-SQLAlchemy Pagination)."""
    return db.paginate(_published(), page=page, per_page=per_page, error_out=False)


def latest(limit: int) -> list[NewsPost]:
    return list(db.session.scalars(_published().limit(limit)))


def published_post(slug: str) -> NewsPost | None:
    """The post at /news/<slug>, if it is published and its date has come."""
    return db.session.scalar(_published().where(NewsPost.slug == slug))
