"""core.templatetags.scpln_ui: the tags that write a page's repeated scaffolding once."""

from __future__ import annotations

from django import forms
from django.template import Context, Template


def _render(source: str, **context: object) -> str:
    return Template("{% load scpln_ui %}" + source).render(Context(context))


def test_section_is_named_by_its_heading_and_keeps_its_content():
    html = _render(
        '{% section "kpis-heading" title %}<p>{{ body }}</p>{% endsection %}',
        title="KPIs & more",
        body="<b>",
    )

    assert html == (
        '<section aria-labelledby="kpis-heading">\n'
        '<h2 id="kpis-heading">KPIs &amp; more</h2><p>&lt;b&gt;</p></section>'
    )


def test_section_takes_a_heading_level_and_attributes_with_hyphens_for_underscores():
    html = _render(
        '{% section "kpis-"|add:key "Fill" level=3 class="kpi-group" data_testid="g-"|add:key %}'
        "{% endsection %}",
        key="service",
    )

    assert html == (
        '<section aria-labelledby="kpis-service" class="kpi-group" data-testid="g-service">\n'
        '<h3 id="kpis-service">Fill</h3></section>'
    )


class _Form(forms.Form):
    name = forms.CharField()
    tags = forms.CharField()
    note = forms.CharField()


def test_field_grid_writes_fields_and_lists_of_fields_side_by_side_in_order():
    form = _Form()
    html = _render(
        "{% field_grid form.note fields %}", form=form, fields=[form["name"], form["tags"]]
    )

    assert html.count('<div class="grid">') == 1
    testids = [part.split('"')[0] for part in html.split('data-testid="field-')[1:]]
    assert testids == ["note", "name", "tags"]
    assert '<label for="id_name">Name</label>' in html
