"""Invoice totals kept by triggers: the staff lists' counts and sums without every invoice

/staff/invoices shows, for each list (outstanding, overdue, paid, credited), how many
invoices it holds and what they come to; with no search and no dates that was a sum
over every invoice. invoice_totals holds one row per (status, due date): how many
invoices, what they still charge (total less credited) and what was credited. The
lists add up those rows, a few thousand however many invoices there are; overdue is
the issued rows due before today. document_counts holds how many rows invoice_lines
and credit_notes have, for the sizes of the exports offered on the same page.

Triggers keep both in step with every INSERT, UPDATE and DELETE, whoever makes it (the
app, a cascade, a bulk load). On SQLite they are row triggers. On PostgreSQL the
invoice totals use a row trigger too; the document counts use statement triggers with
transition tables, one update per statement, since a bulk load updating one counter
row once per row would leave a chain of row versions that each update walks.
Both tables are filled from the existing rows.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

COUNTED = ('invoice_lines', 'credit_notes')

# Adding an invoice's figures to its row, made when missing ({row}: new or old).
ADD_INVOICE = """INSERT INTO invoice_totals
        (status, due_on, invoice_count, due_pence, credited_pence)
    VALUES ({row}.status, {row}.due_on, 1,
            {row}.total_pence - {row}.credited_pence, {row}.credited_pence)
    ON CONFLICT (status, due_on) DO UPDATE SET
        invoice_count = invoice_totals.invoice_count + 1,
        due_pence = invoice_totals.due_pence + excluded.due_pence,
        credited_pence = invoice_totals.credited_pence + excluded.credited_pence"""

# Taking them away again; the row goes with its last invoice.
REMOVE_INVOICE = """UPDATE invoice_totals SET
        invoice_count = invoice_count - 1,
        due_pence = due_pence - ({row}.total_pence - {row}.credited_pence),
        credited_pence = credited_pence - {row}.credited_pence
    WHERE status = {row}.status AND due_on = {row}.due_on;
    DELETE FROM invoice_totals
    WHERE status = {row}.status AND due_on = {row}.due_on AND invoice_count = 0"""

INVOICE_COLUMNS = 'status, due_on, total_pence, credited_pence'

SQLITE_UPGRADE = [
    f"""CREATE TRIGGER invoices_totals_insert AFTER INSERT ON invoices BEGIN
        {ADD_INVOICE.format(row='new')};
    END""",
    f"""CREATE TRIGGER invoices_totals_update AFTER UPDATE OF {INVOICE_COLUMNS}
    ON invoices BEGIN
        {REMOVE_INVOICE.format(row='old')};
        {ADD_INVOICE.format(row='new')};
    END""",
    f"""CREATE TRIGGER invoices_totals_delete AFTER DELETE ON invoices BEGIN
        {REMOVE_INVOICE.format(row='old')};
    END""",
]
for _table in COUNTED:
    SQLITE_UPGRADE += [
        f"""CREATE TRIGGER {_table}_count_insert AFTER INSERT ON {_table} BEGIN
            INSERT INTO document_counts (table_name, row_count) VALUES ('{_table}', 1)
            ON CONFLICT (table_name) DO UPDATE SET row_count = row_count + 1;
        END""",
        f"""CREATE TRIGGER {_table}_count_delete AFTER DELETE ON {_table} BEGIN
            UPDATE document_counts SET row_count = row_count - 1
            WHERE table_name = '{_table}';
        END""",
    ]
SQLITE_DOWNGRADE = [
    'DROP TRIGGER IF EXISTS invoices_totals_insert',
    'DROP TRIGGER IF EXISTS invoices_totals_update',
    'DROP TRIGGER IF EXISTS invoices_totals_delete',
    *(f'DROP TRIGGER IF EXISTS {t}_count_{op_}' for t in COUNTED for op_ in ('insert', 'delete')),
]

POSTGRES_UPGRADE = [
    f"""CREATE FUNCTION invoice_totals_follow() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            {REMOVE_INVOICE.format(row='OLD')};
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            {ADD_INVOICE.format(row='NEW')};
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER invoices_totals
    AFTER INSERT OR DELETE OR UPDATE OF {INVOICE_COLUMNS} ON invoices
    FOR EACH ROW EXECUTE FUNCTION invoice_totals_follow()""",
    """CREATE FUNCTION document_counts_add() RETURNS trigger AS $$
    BEGIN
        INSERT INTO document_counts (table_name, row_count)
        SELECT TG_TABLE_NAME, count(*) FROM added HAVING count(*) > 0
        ON CONFLICT (table_name) DO UPDATE
        SET row_count = document_counts.row_count + excluded.row_count;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql""",
    """CREATE FUNCTION document_counts_remove() RETURNS trigger AS $$
    BEGIN
        UPDATE document_counts SET row_count = row_count - (SELECT count(*) FROM removed)
        WHERE table_name = TG_TABLE_NAME;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql""",
]
for _table in COUNTED:
    POSTGRES_UPGRADE += [
        f"""CREATE TRIGGER {_table}_count_insert AFTER INSERT ON {_table}
        REFERENCING NEW TABLE AS added
        FOR EACH STATEMENT EXECUTE FUNCTION document_counts_add()""",
        f"""CREATE TRIGGER {_table}_count_delete AFTER DELETE ON {_table}
        REFERENCING OLD TABLE AS removed
        FOR EACH STATEMENT EXECUTE FUNCTION document_counts_remove()""",
    ]
POSTGRES_DOWNGRADE = [
    *(
        f'DROP TRIGGER IF EXISTS {t}_count_{op_} ON {t}'
        for t in COUNTED
        for op_ in ('insert', 'delete')
    ),
    'DROP TRIGGER IF EXISTS invoices_totals ON invoices',
    'DROP FUNCTION IF EXISTS document_counts_remove()',
    'DROP FUNCTION IF EXISTS document_counts_add()',
    'DROP FUNCTION IF EXISTS invoice_totals_follow()',
]

# What the triggers would have made of the rows already there.
BACKFILL = [
    """INSERT INTO invoice_totals (status, due_on, invoice_count, due_pence, credited_pence)
    SELECT status, due_on, count(*), sum(total_pence - credited_pence), sum(credited_pence)
    FROM invoices GROUP BY status, due_on""",
    *(
        f"INSERT INTO document_counts (table_name, row_count) "
        f"SELECT '{t}', count(*) FROM {t}"
        for t in COUNTED
    ),
]


def upgrade():
    op.create_table(
        'invoice_totals',
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('invoice_count', sa.Integer(), nullable=False),
        sa.Column('due_pence', sa.BigInteger(), nullable=False),
        sa.Column('credited_pence', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('status', 'due_on', name=op.f('pk_invoice_totals')),
    )
    op.create_table(
        'document_counts',
        sa.Column('table_name', sa.String(length=32), nullable=False),
        sa.Column('row_count', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('table_name', name=op.f('pk_document_counts')),
    )
    # Triggers first, then the fill: on PostgreSQL, CREATE TRIGGER holds off other
    # writers to these tables until this transaction ends, so none slips between.
    statements = SQLITE_UPGRADE
    if op.get_bind().dialect.name == 'postgresql':
        statements = POSTGRES_UPGRADE
    for statement in [*statements, *BACKFILL]:
        op.execute(statement)


def downgrade():
    statements = SQLITE_DOWNGRADE
    if op.get_bind().dialect.name == 'postgresql':
        statements = POSTGRES_DOWNGRADE
    for statement in statements:
        op.execute(statement)
    op.drop_table('document_counts')
    op.drop_table('invoice_totals')
