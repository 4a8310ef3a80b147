from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser

from core.commands import ServiceCommand
from core.tokens import api_token_issue, api_tokens_of, api_tokens_revoke


class Command(ServiceCommand):
    """Issue a new API token for a user and print it (it is shown only now: scpln keeps only its
    digest). --revoke-all first revokes every token the user has."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--revoke-all", action="store_true", help="revoke the user's existing tokens first"
        )

    def handle(self, *args, **options) -> None:
        user_model = get_user_model()
        try:
            user = user_model.objects.get(**{user_model.USERNAME_FIELD: options["username"]})
        except user_model.DoesNotExist:
            raise CommandError(f"no user {options['username']!r}") from None
        if options["revoke_all"]:
            revoked = api_tokens_revoke(tokens=api_tokens_of(user=user))
            self.stderr.write(f"revoked {revoked} token(s)")
        token, text = api_token_issue(user=user)
        self.stderr.write(f"expires {token.expiry.isoformat(timespec='seconds')}")
        self.stdout.write(text)
