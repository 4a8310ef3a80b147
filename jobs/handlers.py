"""The job types of ``jobs`` itself: operations work that belongs to no app."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jobs.backup import BACKUP, backup_job
from jobs.registry import job_type

job_type(BACKUP, label=_("Backup"))(backup_job)
