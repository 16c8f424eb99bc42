"""PostgreSQL: a trigram index for searching invoices by number, buyer and PO

The staff invoices search looks for the text in an invoice's number, buyer name,
email, organisation and purchase order, or in its learners or credit notes. On
PostgreSQL nothing served the invoice's own columns, so every search read every
invoice. One GIN index over those columns joined by chr(1), a character no search
contains, so a match never spans two of them; bookings/payments/queries.py builds
the same expression. SQLite has its trigram table for this since 0014.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 10:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

COLUMNS = ('number', 'buyer_name', 'buyer_email', 'buyer_organisation', 'po_number')


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    joined = ' || chr(1) || '.join(COLUMNS)
    op.execute(
        f'CREATE INDEX ix_invoices_search_trgm ON invoices USING gin (lower({joined}) gin_trgm_ops)'
    )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX ix_invoices_search_trgm')
