"""PostgreSQL stores a run's Parquet tables as they are (``STORAGE EXTERNAL``): out of line,
without trying to compress bytes zstd has compressed already. Rows stored before read as
ever; a 94 MB PSI table's insert took 0.7–1.2 s instead of 1.8–2.7 s wall (6 Dec 2026).
Nothing to do on other databases."""

from django.db import migrations

COLUMNS = ("psi", "pl", "trace", "receipts")


def _storage(mode: str):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(apps.get_model("runs", "RunResult")._meta.db_table)
        for column in COLUMNS:
            schema_editor.execute(
                f"ALTER TABLE {table} ALTER COLUMN {schema_editor.quote_name(column)} "
                f"SET STORAGE {mode}"
            )

    return apply


class Migration(migrations.Migration):
    dependencies = [("runs", "0007_run_trace_built_on_request")]

    operations = [migrations.RunPython(_storage("EXTERNAL"), _storage("EXTENDED"))]
