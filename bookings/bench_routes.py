"""Routes that only benchmark configurations register (BENCH_ROUTES=1)."""

from flask import Flask, Response, request

from .extensions import csrf, db
from .web import committing

CONSTANT_BODY = b"<!doctype html><title>ok</title><p>ok</p>\n" * 20


def register(app: Flask) -> None:
    @app.get("/_bench/constant")
    def bench_constant():
        return Response(CONSTANT_BODY, mimetype="text/html")

    @app.post("/_bench/insert")
    @csrf.exempt
    def bench_insert():
        """One plain row per POST: the baseline beside booking a place."""
        from sqlalchemy import text

        with committing():
            db.session.execute(
                text("INSERT INTO bench_rows (note) VALUES (:note)"),
                {"note": request.form.get("note", "x")[:100]},
            )
        return Response(b"ok\n", mimetype="text/plain")
