"""Certificates with verification codes; brochure introductions

Revision ID: 0007
Revises: 0004
Create Date: 2026-11-30 00:50:20.026909

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('brochure_introductions',
    sa.Column('sector', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("sector IN ('voluntary', 'private')", name=op.f('ck_brochure_introductions_sector_known')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_brochure_introductions_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('sector', name=op.f('pk_brochure_introductions'))
    )
    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_certificates_booking_id_bookings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('booking_id', name=op.f('uq_certificates_booking_id')),
    sa.UniqueConstraint('code', name=op.f('uq_certificates_code'))
    )


def downgrade():
    op.drop_table('certificates')
    op.drop_table('brochure_introductions')
