"""Demo data gives a planner, never a superuser, with a password of its own."""

from __future__ import annotations

import io
import stat

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from core.roles import PLANNER
from tests.product import ROOT

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_makes_a_planner_with_a_generated_private_password(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    first = _seed()
    password_file = tmp_path / "demo.password"
    password = password_file.read_text().strip()
    assert f'password "{password}"' in first
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert len(password) >= 16

    demo = User.objects.get(username="demo")
    assert demo.check_password(password)
    assert not demo.is_superuser and not demo.is_staff
    assert not User.objects.filter(is_superuser=True).exists()
    assert demo.has_perms(PLANNER.permissions)
    assert not demo.has_perm("runs.delete_run")

    again = _seed()
    assert password not in again and str(password_file) in again
    assert User.objects.get(username="demo").check_password(password)


def test_another_data_folder_gets_its_own_password(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "one"
    settings.DATA_DIR.mkdir()
    _seed()
    User.objects.all().delete()
    settings.DATA_DIR = tmp_path / "two"
    settings.DATA_DIR.mkdir()
    _seed()
    one = (tmp_path / "one" / "demo.password").read_text()
    assert one != (tmp_path / "two" / "demo.password").read_text()


def test_a_demo_superuser_left_by_an_old_version_is_demoted_and_its_password_changed(
    settings, tmp_path, client
):
    settings.DATA_DIR = tmp_path
    User.objects.create_superuser("demo", password="demo-planner")
    _seed()
    demo = User.objects.get(username="demo")
    assert not demo.is_superuser and not demo.is_staff
    assert not demo.check_password("demo-planner")
    client.force_login(demo)
    assert client.get("/admin/").status_code == 302  # to the admin's login: not staff


def test_no_published_password_in_the_readme_or_bin_run():
    for path in ("README.md", "bin/run", "docs/operations.md", "docs/operations.ja.md"):
        assert "demo-planner" not in (ROOT / path).read_text(), path
