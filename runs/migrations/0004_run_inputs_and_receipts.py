"""Runs keep the inputs the engine consumed (overrides, plan receipts), so a re-run
depends on no table that can change or disappear.

Runs recorded before this migration get them filled in from what exists now:
their scenario's overrides and their plan version's final plan, built into
receipts by the engine's own rule. From here on the run records them itself.
"""

from django.db import migrations, models

from runs.columnar import frame_to_parquet, parquet_to_frame


def _overrides(scenario):
    return {
        "demand_scale": scenario.demand_scale,
        "demand_scale_by_item": dict(scenario.demand_scale_by_item or {}),
        "capacity_scale": scenario.capacity_scale,
        "capacity_scale_by_node": dict(scenario.capacity_scale_by_node or {}),
        "lead_time_shift_days": scenario.lead_time_shift_days,
        "initial_inventory_scale": scenario.initial_inventory_scale,
        "horizon_days": scenario.horizon_days,
    }


def backfill(apps, schema_editor):
    from scpln.engine import canonical
    from scpln.engine.planning import run_receipts

    Run = apps.get_model("runs", "Run")
    RunResult = apps.get_model("runs", "RunResult")
    PlanArtifact = apps.get_model("plans", "PlanArtifact")
    configs = {}
    runs = Run.objects.select_related("scenario", "plan_version").filter(inputs={})
    for run in runs.iterator():
        inputs = {
            "overrides": _overrides(run.scenario) if run.scenario_id else None,
            "plan_driven": run.plan_version_id is not None,
        }
        Run.objects.filter(pk=run.pk).update(inputs=inputs)
        if run.plan_version_id is None:
            continue
        final = PlanArtifact.objects.filter(
            plan_version_id=run.plan_version_id, name="plan_final"
        ).first()
        if final is None:
            continue
        if run.config_version_id not in configs:
            document = run.config_version.document
            configs[run.config_version_id] = canonical.load_config(document)
        receipts, _dropped = run_receipts(
            parquet_to_frame(bytes(final.data)),
            configs[run.config_version_id],
            by_node=run.plan_version.input_set_id is None,
        )
        RunResult.objects.filter(run_id=run.pk).update(receipts=frame_to_parquet(receipts))


class Migration(migrations.Migration):
    dependencies = [
        ("runs", "0003_archivedrun_moves_from_jobs"),
        ("plans", "0002_planning_input_sets_and_parameters"),
        ("scenarios", "0002_configversion_warnings"),
    ]

    operations = [
        migrations.AddField(
            model_name="run",
            name="inputs",
            field=models.JSONField(blank=True, default=dict, verbose_name="engine inputs"),
        ),
        migrations.AddField(
            model_name="runresult",
            name="receipts",
            field=models.BinaryField(
                blank=True,
                help_text="Empty: the factories followed their policies, not a plan.",
                null=True,
                verbose_name="plan receipts followed (Parquet)",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
