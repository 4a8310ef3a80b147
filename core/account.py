"""The signed-in user's own page: who they are, and their API tokens.

A user issues tokens for their scripts here and revokes them (one, or all at
once when a laptop is lost) through the same services as ``POST /api/token``
and the admin (core/tokens.py). A new token's text is shown once, in the
answer to the request that issued it, and never again.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from knox.models import AuthToken

from core.pages import PageHead
from core.tokens import api_token_issue, api_token_revoke, api_tokens_of, api_tokens_revoke
from core.users import acting_user


def _user(request: HttpRequest) -> User:
    user = acting_user(request)
    assert user is not None  # LoginRequiredMixin
    return user


def _page(request: HttpRequest, *, new_token: str = "", status: int = 200) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "account/account.html",
        {
            "page_head": PageHead(_("Your account")),
            "tokens": api_tokens_of(user=user),
            "groups": user.groups.order_by("name").values_list("name", flat=True),
            "new_token": new_token,
        },
        status=status,
    )


class AccountView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return _page(request)


class TokenIssueView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        _token, text = api_token_issue(user=_user(request))
        # Rendered, not redirected: the text must not travel through a session or a URL.
        return _page(request, new_token=text)


class TokenRevokeView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, digest: str) -> HttpResponse:
        try:
            token = api_tokens_of(user=_user(request)).get(digest=digest)
        except AuthToken.DoesNotExist:
            raise Http404(_("You have no such token.")) from None
        api_token_revoke(token=token)
        messages.success(request, _("The token was revoked."))
        return redirect("account:detail")


class TokenRevokeAllView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        count = api_tokens_revoke(tokens=api_tokens_of(user=_user(request)))
        messages.success(
            request,
            ngettext("Revoked %(count)d token.", "Revoked %(count)d tokens.", count)
            % {"count": count},
        )
        return redirect("account:detail")


app_name = "account"
urlpatterns = [
    path("account", AccountView.as_view(), name="detail"),
    path("account/tokens", TokenIssueView.as_view(), name="token-issue"),
    path("account/tokens/revoke-all", TokenRevokeAllView.as_view(), name="token-revoke-all"),
    path("account/tokens/<slug:digest>/revoke", TokenRevokeView.as_view(), name="token-revoke"),
]
