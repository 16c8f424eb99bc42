"""Substring search for the staff lists on SQLite: FTS5 trigram tables

The staff search users, bookings, the outbox and invoices for text anywhere in a few
columns (lower(column) LIKE '%text%'). PostgreSQL serves that from the pg_trgm
indexes of migration 0010; SQLite had no index for it and read every row. Here each
set of columns searched together gets an FTS5 table with the trigram tokenizer whose
rowid is the row's id, external content (the text stays in its own table only), kept
in step by triggers and filled for the existing rows. bookings/substring.py queries
them. Nothing changes on PostgreSQL.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 09:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

# (FTS5 table, table searched, its columns searched together)
SUBSTRING_TABLES = [
    ('user_substrings', 'users', ('name', 'email')),
    ('booking_substrings', 'bookings', ('reference', 'organisation')),
    ('outbox_substrings', 'outbox_messages', ('recipient',)),
    (
        'invoice_substrings',
        'invoices',
        ('number', 'buyer_name', 'buyer_email', 'buyer_organisation', 'po_number'),
    ),
]


def _upgrade_statements(fts, table, columns):
    names = ', '.join(columns)
    new = ', '.join(f'new.{c}' for c in columns)
    old = ', '.join(f'old.{c}' for c in columns)
    # An external-content table forgets a row by being told the text it indexed: the
    # old values, which a trigger has.
    forget = f"INSERT INTO {fts} ({fts}, rowid, {names}) VALUES ('delete', old.id, {old});"
    index = f'INSERT INTO {fts} (rowid, {names}) VALUES (new.id, {new});'
    return [
        f"""CREATE VIRTUAL TABLE {fts} USING fts5(
            {names}, content = '{table}', content_rowid = 'id', tokenize = 'trigram'
        )""",
        f'CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {index} END',
        f"""CREATE TRIGGER {fts}_update AFTER UPDATE OF id, {names} ON {table} BEGIN
            {forget}
            {index}
        END""",
        f'CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {forget} END',
        f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')",
    ]


def upgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    for fts, table, columns in SUBSTRING_TABLES:
        for statement in _upgrade_statements(fts, table, columns):
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    for fts, _, _ in reversed(SUBSTRING_TABLES):
        for trigger in ('delete', 'update', 'insert'):
            op.execute(f'DROP TRIGGER IF EXISTS {fts}_{trigger}')
        op.execute(f'DROP TABLE IF EXISTS {fts}')
