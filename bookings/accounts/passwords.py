"""How guessable a new password is, scored offline with zxcvbn (no list leaves the machine)."""

from __future__ import annotations

from zxcvbn import zxcvbn

from ..errors import WeakPassword

MIN_SCORE = 3  # zxcvbn's 0-4: 3 is "safely unguessable" against an online attack
# zxcvbn's own ceiling; a longer password is scored on its start, which is the part a
# guesser would have to get right first.
SCORED_LENGTH = 72
GENERIC_ADVICE = "Add another word or two: a few unusual words together are hard to guess."


def weakness(password: str, *known: str) -> str | None:
    """Advice when the password is too easy to guess, else None.

    known are things about the person (name, email address) a guesser would try first.
    """
    inputs = [part for value in known if value for part in _words(value)]
    result = zxcvbn(password[:SCORED_LENGTH], user_inputs=inputs)
    if result["score"] >= MIN_SCORE:
        return None
    feedback = result["feedback"]
    advice = [feedback.get("warning") or "", *feedback.get("suggestions", [])]
    advice = [line.strip() for line in advice if line and line.strip()]
    return " ".join(["This password is too easy to guess.", *(advice or [GENERIC_ADVICE])])


def check_strength(password: str, *known: str) -> None:
    """Raise WeakPassword (beside the password field) when the password is too guessable."""
    advice = weakness(password, *known)
    if advice is not None:
        raise WeakPassword(advice)


def _words(value: str) -> list[str]:
    """The value and its parts: 'ann.lee@example.org' gives the address, ann, lee, example."""
    parts = [value.lower(), "".join(value.lower().split())]
    for separator in "@.-_+ ":
        parts = [piece for part in parts for piece in (part, *part.split(separator))]
    return sorted({part for part in parts if len(part) >= 3})
