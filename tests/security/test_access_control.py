"""Who may open what: bookings by reference, trainer sessions, the staff area."""

from __future__ import annotations

import pytest

from ..conftest import csrf_token, login_as, post_form
from ..factories import make_session
from ..two_factor_helpers import KEY_RE, RECOVERY_RE, code

BOOKING_PAGES = ("/bookings/{ref}", "/bookings/{ref}.ics", "/bookings/{ref}/cancel")


def test_someone_elses_booking_answers_exactly_as_an_unknown_reference(
    client, booking, attended_booking, stranger
):
    login_as(client, stranger)
    unknown = "MVN-XXXXXX"
    paths = [p.format(ref=booking.reference) for p in BOOKING_PAGES]
    paths.append(f"/bookings/{attended_booking.reference}/certificate.pdf")
    for path in paths:
        theirs = client.get(path)
        nobody = client.get(
            path.replace(booking.reference, unknown).replace(attended_booking.reference, unknown)
        )
        assert theirs.status_code == nobody.status_code == 404, path
        assert booking.learner.name not in theirs.get_data(as_text=True)


def test_a_stranger_cannot_cancel_someone_elses_booking(client, booking, stranger):
    login_as(client, stranger)
    token = csrf_token(client, "/account")
    response = client.post(f"/bookings/{booking.reference}/cancel", data={"csrf_token": token})
    assert response.status_code == 404
    assert booking.status == "confirmed"


def test_booking_pages_ask_visitors_to_sign_in(client, booking, attended_booking):
    paths = [p.format(ref=booking.reference) for p in BOOKING_PAGES]
    paths.append(f"/bookings/{attended_booking.reference}/certificate.pdf")
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/auth/login"), path


def test_owner_and_staff_open_the_booking(client, booking, attended_booking, staff):
    for user in (booking.learner, staff):
        login_as(client, user)
        for pattern in BOOKING_PAGES:
            assert client.get(pattern.format(ref=booking.reference)).status_code == 200
        cert = client.get(f"/bookings/{attended_booking.reference}/certificate.pdf")
        assert cert.status_code == 200


def test_trainer_cannot_open_another_trainers_session(client, booking, other_trainer):
    session_id = booking.session_id
    login_as(client, other_trainer)
    for path in (
        f"/trainer/sessions/{session_id}",
        f"/trainer/sessions/{session_id}.csv",
        f"/trainer/sessions/{session_id}/register",
        f"/trainer/sessions/{session_id}/register.pdf",
    ):
        response = client.get(path)
        assert response.status_code == 403, path
        assert booking.learner.name not in response.get_data(as_text=True)
    token = csrf_token(client, "/account")
    response = client.post(
        f"/trainer/sessions/{session_id}/attendance",
        data={"csrf_token": token, f"attended-{booking.id}": "yes"},
    )
    assert response.status_code == 403
    assert booking.attended is None


def test_learner_cannot_open_trainer_tools(client, booking):
    login_as(client, booking.learner)
    assert client.get("/trainer/sessions").status_code == 403
    assert client.get(f"/trainer/sessions/{booking.session_id}").status_code == 403


@pytest.mark.parametrize("role", ["learner", "trainer"])
def test_staff_area_refuses_everyone_but_staff(app, client, role, owner, trainer):
    login_as(client, owner if role == "learner" else trainer)
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("staff.")]
    assert len(rules) > 20
    for rule in rules:
        path = rule.build({arg: 1 for arg in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method == "POST":
                token = csrf_token(client, "/account")
                response = client.post(path, data={"csrf_token": token})
            else:
                response = client.get(path)
            assert response.status_code == 403, (method, path)


def test_staff_area_sends_visitors_to_sign_in(app, client):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("staff.") and "GET" in rule.methods:
            path = rule.build({arg: 1 for arg in rule.arguments}, append_unknown=False)[1]
            response = client.get(path)
            assert response.status_code == 302, path
            assert response.headers["Location"].startswith("/auth/login"), path


def test_profile_form_cannot_change_role_or_status(client, owner):
    login_as(client, owner)
    token = csrf_token(client, "/account")
    response = client.post(
        "/account",
        data={
            "csrf_token": token,
            "name": "Olive Owner",
            "sector": "voluntary",
            "organisation": "",
            "role": "staff",
            "active": "0",
            "email": "takeover@example.org",
            "calendar_token": "chosen",
        },
    )
    assert response.status_code == 302
    assert (owner.role, owner.active, owner.email) == ("learner", True, "olive@example.org")
    assert owner.calendar_token != "chosen"
    assert client.get("/staff").status_code == 403


def test_private_calendar_token_is_long_and_random(owner, stranger):
    assert owner.calendar_token != stranger.calendar_token
    assert len(owner.calendar_token) >= 32  # 192 random bits, URL-safe


def test_unknown_calendar_token_is_not_found(client, owner):
    assert client.get(f"/account/calendar/{owner.calendar_token}.ics").status_code == 200
    token = owner.calendar_token
    near_miss = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(f"/account/calendar/{near_miss}.ics").status_code == 404
    assert client.get("/account/calendar/.ics").status_code == 404


def test_trainer_sees_only_own_sessions_in_the_list(client, trainer, other_trainer):
    mine = make_session(trainer=trainer)
    theirs = make_session(trainer=other_trainer)
    login_as(client, trainer)
    page = client.get("/trainer/sessions").get_data(as_text=True)
    assert f"/trainer/sessions/{mine.id}" in page
    assert f"/trainer/sessions/{theirs.id}" not in page


@pytest.fixture
def production_two_factor(app):
    """REQUIRE_2FA_ROLES as production has it (staff), restored afterwards."""
    import config

    saved = app.config["REQUIRE_2FA_ROLES"]
    app.config["REQUIRE_2FA_ROLES"] = config.ProductionConfig.REQUIRE_2FA_ROLES
    yield
    app.config["REQUIRE_2FA_ROLES"] = saved


def test_in_production_staff_without_two_factor_reach_no_staff_url(
    app, client, staff, production_two_factor
):
    login_as(client, staff)
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("staff.")]
    for rule in rules:
        path = rule.build({arg: 1 for arg in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method == "POST":
                token = csrf_token(client, "/account")
                response = client.post(path, data={"csrf_token": token})
            else:
                response = client.get(path)
            assert response.status_code == 302, (method, path)
            assert response.headers["Location"].startswith("/account/two-factor"), (method, path)


def test_setting_up_two_factor_leads_back_to_the_staff_page_asked_for(
    client, staff, production_two_factor
):
    login_as(client, staff)
    sent_to = client.get("/staff/audit").headers["Location"]
    assert sent_to == "/account/two-factor?next=/staff/audit"
    page = client.get(sent_to).get_data(as_text=True)
    assert 'action="/account/two-factor?next=/staff/audit"' in page
    secret = KEY_RE.search(page).group(1).replace(" ", "")

    response = post_form(client, sent_to, {"code": code(secret)})

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert len(RECOVERY_RE.findall(html)) == 10
    assert 'href="/staff/audit"' in html
    assert client.get("/staff/audit").status_code == 200
