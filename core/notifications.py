"""Telling people: a notification on their page, and the same by e-mail.

Rows are written in the caller's transaction (a notification exists exactly
when its cause committed); mails go out after the commit, and a mail server
that refuses is logged, never a failed approval.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Notification
from core.pages import PageHead
from core.users import acting_user

logger = logging.getLogger(__name__)


def notify(
    *, recipients: Iterable[User], subject: str, text: str = "", url: str = ""
) -> list[Notification]:
    """Notify each recipient (once, active users only) on their page and by e-mail."""
    seen: set[int] = set()
    people = []
    for user in recipients:
        if user.pk not in seen and user.is_active:
            seen.add(user.pk)
            people.append(user)
    made = Notification.objects.bulk_create(
        [Notification(recipient=u, subject=subject[:200], text=text, url=url) for u in people]
    )
    addresses = [u.email for u in people if getattr(u, "email", "")]
    if addresses:
        body = f"{text}\n\n{settings.SCPLN_BASE_URL.rstrip('/')}{url}" if url else text
        transaction.on_commit(lambda: _mail(subject, body, addresses), robust=True)
    return made


def _mail(subject: str, body: str, addresses: list[str]) -> None:
    try:
        send_mail(subject, body, None, addresses)
    except Exception:  # a mail server that refuses must not undo the decision
        logger.warning("notification mail to %s failed", addresses, exc_info=True)


def notifications_for(user: User) -> QuerySet[Notification]:
    """The user's notifications, unread first, newest first."""
    return Notification.objects.filter(recipient=user).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-id"
    )


def notifications_unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_mark_read(*, user: User) -> int:
    """Mark all of the user's notifications read; how many were unread."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@login_required
def notifications_view(request: HttpRequest) -> HttpResponse:
    """``/ui/notifications``: the user's notifications; POST marks them all read."""
    user = acting_user(request)
    assert user is not None  # login_required
    if request.method == "POST":
        notifications_mark_read(user=user)
        return redirect("notifications")
    page = Paginator(notifications_for(user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications.html",
        {"page_head": PageHead(_("Notifications")), "page_obj": page, "notices": page.object_list},
    )
