"""Indexes for the staff course filter: course titles by lower case, and by substring

Staff find a course for the bookings and sessions filters by typing words of its
title. ix_courses_title_lower serves the list of matches in title order (a page of
them is read along it) and the look-up of a title typed in full; on PostgreSQL, a
pg_trgm GIN index serves the words as substrings (lower(title) LIKE '%word%').

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 07:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_courses_title_lower', 'courses', [sa.text('lower(title)'), 'id'], unique=False
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        op.execute(
            'CREATE INDEX ix_courses_title_trgm ON courses USING gin (lower(title) gin_trgm_ops)'
        )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_courses_title_trgm', table_name='courses')
    op.drop_index('ix_courses_title_lower', table_name='courses')
