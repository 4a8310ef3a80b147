"""Delete the API tokens DRF's authtoken app kept in plain text.

scpln 0.1 stored each user's token as is (``authtoken_token``), in the
database and in every backup. Tokens are now stored as digests (knox); the
old table is dropped so no readable token stays on disk. Integrations ask
for a new token once (``POST /api/token``): docs/api.md.
"""

from django.db import migrations

PLAINTEXT_TABLE = "authtoken_token"


def drop_plaintext_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if PLAINTEXT_TABLE in connection.introspection.table_names():
        schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(PLAINTEXT_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_notifications"), ("knox", "0009_extend_authtoken_field")]

    operations = [migrations.RunPython(drop_plaintext_tokens, migrations.RunPython.noop)]
