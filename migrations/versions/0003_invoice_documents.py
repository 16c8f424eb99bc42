"""Invoice emails carry their PDF; payments recorded with a known method

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

PAYMENT_METHODS = "('bank_transfer', 'card', 'cheque', 'cash', 'other')"


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachment', sa.String(length=80), nullable=True))

    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f('ck_invoices_payment_method_known'),
            f"payment_method = '' OR payment_method IN {PAYMENT_METHODS}",
        )
        batch_op.create_check_constraint(
            op.f('ck_invoices_paid_iff_paid_on'),
            "(status = 'paid') = (paid_on IS NOT NULL)",
        )


def downgrade():
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_invoices_paid_iff_paid_on'), type_='check')
        batch_op.drop_constraint(op.f('ck_invoices_payment_method_known'), type_='check')

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('attachment')
