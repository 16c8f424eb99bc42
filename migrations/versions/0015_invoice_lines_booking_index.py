"""Index invoice lines by booking: the invoices found through their learners

Searching invoices by a learner's name or email finds the learners, their bookings,
then the lines that bill those bookings. Lines had only a partial unique index on
the booking (live lines), so the last step read every line.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 10:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_invoice_lines_booking_id', 'invoice_lines', ['booking_id'], unique=False)


def downgrade():
    op.drop_index('ix_invoice_lines_booking_id', table_name='invoice_lines')
