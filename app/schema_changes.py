"""What Alembic revisions share (migrations/versions): the same step written once."""
from alembic import op


def table_batches(*tables):
    """Yield (table, batch operations) for each table in turn. On SQLite each table is copied
    (Alembic's batch mode), with foreign keys off: a copy must not fire the ON DELETE of the
    rows referring to it (DROP TABLE deletes first)."""
    bind = op.get_bind()
    sqlite = bind.dialect.name == 'sqlite'
    if sqlite:
        raw = bind.connection.dbapi_connection
        if raw.in_transaction:
            raw.commit()  # SQLite changes this pragma outside a transaction only
        bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
    try:
        for table in tables:
            with op.batch_alter_table(table, schema=None,
                                      recreate='always' if sqlite else 'auto') as batch_op:
                yield table, batch_op
    finally:
        if sqlite:
            bind.exec_driver_sql("PRAGMA foreign_keys=ON")
