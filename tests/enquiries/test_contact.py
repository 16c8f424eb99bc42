"""The contact form: delivered with Reply-To, spam kept, people keep what they typed."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from bookings.extensions import db
from bookings.models import Enquiry, OutboxMessage

from ..conftest import login_as, post_form
from ..factories import make_course, make_user
from .conftest import ENQUIRY, stamp


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def send(client, form):
    return post_form(client, "/contact", form)


def test_a_normal_enquiry_arrives_at_a_real_smtp_server_with_reply_to(
    client, runner, smtp, enquiry_form, app
):
    course = make_course(title="Living with ADHD")
    response = send(client, {**enquiry_form, "course": str(course.id)})

    assert response.status_code == 303
    assert response.headers["Location"] == "/contact/thanks"
    assert "your message is sent" in client.get("/contact/thanks").get_data(as_text=True)
    enquiry = db.session.scalars(select(Enquiry)).one()
    assert (enquiry.status, enquiry.course_id) == ("new", course.id)
    assert enquiry.email == ENQUIRY["email"]

    assert runner.invoke(args=["outbox", "send"]).exit_code == 0
    by_recipient = {message["To"]: message for message in smtp.messages}
    assert set(by_recipient) == {app.config["ORG_EMAIL"], "ann@example.org"}
    to_org = by_recipient[app.config["ORG_EMAIL"]]
    assert to_org["Reply-To"].addresses[0].addr_spec == "ann@example.org"
    assert to_org["Reply-To"].addresses[0].display_name == "Ann Lee"
    assert to_org["Subject"] == "Enquiry: Question about booking"
    body = to_org.get_body(("plain",)).get_content()
    assert "Can I bring a colleague?" in body and "Living with ADHD" in body
    assert f"/staff/enquiries/{enquiry.id}" in body

    acknowledgement = by_recipient["ann@example.org"]
    assert acknowledgement["Reply-To"] is None
    text = acknowledgement.get_body(("plain",)).get_content()
    assert "We have your message" in acknowledgement["Subject"]
    # Nothing the sender typed goes back out: the address may not be theirs.
    for typed in ("Ann Lee", "colleague", "Question about booking"):
        assert typed not in text


def test_honeypot_enquiry_is_kept_as_spam_and_not_emailed(client, enquiry_form):
    response = send(client, {**enquiry_form, "website": "https://cheap.example"})

    assert response.status_code == 303  # the same answer a person gets
    enquiry = db.session.scalars(select(Enquiry)).one()
    assert enquiry.status == "spam" and "hidden field" in enquiry.spam_reason
    assert enquiry.message == ENQUIRY["message"]
    assert count(OutboxMessage) == 0


def assert_refused_with_text_kept(response, status=400) -> str:
    assert response.status_code == status
    page = html.unescape(response.get_data(as_text=True))
    for typed in ("Ann Lee", "ann@example.org", "Question about booking", "colleague?\n"):
        assert typed in page, typed
    assert count(Enquiry) == 0 and count(OutboxMessage) == 0
    return page


def test_a_post_faster_than_a_person_can_type_is_refused_with_the_text_kept(client):
    page = client.get("/contact").get_data(as_text=True)  # a stamp of now
    served = page.split('name="stamp" type="hidden" value="', 1)[1].split('"', 1)[0]

    response = send(client, {**ENQUIRY, "stamp": served})

    page = assert_refused_with_text_kept(response)
    assert "quicker than we expected" in page
    assert f'value="{served}"' in page  # the clock keeps running: sending again works


@pytest.mark.parametrize("old_stamp", [lambda: stamp(25 * 3600), lambda: "forged", lambda: ""])
def test_an_old_or_forged_form_is_refused_with_the_text_kept_and_a_new_stamp(client, old_stamp):
    sent = old_stamp()
    response = send(client, {**ENQUIRY, "stamp": sent})

    page = assert_refused_with_text_kept(response)
    assert "more than a day ago" in page
    fresh = page.split('name="stamp" type="hidden" value="', 1)[1].split('"', 1)[0]
    assert fresh and fresh != sent


def test_too_many_links_are_refused_beside_the_message(client, enquiry_form):
    links = " ".join(f"https://site{n}.example" for n in range(4))
    response = send(client, {**enquiry_form, "message": f"Can I bring a colleague?\n{links}"})

    page = assert_refused_with_text_kept(response)
    assert "no more than 3 web links" in page.split('id="message-error"', 1)[1]
    assert send(client, {**enquiry_form, "message": links.rsplit(" ", 1)[0]}).status_code == 303


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"message": "x" * 5001}, "message", "5,000 characters"),
        ({"name": "x" * 121}, "name", "120 characters"),
        ({"subject": ""}, "subject", "Enter a subject"),
        ({"email": "not an address"}, "email", "name@example.org"),
        ({"course": "999999"}, "course", "Not a valid choice"),
    ],
)
def test_bad_fields_are_refused_beside_the_field(client, enquiry_form, changes, field, message):
    response = send(client, {**enquiry_form, **changes})
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert message in page.split(f'id="{field}-error"', 1)[1].split("</p>", 1)[0]
    assert count(Enquiry) == 0


def test_the_form_is_filled_in_for_a_learner_and_for_a_course(client):
    course = make_course(slug="first-aid", title="First Aid")
    login_as(client, make_user(name="Bea Kay", email="bea@example.org"))
    page = client.get("/contact?course=first-aid").get_data(as_text=True)
    assert 'value="Bea Kay"' in page and 'value="bea@example.org"' in page
    assert f'<option selected value="{course.id}">First Aid</option>' in page


def test_the_honeypot_is_hidden_from_people_and_screen_readers(client):
    page = client.get("/contact").get_data(as_text=True)
    honeypot = page.split('id="website"', 1)[0].rsplit('<div class="field', 1)[1]
    assert " hp" in honeypot.split('"', 1)[0]
    css = client.get("/static/css/site.css").get_data(as_text=True)
    assert ".hp { display: none !important; }" in css
    assert 'tabindex="-1"' in page.split('id="website"', 1)[1].split(">", 1)[0]
