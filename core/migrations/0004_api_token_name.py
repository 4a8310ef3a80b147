"""Name knox's tokens "API tokens" in the admin (a proxy model: no table, no data)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_drop_plaintext_api_tokens"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        migrations.CreateModel(
            name="ApiToken",
            fields=[],
            options={
                "verbose_name": "API token",
                "verbose_name_plural": "API tokens",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("knox.authtoken",),
        ),
    ]
