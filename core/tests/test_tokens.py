"""API tokens: stored as digests, expiring, limited per user, revocable everywhere."""

from __future__ import annotations

import importlib
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from knox.models import AuthToken

from core.api.testing import api_user
from core.tokens import api_token_issue, api_tokens_of

pytestmark = pytest.mark.django_db


def _obtain(client, username: str, password: str):
    return client.post(
        "/api/token", {"username": username, "password": password}, content_type="application/json"
    )


def _reads(client, token: str) -> int:
    return client.get("/runs", HTTP_AUTHORIZATION=f"Token {token}").status_code


def test_api_token_is_stored_only_as_a_digest_and_expires(client, settings):
    api_user("owner", password="pw-not-used-1")
    response = _obtain(client, "owner", "pw-not-used-1")
    assert response.status_code == 200
    token = response.json()["token"]
    row = AuthToken.objects.get()
    assert token not in (row.digest, row.token_key) and len(token) == 64
    expected = timezone.now() + timedelta(days=settings.SCPLN_API_TOKEN_TTL_DAYS)
    assert abs(row.expiry - expected) < timedelta(minutes=1)
    assert response.json()["expiry"]
    assert _reads(client, token) == 200

    AuthToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    assert _reads(client, token) == 401


def test_each_request_issues_a_new_token_and_the_oldest_beyond_the_limit_is_revoked(
    client, settings
):
    settings.SCPLN_API_TOKENS_PER_USER = 2
    user = api_user("owner")
    first, second, third = (api_token_issue(user=user)[1] for _ in range(3))
    assert len({first, second, third}) == 3
    assert api_tokens_of(user=user).count() == 2
    assert _reads(client, first) == 401
    assert _reads(client, second) == 200 and _reads(client, third) == 200


def test_delete_api_token_revokes_the_token_in_use(client):
    user = api_user("owner")
    _row, keep = api_token_issue(user=user)
    _row, token = api_token_issue(user=user)
    response = client.delete("/api/token", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 204
    assert _reads(client, token) == 401
    assert _reads(client, keep) == 200
    assert client.delete("/api/token").status_code == 401


def test_account_page_shows_a_new_token_once_and_revokes_one_or_all(client):
    user = api_user("owner")
    client.force_login(user)
    page = client.post("/ui/account/tokens")
    assert page.status_code == 200
    token = page.context["new_token"]
    assert token in page.content.decode()
    assert _reads(client, token) == 200
    again = client.get("/ui/account")
    assert token not in again.content.decode()
    assert token[:8] in again.content.decode()

    digest = AuthToken.objects.get().digest
    assert client.post(f"/ui/account/tokens/{digest}/revoke").status_code == 302
    assert _reads(client, token) == 401

    tokens = [api_token_issue(user=user)[1] for _ in range(2)]
    assert client.post("/ui/account/tokens/revoke-all").status_code == 302
    assert [_reads(client, t) for t in tokens] == [401, 401]


def test_account_page_cannot_revoke_someone_elses_token(client):
    other, _text = api_token_issue(user=api_user("other"))
    client.force_login(api_user("owner"))
    assert client.post(f"/ui/account/tokens/{other.digest}/revoke").status_code == 404
    assert AuthToken.objects.filter(digest=other.digest).exists()


def test_admin_revokes_tokens_through_the_service(admin_client):
    token, _text = api_token_issue(user=api_user("owner"))
    response = admin_client.post(
        "/admin/core/apitoken/",
        {"action": "revoke", "_selected_action": [token.digest]},
    )
    assert response.status_code == 302
    assert not AuthToken.objects.filter(digest=token.digest).exists()
    assert admin_client.get("/admin/core/apitoken/add/").status_code == 403


def test_issue_token_command_prints_a_working_token(client):
    user = api_user("svc-erp")
    api_token_issue(user=user)
    out = io.StringIO()
    call_command("issue_token", "svc-erp", "--revoke-all", stdout=out, stderr=io.StringIO())
    token = out.getvalue().strip()
    assert _reads(client, token) == 200
    assert api_tokens_of(user=user).count() == 1


@pytest.mark.django_db(transaction=True)
def test_upgrade_drops_the_plaintext_token_table():
    migration = importlib.import_module("core.migrations.0003_drop_plaintext_api_tokens")
    with connection.cursor() as cursor:
        cursor.execute('CREATE TABLE "authtoken_token" (key varchar(40) PRIMARY KEY)')
    with connection.schema_editor() as editor:
        migration.drop_plaintext_tokens(None, editor)
    assert "authtoken_token" not in connection.introspection.table_names()


# --- Brute force -------------------------------------------------------------------


def test_token_endpoint_is_throttled_per_address_with_a_clear_429(client):
    answers = [_obtain(client, f"nobody-{n}", "wrong").status_code for n in range(10)]
    assert answers == [400] * 10
    throttled = _obtain(client, "nobody-11", "wrong")
    assert throttled.status_code == 429
    assert "throttled" in throttled.json()["detail"].lower()
    assert throttled["Retry-After"]


def test_repeated_wrong_passwords_lock_the_token_endpoint_for_that_account(client, settings):
    User.objects.create_user("owner", password="right-password-1")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _obtain(client, "owner", "wrong").status_code == 400
    assert _obtain(client, "owner", "wrong").status_code == 429  # the limit-th failure locks
    locked = _obtain(client, "owner", "right-password-1")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.json()["detail"]


def test_repeated_wrong_passwords_lock_the_login_form_with_a_429_page(client, settings):
    User.objects.create_user("owner", password="right-password-1")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        wrong = client.post("/accounts/login/", {"username": "owner", "password": "wrong"})
        assert wrong.status_code == 200  # the form again, with its error
    client.post("/accounts/login/", {"username": "owner", "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": "owner", "password": "right-password-1"})
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "_auth_user_id" not in client.session
