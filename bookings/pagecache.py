"""Public pages kept for a few seconds for visitors who are not signed in.

When a brochure goes out, hundreds of visitors ask for the same few course pages at
once. Each worker process keeps the page it has just built for such a visitor and
gives it to the next ones for PUBLIC_PAGE_CACHE_SECONDS (2 by default; 0 turns this
off), so a page's places left may be that many seconds old. Booking itself is
decided by the database, and signed-in users always get a page built for them.

Only a plain 200 page is kept: none that holds a form's CSRF token (the visitor's
own), wrote the visitor's session or set a cookie, and none asked for with a message
waiting to be shown.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from functools import wraps

from flask import Response, current_app, g, make_response, request, session
from flask_login import current_user

PAGES_KEPT = 512  # 10 MB at most per process: a page is 5-20 KB


class PageCache:
    """Bodies and content types by address, each until its moment passes."""

    def __init__(self, size: int = PAGES_KEPT):
        self._pages: OrderedDict[tuple, tuple[float, bytes, str]] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size

    def get(self, key: tuple, now: float) -> tuple[bytes, str] | None:
        with self._lock:
            kept = self._pages.get(key)
            if kept is None or kept[0] <= now:
                return None
            return kept[1], kept[2]

    def put(self, key: tuple, until: float, body: bytes, mimetype: str) -> None:
        with self._lock:
            self._pages[key] = (until, body, mimetype)
            self._pages.move_to_end(key)
            while len(self._pages) > self._size:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


pages = PageCache()


def _for_a_visitor() -> bool:
    return (
        request.method == "GET"
        and not current_user.is_authenticated
        and not session.get("_flashes")
    )


def kept_for_visitors(view):
    """Serve the view's page from the cache to visitors who are not signed in."""

    @wraps(view)
    def cached_view(*args, **kwargs):
        seconds = current_app.config["PUBLIC_PAGE_CACHE_SECONDS"]
        if seconds <= 0 or not _for_a_visitor():
            return view(*args, **kwargs)
        key = (current_app.name, request.host, request.full_path)
        now = time.monotonic()
        kept = pages.get(key, now)
        if kept is not None:
            return Response(kept[0], mimetype=kept[1])
        response = make_response(view(*args, **kwargs))
        if (
            response.status_code == 200
            and not response.is_streamed
            and "csrf_token" not in g  # Flask-WTF keeps the token it gave out there
            and not session.modified
            and "Set-Cookie" not in response.headers
        ):
            pages.put(key, now + seconds, response.get_data(), response.mimetype)
        return response

    return cached_view
