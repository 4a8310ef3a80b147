"""Importing aggregate-planning input sets as their files are written."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from plans.models import PlanningInputSet
from scpln.engine import planning as engine_planning
from scpln.engine.planning.inputs import FILES

CALENDAR_FILE = "planning_calendar.json"


def planning_input_set_import(
    *,
    directory: Path,
    name: str,
    description: str = "",
    user: User | None = None,
) -> PlanningInputSet:
    """Validate a folder of planning files with the engine and store them unchanged.

    Only the files the engine reads are stored (every ``*.csv`` it knows and
    the planning calendar); nothing is written unless the whole set plans.
    """
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("An input set needs a name.")]})
    if PlanningInputSet.objects.filter(name=name).exists():
        raise ValidationError(
            {"name": [_("An input set named “%(name)s” exists already.") % {"name": name}]}
        )
    if not directory.is_dir():
        raise ValidationError({"directory": [_("%(dir)s is not a folder.") % {"dir": directory}]})
    try:
        inputs = engine_planning.load_planning_inputs(directory)
    except engine_planning.PlanningInputError as exc:
        raise ValidationError({"directory": [str(problem) for problem in exc.problems]}) from None
    wanted = set(FILES.values()) | {CALENDAR_FILE}
    files = {
        path.name: path.read_text(encoding="utf-8")
        for path in sorted(directory.iterdir())
        if path.is_file() and path.name in wanted
    }
    digest = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()
    return PlanningInputSet.objects.create(
        name=name[:200],
        description=description,
        files=files,
        content_hash=digest,
        family_count=len(inputs.families),
        sku_count=len(inputs.skus),
        period_count=int(inputs.demand["period"].nunique()),
        created_by=user,
    )
