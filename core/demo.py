"""Demo accounts: ordinary users with a role and a password of their own.

``bin/run`` loads demo data on every start. Its accounts used to be a
superuser with a password printed in the README: anyone who reached the port
had the admin. Now a demo account has a role's permissions only (never staff
or superuser; ``createsuperuser`` is how an operator gets one), and its
password is generated at the first start, printed once and kept in the data
folder, readable by this account only (0600). An account left over from
earlier versions (a superuser, or the published password) is brought into line.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import User
from django.db import transaction

from core.files import private_file
from core.roles import role_grant

# The password printed by scpln 0.1's README; an account that still has it is reset.
PUBLISHED_PASSWORD = "demo-planner"


@dataclass(frozen=True)
class DemoLogin:
    user: User
    password_file: Path
    # The password when it was (re)generated now, so the caller can print it once.
    new_password: str | None


def demo_password_file(data_dir: Path, username: str) -> Path:
    return data_dir / f"{username}.password"


@transaction.atomic
def demo_account_ensure(*, username: str, role: str, data_dir: Path) -> DemoLogin:
    """Create (or correct) the demo account ``username`` with ``role``'s permissions.

    A new account, or one that is a superuser or staff or still has the
    published password, gets a fresh password, written to
    ``<data_dir>/<username>.password`` (0600) and returned once. Otherwise the
    password is left alone, whatever the file says.
    """
    user, created = User.objects.get_or_create(username=username)
    reset = (
        created
        or user.is_superuser
        or user.is_staff
        or not user.has_usable_password()
        or user.check_password(PUBLISHED_PASSWORD)
    )
    password_file = demo_password_file(data_dir, username)
    password = None
    if reset:
        password = secrets.token_urlsafe(12)
        user.is_superuser = user.is_staff = False
        user.set_password(password)
        user.save()
        private_file(password_file).write_text(password + "\n")
    role_grant(user=user, role=role)
    return DemoLogin(user=user, password_file=password_file, new_password=password)
