"""Every form post needs its CSRF token; no address in a request sends people off-site."""

from __future__ import annotations

import pytest

from ..conftest import csrf_token, login_as
from ..factories import PASSWORD, make_user

# Mail programs unsubscribe with one click by POSTing to the address in the email's
# List-Unsubscribe header (RFC 8058), with no form and so no token: the unguessable
# token in that address is the key, and it can only remove a sign-up.
CSRF_EXEMPT = {"interest.unsubscribe"}


def post_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.methods & {"POST", "PUT", "PATCH", "DELETE"} and rule.endpoint not in CSRF_EXEMPT:
            yield rule


def test_only_the_bench_routes_could_skip_csrf_and_they_are_off(app):
    assert not app.config["BENCH_ROUTES"]
    endpoints = {rule.endpoint for rule in post_rules(app)}
    assert endpoints, "no form posts found"
    assert not any(e.startswith(("api.", "bench")) for e in endpoints)


def test_every_post_without_a_token_is_refused(app, client, owner):
    login_as(client, make_user("staff"))
    rules = list(post_rules(app))
    assert len(rules) > 25
    for rule in rules:
        path = rule.build({arg: 1 for arg in rule.arguments}, append_unknown=False)[1]
        response = client.post(path, data={"confirm": "y", "role": "staff"})
        assert response.status_code == 400, path
        assert "Your form expired" in response.get_data(as_text=True), path


def test_a_token_from_another_session_is_refused(app, client, owner):
    other = app.test_client()
    foreign = csrf_token(other, "/auth/login")
    login_as(client, owner)
    response = client.post(
        "/account",
        data={"csrf_token": foreign, "name": "Hijacked", "sector": "private"},
    )
    assert response.status_code == 400
    assert owner.name == "Olive Owner"


def test_api_answers_only_reads(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule.rule


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:x"]
)
def test_register_never_redirects_off_site(client, target):
    token = csrf_token(client, "/auth/register")
    response = client.post(
        "/auth/register",
        query_string={"next": target},
        data={
            "csrf_token": token,
            "name": "New Person",
            "email": "new@example.org",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "sector": "voluntary",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    # Already signed in: the same link still stays on the site.
    response = client.get("/auth/register", query_string={"next": target})
    assert response.headers["Location"] == "/"
    response = client.get("/auth/login", query_string={"next": target})
    assert response.headers["Location"] == "/"


def test_sign_in_form_does_not_echo_an_off_site_next(client):
    html = client.get("/auth/login?next=https://evil.example/").get_data(as_text=True)
    assert "evil.example" not in html
