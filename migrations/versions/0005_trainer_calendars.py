"""Trainer calendars: staff feed tokens; trainer changes and cancellation time of sessions

Revision ID: 0005
Revises: 0008
Create Date: 2026-11-30 01:10:00.000000

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        'sessions',
        sa.Column('trainer_changes', sa.Integer(), nullable=False, server_default='0'),
    )
    op.add_column('sessions', sa.Column('cancelled_at', sa.DateTime(), nullable=True))
    # Sessions cancelled before now: their last change was the cancellation.
    op.execute("UPDATE sessions SET cancelled_at = updated_at WHERE status = 'cancelled'")

    # Each existing account gets its own secret before the column may be NOT NULL: no
    # server default can be unique, so the tokens are made here, as the model makes them.
    op.add_column('users', sa.Column('staff_calendar_token', sa.String(length=64), nullable=True))
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('staff_calendar_token', sa.String))
    connection = op.get_bind()
    ids = connection.execute(sa.select(users.c.id)).scalars().all()
    if ids:
        connection.execute(
            users.update()
            .where(users.c.id == sa.bindparam('user_id'))
            .values(staff_calendar_token=sa.bindparam('token')),
            [{'user_id': user_id, 'token': secrets.token_urlsafe(24)} for user_id in ids],
        )

    # SQLite's batch copy of the table cannot carry an index on an expression: drop it
    # first and build it again after.
    op.drop_index('uq_users_email_lower', table_name='users')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('staff_calendar_token', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(op.f('uq_users_staff_calendar_token'), ['staff_calendar_token'])
    op.create_index('uq_users_email_lower', 'users', [sa.text('lower(email)')], unique=True)


def downgrade():
    op.drop_index('uq_users_email_lower', table_name='users')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('uq_users_staff_calendar_token'), type_='unique')
        batch_op.drop_column('staff_calendar_token')
    op.create_index('uq_users_email_lower', 'users', [sa.text('lower(email)')], unique=True)

    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('trainer_changes')
