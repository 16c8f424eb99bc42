"""Attendance outcomes (attended, absent, late cancellation) and learners' feedback

Revision ID: 0004
Revises: 0006
Create Date: 2026-11-30 00:50:16.614298

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0006'
branch_labels = None
depends_on = None

OUTCOME_KNOWN = (
    "outcome IS NULL OR outcome IN ('attended', 'absent', 'late_cancellation')"
)
OUTCOME_MATCHES_ATTENDED = (
    "(outcome IS NULL) = (attended IS NULL) AND "
    "(outcome IS NULL OR (outcome = 'attended') = attended)"
)
OUTCOME_NEEDS_PLACE = (
    "outcome IS NULL OR status = 'confirmed' "
    "OR (status = 'cancelled' AND outcome = 'late_cancellation')"
)


def upgrade():
    op.create_table('feedback_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.SmallInteger(), nullable=False),
    sa.Column('confidence_before', sa.SmallInteger(), nullable=False),
    sa.Column('confidence_after', sa.SmallInteger(), nullable=False),
    sa.Column('do_differently', sa.Text(), nullable=False),
    sa.Column('recommend', sa.Boolean(), nullable=False),
    sa.Column('quote_permitted', sa.Boolean(), nullable=False),
    sa.Column('quote_shown', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('confidence_after >= 1 AND confidence_after < 6', name=op.f('ck_feedback_responses_confidence_after_on_scale')),
    sa.CheckConstraint('confidence_before >= 1 AND confidence_before < 6', name=op.f('ck_feedback_responses_confidence_before_on_scale')),
    sa.CheckConstraint('quote_permitted OR NOT quote_shown', name=op.f('ck_feedback_responses_quote_needs_permission')),
    sa.CheckConstraint('rating >= 1 AND rating < 6', name=op.f('ck_feedback_responses_rating_on_scale')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_feedback_responses_booking_id_bookings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_responses')),
    sa.UniqueConstraint('booking_id', name=op.f('uq_feedback_responses_booking_id'))
    )

    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('feedback_sent_at', sa.DateTime(), nullable=True))

    # The register's yes/no becomes an outcome. A mark left on a booking that no longer
    # holds a place (cancelled or waiting since) is dropped: it described nothing.
    op.execute(
        "UPDATE bookings SET outcome = CASE WHEN attended THEN 'attended' ELSE 'absent' END "
        "WHERE attended IS NOT NULL AND status = 'confirmed'"
    )
    op.execute("UPDATE bookings SET attended = NULL WHERE outcome IS NULL")

    # Added once the rows agree: SQLite's batch copy checks them as it fills the new table.
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_bookings_outcome_known'), OUTCOME_KNOWN)
        batch_op.create_check_constraint(
            op.f('ck_bookings_outcome_matches_attended'), OUTCOME_MATCHES_ATTENDED
        )
        batch_op.create_check_constraint(op.f('ck_bookings_outcome_needs_place'), OUTCOME_NEEDS_PLACE)


def downgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_bookings_outcome_needs_place'), type_='check')
        batch_op.drop_constraint(op.f('ck_bookings_outcome_matches_attended'), type_='check')
        batch_op.drop_constraint(op.f('ck_bookings_outcome_known'), type_='check')
        batch_op.drop_column('feedback_sent_at')
        batch_op.drop_column('outcome')

    op.drop_table('feedback_responses')
