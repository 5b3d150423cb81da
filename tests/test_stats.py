"""Student-t quantiles against a published t-table."""

import pytest

from sim.study.stats import mean_interval, student_t_quantile

# Two-sided 95 % critical values (the 97.5 % quantile) as printed in t-tables, e.g. NIST/SEMATECH
# e-Handbook of Statistical Methods, section 1.3.6.7.2, "Critical values of the Student's t
# distribution" (3 decimals).
TABLE = {1: 12.706, 2: 4.303, 5: 2.571, 9: 2.262, 10: 2.228, 15: 2.131, 29: 2.045, 100: 1.984}


@pytest.mark.parametrize(("df", "value"), TABLE.items())
def test_t_quantiles_match_the_published_table(df: int, value: float) -> None:
    assert student_t_quantile(0.975, df) == pytest.approx(value, abs=5e-4)


def test_t_quantiles_tend_to_the_normals_and_are_symmetric() -> None:
    assert student_t_quantile(0.975, 10**7) == pytest.approx(1.960, abs=5e-4)
    assert student_t_quantile(0.025, 9) == pytest.approx(-2.262, abs=5e-4)
    assert student_t_quantile(0.5, 4) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize(("p", "df"), [(0.0, 5), (1.0, 5), (0.975, 0)])
def test_t_quantiles_refuse_impossible_arguments(p: float, df: int) -> None:
    with pytest.raises(ValueError, match="must be"):
        student_t_quantile(p, df)


def test_a_mean_interval_of_ten_values_uses_t_with_nine_degrees_of_freedom() -> None:
    values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]  # sd 3.0277
    interval = mean_interval(values)
    half = 2.262 * 3.0277 / 10**0.5
    assert interval.mean == 5.5
    assert interval.high - interval.mean == pytest.approx(half, rel=1e-3)
