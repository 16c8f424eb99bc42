"""Staff pages for news posts: list, write, edit, delete."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ... import timefmt
from ...extensions import db
from ...models import NewsPost, utcnow
from ...web import committing
from .. import queries, service
from ..forms import ActionForm, NewsForm
from .base import FormPage, bp


@bp.get("/news")
def news():
    return render_template("staff/news.html", posts=queries.news_posts())


def _save_news(form: NewsForm, post: NewsPost | None):
    if not form.validate_on_submit():
        return FormPage("staff/news_form.html", form, post=post).shown()
    with committing():
        service.save_news(
            title=form.title.data,
            body=form.body.data,
            published_at=form.published_at,
            published=bool(form.published.data),
            post=post,
            by=current_user,
        )
    flash("News post saved.", "success")
    return redirect(url_for("staff.news"), 303)


@bp.route("/news/new", methods=["GET", "POST"])
def news_new():
    form = NewsForm()
    if request.method == "GET":
        form.published_on.data = timefmt.to_local(utcnow()).date()
    return _save_news(form, None)


@bp.route("/news/<int:post_id>/edit", methods=["GET", "POST"])
def news_edit(post_id: int):
    post = db.get_or_404(NewsPost, post_id)
    form = NewsForm(obj=post)
    if request.method == "GET":
        form.published_on.data = timefmt.to_local(post.published_at).date()
    return _save_news(form, post)


@bp.route("/news/<int:post_id>/delete", methods=["GET", "POST"])
def news_delete(post_id: int):
    post = db.get_or_404(NewsPost, post_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return FormPage("staff/news_delete.html", form, post=post).shown()
    with committing():
        service.delete_news(post, by=current_user)
    flash("News post deleted.", "success")
    return redirect(url_for("staff.news"), 303)
