"""Count the substitutes sent in a booking's place (team bookings)

Revision ID: 0009
Revises: 0003
Create Date: 2026-11-30 00:48:06.648789

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('substitutions', sa.Integer(), nullable=False, server_default='0'))



def downgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_column('substitutions')

