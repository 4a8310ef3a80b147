"""The Japanese translation: complete for every UI string, and served to Japanese browsers.

Completeness is checked against what ``makemessages`` finds in the code *now*:
it runs on a copy of the project (so the checkout is never touched) with the
catalogue merged in, and every entry must come out translated and not fuzzy.
A string added to a template without its translation fails here, naming it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from tests.translations import LOCALE_DIR, ROOT, compile_catalogues, msg_tool

# The command that maintains the catalogue (README, "Translations"):
#   python manage.py makemessages -l ja <MAKEMESSAGES_OPTIONS>
MAKEMESSAGES_OPTIONS = [
    "--ignore=.venv",
    "--ignore=bench",
    "--ignore=data",
    "--ignore=artifacts",
    "--ignore=tests",
    "--ignore=docs",
    "--add-location=file",
    "--no-obsolete",
]
CATALOGUE = LOCALE_DIR / "ja" / "LC_MESSAGES" / "django.po"
COPY_IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".hypothesis",
    ".*_cache",
    "*.egg-info",
    "__pycache__",
    "*.mo",
    "data",
    "artifacts",
    "bench",
)


def _entries(attribute_filter: str, po: Path) -> str:
    """The entries of ``po`` that msgattrib selects (e.g. ``--untranslated``), header excluded."""
    result = subprocess.run(
        [msg_tool("msgattrib"), attribute_filter, "--no-wrap", str(po)],
        capture_output=True,
        text=True,
        check=True,
    )
    # msgattrib repeats the header entry (msgid "") when anything else is selected.
    blocks = [
        b for b in result.stdout.split("\n\n") if b.strip() and 'msgid ""\nmsgstr ""' not in b
    ]
    return "\n\n".join(blocks)


@pytest.fixture(scope="session")
def extracted_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Japanese catalogue after ``makemessages`` merged in the strings the code has today."""
    msg_tool("xgettext")
    copy = tmp_path_factory.mktemp("makemessages") / "project"
    shutil.copytree(ROOT, copy, ignore=COPY_IGNORE)
    env = {**os.environ, "SCPLN_DATA_DIR": str(copy / "data")}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ja", *MAKEMESSAGES_OPTIONS],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return copy / CATALOGUE.relative_to(ROOT)


def test_japanese_catalogue_translates_every_string_the_ui_has(extracted_catalogue: Path):
    untranslated = _entries("--untranslated", extracted_catalogue)
    assert not untranslated, (
        "UI strings without a Japanese translation (run makemessages, translate them):\n"
        + untranslated
    )
    fuzzy = _entries("--only-fuzzy", extracted_catalogue)
    assert not fuzzy, "Japanese translations marked fuzzy (changed source text):\n" + fuzzy


def test_japanese_catalogue_keeps_no_stale_or_fuzzy_entries():
    assert CATALOGUE.is_file(), f"{CATALOGUE.relative_to(ROOT)} is missing"
    assert not _entries("--only-obsolete", CATALOGUE), "obsolete (#~) entries left behind"
    assert not _entries("--only-fuzzy", CATALOGUE), "fuzzy entries left behind"
    assert not _entries("--untranslated", CATALOGUE), "untranslated entries left behind"


@pytest.fixture
def japanese(settings, tmp_path: Path) -> None:
    """Serve the catalogue compiled from today's ``.po`` (not a stale ``.mo``)."""
    settings.LOCALE_PATHS = [compile_catalogues(tmp_path / "locale")]


@pytest.mark.django_db
@pytest.mark.usefixtures("japanese")
def test_browser_asking_for_japanese_gets_japanese_pages(client):
    login = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="ja,en;q=0.5")
    html = login.content.decode()
    assert login.status_code == 200
    assert '<html lang="ja">' in html
    assert "ログイン" in html and "ユーザー名" in html and "パスワード" in html

    client.force_login(User.objects.create_user("planner"))
    plans = client.get("/ui/plans", HTTP_ACCEPT_LANGUAGE="ja")
    html = plans.content.decode()
    assert plans.status_code == 200
    assert ">計画</a>" in html and ">実行一覧</a>" in html and ">シナリオ</a>" in html
    assert "<h1>計画</h1>" in html
    assert ">Plans<" not in html and "Log out" not in html

    english = client.get("/ui/plans", HTTP_ACCEPT_LANGUAGE="en")
    assert "<h1>Plans</h1>" in english.content.decode()
