"""Template helpers of the job pages: a job's subject and outputs, named as their apps declared.

Load with ``{% load jobs_ui %}``:

- ``{% job_subject job %}`` — the subject's label and id, linked once the job
  has finished (an active job's subject may not be ready to open yet);
- ``{% job_output job %}`` — the output the job's result names (``run_id``),
  linked; no query either way.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from jobs import registry
from jobs.models import Job

register = template.Library()

DASH = "—"


@register.simple_tag
def job_subject(job: Job, *, label: bool = False) -> SafeString | str:
    """The subject's id (``pv-…``) as code, linked when the job is no longer active."""
    kind = job.subject_kind
    if kind is None or not job.subject_id:
        return DASH
    prefix = format_html("{} ", kind.label) if label else ""
    code = format_html('<code data-testid="job-subject-id">{}</code>', job.subject_id)
    if job.is_active:
        return format_html("{}{}", prefix, code)
    return format_html(
        '{}<a href="{}" data-testid="job-subject-link">{}</a>',
        prefix,
        kind.ui_url(job.subject_id),
        code,
    )


@register.simple_tag
def job_output(job: Job) -> SafeString | str:
    """The first output named in the job's result (``<key>_id``), linked to its page."""
    result = job.result or {}
    for kind in registry.output_kinds():
        value = result.get(f"{kind.key}_id")
        if value:
            return format_html(
                '<a href="{}" data-testid="job-output-link"><code>{}</code></a>',
                kind.ui_url(str(value)),
                str(value)[:12] + "…",
            )
    return DASH


@register.filter
def output_url(kind: registry.OutputKind, object_id: str) -> str:
    """The page of one output of ``kind``."""
    return kind.ui_url(str(object_id))
