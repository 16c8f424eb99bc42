"""Indexes for the paged lists: each list's WHERE and ORDER BY, and substring search

Every staff and trainer list pages by keyset (bookings.paging): a page is an index range
scan that starts where the last page ended. Each composite index below matches a list's
filter then its order, ending with the id that makes the order total. On PostgreSQL,
pg_trgm GIN indexes serve the substring searches (lower(column) LIKE '%text%'); SQLite
cannot index those, and keeps them bounded by LIMIT and the keyset instead.

Revision ID: 0010
Revises: 0005
Create Date: 2026-11-30 03:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0005'
branch_labels = None
depends_on = None


# (name, table, columns or SQL expressions): on every database.
INDEXES = [
    # /staff/bookings, newest first; with a status filter (by session: ix_bookings_session_status)
    ('ix_bookings_created', 'bookings', ['created_at', 'id']),
    ('ix_bookings_status_created', 'bookings', ['status', 'created_at', 'id']),
    # "Booked by me" on My bookings (a team's organiser), and ON DELETE SET NULL
    ('ix_bookings_booked_by', 'bookings', ['booked_by_id']),
    # /staff/sessions and the dashboard; with a course filter
    ('ix_sessions_starts_id', 'sessions', ['starts_at', 'id']),
    ('ix_sessions_course_starts', 'sessions', ['course_id', 'starts_at', 'id']),
    # /trainer/sessions: a trainer's, and every session for staff, by end
    ('ix_sessions_trainer_ends', 'sessions', ['trainer_id', 'ends_at', 'id']),
    ('ix_sessions_ends', 'sessions', ['ends_at', 'id']),
    # /staff/users by name; with a role filter
    ('ix_users_name_lower', 'users', [sa.text('lower(name)'), 'id']),
    ('ix_users_role_name_lower', 'users', ['role', sa.text('lower(name)'), 'id']),
    # /staff/outbox: failed and waiting by when queued, sent by when sent
    ('ix_outbox_messages_status_created', 'outbox_messages', ['status', 'created_at', 'id']),
    (
        'ix_outbox_messages_status_sent',
        'outbox_messages',
        ['status', sa.text('coalesce(sent_at, created_at)'), 'id'],
    ),
    # /staff/audit, newest first; with an action filter
    ('ix_audit_entries_at_id', 'audit_entries', ['at', 'id']),
    ('ix_audit_entries_action_at', 'audit_entries', ['action', 'at', 'id']),
    # /staff/invoices, latest issued first, each list by status
    ('ix_invoices_issued', 'invoices', ['issued_on', 'id']),
    ('ix_invoices_status_issued', 'invoices', ['status', 'issued_on', 'id']),
    # /staff/enquiries, one tab per status
    ('ix_enquiries_status_created_id', 'enquiries', ['status', 'created_at', 'id']),
    # Feedback comments, newest first
    ('ix_feedback_responses_created', 'feedback_responses', ['created_at', 'id']),
]

# (name, table, column): trigram indexes on lower(column), PostgreSQL only.
TRIGRAM_INDEXES = [
    ('ix_bookings_reference_trgm', 'bookings', 'reference'),
    ('ix_bookings_organisation_trgm', 'bookings', 'organisation'),
    ('ix_users_name_trgm', 'users', 'name'),
    ('ix_users_email_trgm', 'users', 'email'),
    ('ix_outbox_messages_recipient_trgm', 'outbox_messages', 'recipient'),
    ('ix_audit_entries_actor_trgm', 'audit_entries', 'actor'),
]


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        for name, table, column in TRIGRAM_INDEXES:
            op.execute(
                f'CREATE INDEX {name} ON {table} USING gin (lower({column}) gin_trgm_ops)'
            )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for name, table, _ in reversed(TRIGRAM_INDEXES):
            op.drop_index(name, table_name=table)
        # The extension stays: other objects may use it, and it costs nothing.
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
