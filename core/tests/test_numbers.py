"""Every page writes a quantity the same way: rounded (never cut) to two places, and without
decimals when the rounded value is whole."""

import pytest
from django.utils import translation

from core.numbers import display_quantity
from core.tables import cell
from core.templatetags.scpln_ui import num


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (663.99999, "664"),  # a sum of float demands: reads as the whole number it rounds to
        (1467.0, "1,467"),
        (1234.5678, "1,234.57"),  # rounded, not cut to 1,234.56
        (1.999, "2"),
        (0.1 + 0.2, "0.30"),
        (-0.0001, "0"),  # no "-0"
        (-2.5, "-2.50"),
    ],
)
@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_quantity_reads_the_same_on_every_page(language, value, text):
    with translation.override(language):
        assert display_quantity(value) == text
        assert num(value) == text  # templates
        assert cell(value) == text  # plan and run tables
