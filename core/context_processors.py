"""What every page of the web UI needs from the request: the active section, the time
zone and how many notifications the user has not read."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from core.notifications import notifications_unread_count

# URL namespaces that are a navigation section of their own; config pages live in
# the scenarios namespace under names starting with "config" and are "configs".
SECTIONS = ("plans", "runs", "jobs", "scenarios")


def ui(request: HttpRequest) -> dict[str, object]:
    """``nav_section`` (which top-level entry is current) and ``time_zone_name``."""
    match = getattr(request, "resolver_match", None)
    section = ""
    if match is not None and match.namespace in SECTIONS:
        section = match.namespace
        if section == "scenarios" and (match.url_name or "").startswith("config"):
            section = "configs"
    user = getattr(request, "user", None)
    unread = notifications_unread_count(user) if user is not None and user.is_authenticated else 0
    return {
        "nav_section": section,
        "time_zone_name": timezone.get_current_timezone_name(),
        "unread_notifications": unread,
    }
