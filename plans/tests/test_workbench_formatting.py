"""The grid's fast number format gives exactly what the ``num`` filter gives, in every language."""

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from core.templatetags.scpln_ui import num
from plans.workbench.formatting import grid_number_format


@pytest.mark.parametrize("language", ["en", "ja"])
@given(
    value=st.one_of(
        st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
        st.integers(-(10**9), 10**9).map(float),
        st.sampled_from([0.005, 2.675, -0.001, 1234.5, 999.995, 663.99999, 0.999999, -0.0001]),
    )
)
def test_fast_format_is_the_num_filter(language, value):
    with translation.override(language):
        assert grid_number_format()(value) == num(value)
