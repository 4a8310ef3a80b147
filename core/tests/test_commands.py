"""What every management command inherits from ``core.commands.ServiceCommand``."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from core.commands import ServiceCommand


class _Refusing(ServiceCommand):
    """Refuse, as a service would.

    Every time."""

    def handle(self, *args, **options) -> None:
        raise ValidationError({"n": ["Too many.", "Not a number."], "seed": ["Too large."]})


def test_service_command_help_is_its_docstring():
    assert _Refusing.help == "Refuse, as a service would.\n\nEvery time."


def test_service_command_ends_a_refusal_as_a_command_error_by_field():
    with pytest.raises(CommandError) as raised:
        call_command(_Refusing())
    assert str(raised.value) == "n: Too many.\nn: Not a number.\nseed: Too large."
