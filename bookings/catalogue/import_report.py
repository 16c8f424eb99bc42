"""What a catalogue import did: counts, and each rejected row with its reason."""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass
class ImportReport:
    courses_created: int = 0
    courses_updated: int = 0
    sessions_created: int = 0
    sessions_updated: int = 0
    rows_imported: int = 0
    waiting_promoted: int = 0
    people_told: int = 0  # emailed about the new dates, once each
    rejected: list[tuple[int, str]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """The numbers so far, to put back when the database refuses a row."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "rejected"}

    def restore_counts(self, counts: dict[str, int]) -> None:
        for name, count in counts.items():
            setattr(self, name, count)

    def reject(self, line: int, reason: str) -> None:
        self.rejected.append((line, reason))

    def summary(self) -> str:
        promoted, told = self.waiting_promoted, self.people_told
        return (
            f"Imported {_many(self.rows_imported, 'row')}: "
            f"{_many(self.courses_created, 'course')} created, {self.courses_updated} updated; "
            f"{_many(self.sessions_created, 'session')} created, {self.sessions_updated} updated. "
            + (f"{_many(promoted, 'waiting learner')} given a place. " if promoted else "")
            + (f"{_people(told)} told about the new dates. " if told else "")
            + f"{_many(len(self.rejected), 'row')} rejected."
        )

    def rejected_lines(self) -> list[str]:
        return [f"Line {line}: {reason}" for line, reason in self.rejected]


def _many(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def _people(number: int) -> str:
    return f"{number} {'person' if number == 1 else 'people'}"
