"""Index sessions and courses by their last edit: when a calendar feed last changed

The public and course feeds answer a poll with 304 Not Modified when nothing has
changed since the Last-Modified they sent. Working that out took the latest edit of
every session and course, and the latest start before a few moments, as one
aggregate over all sessions: it read every session ever held. With these indexes
each is one index lookup.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 12:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_sessions_updated_at', 'sessions', ['updated_at'], unique=False)
    op.create_index('ix_courses_updated_at', 'courses', ['updated_at'], unique=False)


def downgrade():
    op.drop_index('ix_courses_updated_at', table_name='courses')
    op.drop_index('ix_sessions_updated_at', table_name='sessions')
