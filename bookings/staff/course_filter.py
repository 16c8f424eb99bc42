"""The course filter of the staff lists of bookings and sessions.

Its size does not depend on the catalogue: staff type words of the title instead of
picking from every course. The list is then filtered by the one course they match,
or the page lists the first few matches as links that choose one by its id
(``course=<id>``, the address other pages link to).
"""

from __future__ import annotations

from wtforms import HiddenField, SearchField
from wtforms.validators import Length, Optional

from . import queries


class CourseFilterFields:
    """The course's id (from a link) and the words of its title (typed)."""

    course = HiddenField()
    course_q = SearchField(
        "Course",
        validators=[Optional(), Length(max=200, message="Keep it to 200 characters or fewer.")],
    )

    chosen_course = None  # (id, title) of the course the list is filtered by
    course_matches = None  # queries.CourseMatches, when the words matched several

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.course_q.errors:
            return False
        return self._choose_course() and valid

    @property
    def course_left_open(self) -> bool:
        """Neither a course nor words of one were given."""
        return not self._course_id_sent and not self.course_q.raw_data

    @property
    def course_args(self) -> dict:
        """The course filter for links to the list as it stands: the id chosen, if any."""
        return {"course": self.chosen_course.id if self.chosen_course else None, "course_q": None}

    @property
    def _course_id_sent(self) -> bool:
        return (self.course.data or "").strip() not in ("", "0")  # 0 was "Any course"

    def _choose_course(self) -> bool:
        """Find the course meant; False, with a message beside the field, when none is."""
        text = " ".join((self.course_q.data or "").split())
        wanted = (self.course.data or "").strip()
        known = None
        # Plain digits, and not so many that int() refuses them: anything else is no id.
        if self._course_id_sent and wanted.isascii() and wanted.isdigit() and len(wanted) < 20:
            known = queries.course_title(int(wanted))
        if not self.course_q.raw_data:  # a link: course=<id>, or no course at all
            if self._course_id_sent and known is None:
                self.course_q.errors.append("That course was not found: type words of its title.")
                return False
            self.chosen_course = known
        elif known is not None and queries.title_key(known.title) == queries.title_key(text):
            self.chosen_course = known  # chosen before, and its title left as it was
        elif text:
            matches = queries.courses_matching(text)
            if not matches.courses:
                self.course_q.errors.append(f"No course matches '{text}'.")
                return False
            self.chosen_course = matches.meant
            self.course_matches = None if matches.meant else matches
        if self.chosen_course is not None:
            self.course_q.data = self.chosen_course.title
        return True
