"""The life of a plan version after generation: the one place that moves it.

    executed ──submit──▶ submitted ──approve──▶ approved ──release──▶ released
       ▲                    │                      │                    │
       │                 reject (reason)           └──── superseded ◀───┘
       │                    ▼                    (another version of the plan approved)
       └── (resubmit) ── rejected
    executed, rejected, superseded, failed ──archive──▶ archived

Before that, jobs move it (:func:`plan_version_state_set`, :data:`SYSTEM_MOVES`): generation
walks ``draft → aggregated → disaggregated → scheduled → executed`` (``failed`` when it stops;
back to ``draft`` when it starts again), and the workbench's recalculation takes an edited
draft (made from an executed or rejected version) to ``executed``. No other code writes a
version's state.

Who may do what is part of the transition: planners submit and archive
(``plans.change_planversion``); approvers approve, reject and release
(``plans.approve_planversion``, the "Approvers" group). A refused role is a
``PermissionDenied`` (403), a transition the current state does not allow a
:class:`TransitionNotAllowed` (409), a missing reason a ``ValidationError`` on
``note`` (400). Every transition is an audit event with its note, in the same
transaction.

Approving makes the version's latest run the plan's baseline (the previous
baseline stays a run, no longer the baseline) and holds the runs of approved
and released versions, so retention keeps them whatever ``RUNS_DB_MAX_ROWS``
says. Submitting notifies the approvers; approving and rejecting notify the
planner who made the version and whoever submitted it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import event_record, events_for, note_add
from core.errors import Conflict
from core.models import Note
from core.notifications import notify
from plans.models import Plan, PlanVersion
from runs.models import Run

State = PlanVersion.State
CHANGE = "plans.change_planversion"
APPROVE = "plans.approve_planversion"
APPROVERS_GROUP = "Approvers"


class TransitionNotAllowed(Conflict):
    """The version's state does not allow this transition (HTTP 409)."""


@dataclass(frozen=True)
class Transition:
    """One move of the state machine: from which states, to which, by whom."""

    action: str
    label: str | Promise
    sources: tuple[str, ...]
    target: str
    permission: str
    reason_required: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            "submit",
            gettext_lazy("Submit for approval"),
            (State.EXECUTED, State.REJECTED),
            State.SUBMITTED,
            CHANGE,
        ),
        Transition("approve", gettext_lazy("Approve"), (State.SUBMITTED,), State.APPROVED, APPROVE),
        Transition(
            "reject",
            gettext_lazy("Reject"),
            (State.SUBMITTED,),
            State.REJECTED,
            APPROVE,
            reason_required=True,
        ),
        Transition("release", gettext_lazy("Release"), (State.APPROVED,), State.RELEASED, APPROVE),
        Transition(
            "archive",
            gettext_lazy("Archive"),
            (State.EXECUTED, State.REJECTED, State.SUPERSEDED, State.FAILED),
            State.ARCHIVED,
            CHANGE,
        ),
    )
}


# (from, to) pairs jobs may make (see the module docstring); a person's moves are TRANSITIONS.
SYSTEM_MOVES: frozenset[tuple[str, str]] = frozenset(
    {
        (State.DRAFT, State.AGGREGATED),
        (State.AGGREGATED, State.DISAGGREGATED),
        (State.DISAGGREGATED, State.DISAGGREGATED),  # allocate then MRP
        (State.DISAGGREGATED, State.SCHEDULED),
        (State.SCHEDULED, State.EXECUTED),
        # a workbench draft recalculated
        (State.DRAFT, State.EXECUTED),
        # generation stopped (failed, canceled) — the simulation after plan_final included
        *((s, State.FAILED) for s in (*PlanVersion.GENERATING, State.EXECUTED)),
        # generation (re)started: a retry, or a version generated again
        *(
            (s, State.DRAFT)
            for s in (*PlanVersion.GENERATING, State.EXECUTED, State.FAILED)
            if s != State.DRAFT
        ),
    }
)


def plan_version_state_set(
    *, version: PlanVersion, target: str, changes: dict[str, Any] | None = None
) -> None:
    """A job's move of ``version`` to ``target`` (with ``changes`` to other fields, in the
    same UPDATE), refused with :class:`TransitionNotAllowed` when :data:`SYSTEM_MOVES` does
    not lead there from the version's current state in the database — a conditional UPDATE,
    so a concurrent move (say, an approval) cannot be overwritten."""
    sources = [source for source, to in SYSTEM_MOVES if to == target]
    moved = PlanVersion.objects.filter(pk=version.pk, state__in=sources).update(
        state=target, updated_at=timezone.now(), **(changes or {})
    )
    if not moved:
        current = PlanVersion.objects.filter(pk=version.pk).values_list("state", flat=True)
        raise TransitionNotAllowed(
            _("Plan version %(pv)s is %(state)s; it cannot become %(target)s.")
            % {
                "pv": version.pk,
                "state": State(current.first() or version.state).label.lower(),
                "target": State(target).label.lower(),
            }
        )
    version.state = target


def plan_version_transitions(*, version: PlanVersion, user: User | None) -> list[Transition]:
    """The transitions this user may make on this version now (for buttons)."""
    return [
        t
        for t in TRANSITIONS.values()
        if version.state in t.sources and user is not None and user.has_perm(t.permission)
    ]


def plan_version_transition(
    *, version: PlanVersion, action: str, user: User | None, note: str = ""
) -> PlanVersion:
    """Make one transition (see the module docstring for the rules and refusals)."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError({"action": _("Unknown transition %(action)r.") % {"action": action}})
    if user is None or not user.has_perm(transition.permission):
        raise PermissionDenied(
            _("“%(action)s” needs the permission %(permission)s.")
            % {"action": transition.label, "permission": transition.permission}
        )
    note = (note or "").strip()
    if transition.reason_required and not note:
        raise ValidationError({"note": _("Say why: the planner reads the reason.")})
    with transaction.atomic():
        locked = PlanVersion.objects.select_for_update().select_related("plan").get(pk=version.pk)
        if locked.state not in transition.sources:
            raise TransitionNotAllowed(
                _("Plan version %(pv)s is %(state)s; it cannot be %(action)s now.")
                % {
                    "pv": locked.pk,
                    "state": locked.get_state_display().lower(),
                    "action": _past(action),
                }
            )
        before = locked.state
        _move(locked, transition.target, action=action, user=user, note=note, before=before)
        if action == "approve":
            _approve(locked, user=user)
        elif action in ("archive",):
            _hold_runs(locked, held=False)
        _notify(locked, action=action, user=user, note=note)
    version.state = locked.state
    return locked


def _past(action: str) -> str:
    return {
        "submit": _("submitted"),
        "approve": _("approved"),
        "reject": _("rejected"),
        "release": _("released"),
        "archive": _("archived"),
    }[action]


def _move(
    version: PlanVersion, target: str, *, action: str, user: User | None, note: str, before: str
) -> None:
    PlanVersion.objects.filter(pk=version.pk).update(state=target)
    version.state = target
    event_record(
        obj=version, action=action, actor=user, from_state=before, to_state=target, reason=note
    )


def _hold_runs(version: PlanVersion, *, held: bool) -> None:
    """Approved and released versions' runs are kept by retention; others are not."""
    Run.objects.filter(plan_version=version).update(held=held)


def _approve(version: PlanVersion, *, user: User | None) -> None:
    """The version's runs are held, its latest run becomes the plan's baseline, and
    the plan's previously approved or released versions are superseded."""
    plan = Plan.objects.select_for_update().get(pk=version.plan_id)
    for older in PlanVersion.objects.filter(
        plan=plan, state__in=(State.APPROVED, State.RELEASED)
    ).exclude(pk=version.pk):
        _move(
            older,
            State.SUPERSEDED,
            action="supersede",
            user=user,
            note=_("superseded by %(pv)s") % {"pv": version.pk},
            before=older.state,
        )
        _hold_runs(older, held=False)
    _hold_runs(version, held=True)
    latest = Run.objects.filter(plan_version=version).order_by("-started_at").first()
    if latest is None:
        return
    previous = plan.baseline_run_id
    Run.objects.filter(is_baseline=True, plan_version__plan=plan).update(is_baseline=False)
    Run.objects.filter(pk=latest.pk).update(is_baseline=True, held=True)
    Plan.objects.filter(pk=plan.pk).update(baseline_run=latest)
    event_record(
        obj=latest,
        action="baseline",
        actor=user,
        reason=_("baseline of plan %(plan)s") % {"plan": plan.name},
        data={"previous": str(previous) if previous else None, "plan_id": plan.pk},
    )


def plan_version_note_add(*, version: PlanVersion, text: str, user: User | None) -> Note:
    """A note on the version (planners and approvers); also an audit event."""
    with transaction.atomic():
        return note_add(obj=version, text=text, user=user)


def approvers() -> list[User]:
    """Users who may approve: the Approvers group and anyone granted the permission."""
    return list(
        User.objects.filter(
            Q(groups__name=APPROVERS_GROUP)
            | Q(user_permissions__codename="approve_planversion")
            | Q(is_superuser=True),
            is_active=True,
        ).distinct()
    )


def _notify(version: PlanVersion, *, action: str, user: User | None, note: str) -> None:
    url = reverse("plans:detail", args=[version.pk])
    name = version.plan.name
    if action == "submit":
        notify(
            recipients=[u for u in approvers() if u != user],
            subject=_("Plan “%(plan)s” (%(pv)s) waits for your approval")
            % {"plan": name, "pv": version.pk},
            text=note,
            url=url,
        )
    elif action in ("approve", "reject"):
        planners = [version.created_by, *_submitters(version)]
        subject = (
            _("Plan “%(plan)s” (%(pv)s) was approved")
            if action == "approve"
            else _("Plan “%(plan)s” (%(pv)s) was rejected")
        ) % {"plan": name, "pv": version.pk}
        notify(
            recipients=[u for u in planners if u is not None], subject=subject, text=note, url=url
        )


def _submitters(version: PlanVersion) -> list[User]:
    ids = (
        events_for(PlanVersion, version.pk).filter(action="submit").values_list("actor", flat=True)
    )
    return list(User.objects.filter(pk__in=[i for i in ids if i is not None]))
