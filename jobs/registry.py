"""The job types and job subjects that apps register; ``jobs`` itself knows no app.

Each app declares its background work in a ``handlers.py`` module, which
:func:`autodiscover` imports at start-up (the way Django discovers
``admin.py``)::

    from jobs.registry import job_type, subject_kind

    subject_kind(PlanVersion, key="plan_version", label=_("Plan version"),
                 api_url_name="plans-api:detail")

    @job_type("planning", label=_("Planning"), subject=PlanVersion)
    def plan_version_generate(*, job, ctx):
        ...
        with ctx.finishing() as result:   # outputs and success, one transaction
            ...

A handler is called as ``handler(job=job, ctx=ctx)``. It writes its outputs
and the job's success together inside ``ctx.finishing()``; a handler that
returns a dict without using it has that dict recorded as its result after it
returns (for work whose outputs are files, not rows).

A *subject* is the object a job works on (a plan version, a config); the job
points at it generically (content type + id), and the subject kind says how
the API and the UI name and link it (``plan_version_id``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from django.db.models import Model
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from jobs.models import Job
    from jobs.runner import JobContext

MODULE_NAME = "handlers"


class Handler(Protocol):
    def __call__(self, *, job: Job, ctx: JobContext) -> dict[str, Any] | None: ...


@dataclass(frozen=True)
class JobType:
    """One kind of background work: its handler and how people see it."""

    name: str
    label: str | Promise
    handler: Handler
    subject: type[Model] | None = None
    # For periodic jobs (celery beat): is there anything to do now? None: always.
    due: Callable[[], bool] | None = None
    # Links the job's page shows under its result: (label, URL) pairs.
    result_links: Callable[[Job], list[tuple[str, str]]] | None = None


@dataclass(frozen=True)
class ModelKind:
    """A model whose rows jobs relate to, and how the API and the UI name it."""

    model: type[Model]
    key: str
    label: str | Promise

    def ui_url(self, object_id: str) -> str:
        """A row's page built from its id alone, so lists need no extra query."""
        # Not on Model in the stubs; every model registered with a page defines it.
        url: str = self.model(pk=object_id).get_absolute_url()  # type: ignore[attr-defined]
        return url


@dataclass(frozen=True)
class SubjectKind(ModelKind):
    """A model that jobs can be about."""

    api_url_name: str = ""

    @property
    def id_field(self) -> str:
        """The name of the subject's id in job API rows and filters (``plan_version_id``)."""
        return f"{self.key}_id"

    def api_url(self, object_id: str) -> str | None:
        if not self.api_url_name:
            return None
        try:
            return reverse(self.api_url_name, args=[object_id])
        except NoReverseMatch:
            return None


@dataclass(frozen=True)
class OutputKind(ModelKind):
    """Rows that jobs record (runs), found by their foreign key to the job."""

    job_field: str = "job"
    ordering: tuple[str, ...] = ()
    api_list_url_name: str = ""

    @property
    def ids_field(self) -> str:
        """The name of the list of output ids in the job API (``run_ids``)."""
        return f"{self.key}_ids"

    def ids(self, job: Job) -> list[str]:
        rows = self.model._default_manager.filter(**{self.job_field: job.pk})
        return [str(pk) for pk in rows.order_by(*self.ordering).values_list("pk", flat=True)]

    def api_list_url(self, job: Job) -> str | None:
        """The API list of these outputs filtered by the job (``?job_id=``)."""
        if not self.api_list_url_name:
            return None
        field = self.job_field.removesuffix("_id")
        return f"{reverse(self.api_list_url_name)}?{field}_id={job.pk}"


_job_types: dict[str, JobType] = {}
_subject_kinds: dict[str, SubjectKind] = {}
_output_kinds: dict[str, OutputKind] = {}


def job_type(
    name: str,
    *,
    label: str | Promise,
    subject: type[Model] | None = None,
    due: Callable[[], bool] | None = None,
    result_links: Callable[[Job], list[tuple[str, str]]] | None = None,
) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of job type ``name``.

    Registering a name twice is an error unless it is the same function
    (a module imported twice), so two apps cannot silently take one name.
    """

    def register(handler: Handler) -> Handler:
        existing = _job_types.get(name)
        if existing is not None and _qualname(existing.handler) != _qualname(handler):
            raise ValueError(f"job type {name!r} is already registered by {existing.handler!r}")
        _job_types[name] = JobType(
            name=name,
            label=label,
            handler=handler,
            subject=subject,
            due=due,
            result_links=result_links,
        )
        from jobs import metrics

        metrics.initialise_job_type(name)
        return handler

    return register


def replace_handler(name: str, handler: Handler) -> Handler:
    """Swap the handler of a registered type and return the one it replaced.

    For test workers that need a job type to behave in a controlled way
    (tests/worker_main.py); production code registers with :func:`job_type`.
    """
    existing = get_job_type(name)
    _job_types[name] = dataclasses.replace(existing, handler=handler)
    return existing.handler


def unregister(name: str) -> None:
    """Forget a job type (tests that register a type of their own clean up with it)."""
    _job_types.pop(name, None)


def get_job_type(name: str) -> JobType:
    """The registered job type ``name``; ``LookupError`` naming the known ones otherwise."""
    try:
        return _job_types[name]
    except KeyError:
        known = ", ".join(sorted(_job_types)) or "none"
        raise LookupError(f"unknown job type {name!r} (registered: {known})") from None


def job_types() -> list[JobType]:
    """Every registered job type, by name."""
    return [_job_types[name] for name in sorted(_job_types)]


def job_type_names() -> set[str]:
    return set(_job_types)


def job_type_choices() -> list[tuple[str, str | Promise]]:
    """``(name, label)`` of every registered type: the choices of ``Job.type``."""
    return [(kind.name, kind.label) for kind in job_types()]


def subject_kind(
    model: type[Model], *, key: str, label: str | Promise, api_url_name: str = ""
) -> SubjectKind:
    """Declare that jobs can be about ``model``; ``key`` names it in the API (``<key>_id``)."""
    kind = SubjectKind(model=model, key=key, label=label, api_url_name=api_url_name)
    _subject_kinds[model._meta.label_lower] = kind
    return kind


def subject_kinds() -> list[SubjectKind]:
    """Every declared subject kind, by key."""
    return sorted(_subject_kinds.values(), key=lambda kind: kind.key)


def subject_kind_for(model_label: str) -> SubjectKind | None:
    """The kind of a model given as ``app_label.modelname``; None if not declared."""
    return _subject_kinds.get(model_label)


def register_output_kind(kind: OutputKind) -> OutputKind:
    """Declare rows that jobs record (``model.<job_field>`` points at the job)."""
    _output_kinds[kind.key] = kind
    return kind


def output_kinds() -> list[OutputKind]:
    """Every declared output kind, by key."""
    return [_output_kinds[key] for key in sorted(_output_kinds)]


def autodiscover() -> None:
    """Import every installed app's ``handlers`` module so its job types register."""
    autodiscover_modules(MODULE_NAME)


def _qualname(handler: Handler) -> str:
    return f"{getattr(handler, '__module__', '')}.{getattr(handler, '__qualname__', handler)}"
