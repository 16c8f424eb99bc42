"""Full-text search of the catalogue, on SQLite (FTS5) and PostgreSQL (tsvector).

What a visitor types is never passed to the database's query syntax as it is: it is
cut into words (letters and digits only), and the query is built from those words,
each quoted, so quotes, hyphens, `*`, `NEAR`, `OR` or brackets are only separators.

- Three letters or more: every word must appear in the title, summary, category or
  description, as a whole word or another form of it ("governance" finds "govern").
  When that finds nothing, the last word is taken as the start of a longer one
  ("volunt" finds "volunteers"). Results are ranked, a title match above a summary
  match above a description match; ties in title order.
- One or two letters ("AI", "HR"): courses with a word in the title starting with
  them, in title order. Searching whole descriptions for "a" would match everything.

The index is migration 0011: an FTS5 table `course_search` kept in step by triggers
on SQLite, generated tsvector columns with GIN indexes on PostgreSQL.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import Integer, and_, bindparam, column, func, literal_column, table

SHORTEST_WORD = 3  # below this, only titles are searched, by the start of their words
MAX_WORDS = 12  # more words than this add little but cost the database more
WORD = re.compile(r"[^\W_]+")

# bm25 weights of the FTS5 columns, in their order: title, summary, category, description.
SQLITE_WEIGHTS = (10.0, 4.0, 2.0, 1.0)

course_search = table("course_search", column("rowid", Integer), column("rank"))


@dataclass(frozen=True)
class TextQuery:
    """The words of a search, ready for either database."""

    words: tuple[str, ...]
    widened: bool = False  # the last word matches longer words starting with it

    @classmethod
    def parse(cls, text: str) -> TextQuery:
        normalised = unicodedata.normalize("NFKC", text or "").lower()
        return cls(tuple(WORD.findall(normalised))[:MAX_WORDS])

    @property
    def empty(self) -> bool:
        """Nothing to search for: the text held no letters or digits."""
        return not self.words

    @property
    def short(self) -> bool:
        """Only one- or two-letter words: a search of title words by their start."""
        return bool(self.words) and max(map(len, self.words)) < SHORTEST_WORD

    def widen(self) -> TextQuery | None:
        """The same search with its last word as a prefix; None when that adds nothing.

        A number is taken as it is: 100 does not find 1000.
        """
        if self.short or self.widened or not self.words or self.words[-1].isdigit():
            return None
        return TextQuery(self.words, widened=True)

    def _prefixed(self, index: int) -> bool:
        return self.short or (self.widened and index == len(self.words) - 1)

    def fts5(self) -> str:
        """An FTS5 MATCH expression: quoted words, ANDed; short ones on titles only."""
        parts = []
        for index, word in enumerate(self.words):
            part = f'"{word}"' + (" *" if self._prefixed(index) else "")
            parts.append(f"title : {part}" if self.short else part)
        return " AND ".join(parts)

    def tsquery(self) -> str:
        """A to_tsquery expression: the words ANDed, the unfinished one as a prefix."""
        return " & ".join(
            word + (":*" if self._prefixed(index) else "") for index, word in enumerate(self.words)
        )


def text_filter(dialect: str, short: bool):
    """(condition, rank) for a bound parameter "match", the other tables it needs.

    rank orders best first; None for short searches (which go in title order).
    """
    match = bindparam("match")
    if dialect == "postgresql":
        if short:
            vector = literal_column("courses.title_words")
            query = func.to_tsquery(literal_column("'simple'::regconfig"), match)
            return vector.op("@@")(query), None, None
        vector = literal_column("courses.search_vector")
        query = func.to_tsquery(literal_column("'english'::regconfig"), match)
        return vector.op("@@")(query), func.ts_rank_cd(vector, query).desc(), None
    matches = literal_column("course_search").op("MATCH")(match)
    if short:
        return matches, None, course_search
    # FTS5's rank column, set to weighted bm25 (lower is better): unlike bm25() itself,
    # a column may be read in any part of the statement (a window, an ORDER BY).
    weights = ", ".join(map(str, SQLITE_WEIGHTS))
    ranking = course_search.c.rank.op("MATCH")(literal_column(f"'bm25({weights})'"))
    return and_(matches, ranking), course_search.c.rank, course_search


def match_value(dialect: str, query: TextQuery) -> str:
    return query.tsquery() if dialect == "postgresql" else query.fts5()
