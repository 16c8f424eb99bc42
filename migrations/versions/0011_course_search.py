"""Full-text search of the catalogue: an FTS5 table on SQLite, a tsvector on PostgreSQL

The searched fields are a course's title, summary, category and description. On
SQLite, course_search is an FTS5 table kept in step by triggers on courses; on
PostgreSQL, courses.search_vector is a generated column (titles weigh most) with a
GIN index, and courses.title_words (the title's words, no stemming nor stop words)
serves the one- and two-letter searches. Both are filled for the existing courses.
A partial index on sessions serves the catalogue's "only dates with places left", and
one on courses (title, id) its pages in title order.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 03:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

SEARCHED = "title, summary, category, description"
NEW_VALUES = "new.id, new.title, new.summary, new.category, new.description"

SQLITE_UPGRADE = [
    # Its own copy of the text (not external content): a trigger can always delete a
    # row by rowid, whatever the course row held.
    f"""CREATE VIRTUAL TABLE course_search USING fts5(
        {SEARCHED},
        tokenize = 'porter unicode61 remove_diacritics 2',
        prefix = '1 2'
    )""",
    f"""CREATE TRIGGER courses_search_insert AFTER INSERT ON courses BEGIN
        INSERT INTO course_search (rowid, {SEARCHED}) VALUES ({NEW_VALUES});
    END""",
    f"""CREATE TRIGGER courses_search_update AFTER UPDATE OF id, {SEARCHED} ON courses BEGIN
        DELETE FROM course_search WHERE rowid = old.id;
        INSERT INTO course_search (rowid, {SEARCHED}) VALUES ({NEW_VALUES});
    END""",
    """CREATE TRIGGER courses_search_delete AFTER DELETE ON courses BEGIN
        DELETE FROM course_search WHERE rowid = old.id;
    END""",
    f"INSERT INTO course_search (rowid, {SEARCHED}) SELECT id, {SEARCHED} FROM courses",
]
SQLITE_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS courses_search_delete",
    "DROP TRIGGER IF EXISTS courses_search_update",
    "DROP TRIGGER IF EXISTS courses_search_insert",
    "DROP TABLE IF EXISTS course_search",
]

POSTGRES_UPGRADE = [
    # to_tsvector with a named configuration is immutable, so it may define a stored
    # generated column: PostgreSQL fills it for existing rows and keeps it in step.
    """ALTER TABLE courses ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B')
        || setweight(to_tsvector('english'::regconfig, coalesce(category, '')), 'C')
        || setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'D')
    ) STORED""",
    """ALTER TABLE courses ADD COLUMN title_words tsvector GENERATED ALWAYS AS (
        to_tsvector('simple'::regconfig, coalesce(title, ''))
    ) STORED""",
    "CREATE INDEX ix_courses_search_vector ON courses USING gin (search_vector)",
    "CREATE INDEX ix_courses_title_words ON courses USING gin (title_words)",
]
POSTGRES_DOWNGRADE = [
    "DROP INDEX IF EXISTS ix_courses_title_words",
    "DROP INDEX IF EXISTS ix_courses_search_vector",
    "ALTER TABLE courses DROP COLUMN IF EXISTS title_words",
    "ALTER TABLE courses DROP COLUMN IF EXISTS search_vector",
]


# The catalogue's "only dates with places left": one index probe per course, not a
# look at each of its sessions (the query names the same literal conditions).
BOOKABLE_INDEX = (
    "CREATE INDEX ix_sessions_bookable ON sessions (course_id, starts_at) "
    "WHERE status = 'scheduled' AND seats_taken < capacity"
)

# The catalogue without words lists courses by title: a page is read along this index.
ORDER_INDEX = "CREATE INDEX ix_courses_catalogue_order ON courses (title, id)"


def _run(statements):
    for statement in statements:
        op.execute(statement)


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        _run(POSTGRES_UPGRADE)
    else:
        _run(SQLITE_UPGRADE)
    op.execute(BOOKABLE_INDEX)
    op.execute(ORDER_INDEX)


def downgrade():
    op.execute("DROP INDEX IF EXISTS ix_courses_catalogue_order")
    op.execute("DROP INDEX IF EXISTS ix_sessions_bookable")
    if op.get_bind().dialect.name == 'postgresql':
        _run(POSTGRES_DOWNGRADE)
    else:
        _run(SQLITE_DOWNGRADE)
