"""Named, keyed random streams: deterministic, uniform, independent, the same in any order."""

import numpy as np

from sim.randomness import RandomStreams


def test_same_seed_name_id_counter_same_number() -> None:
    a, b = RandomStreams(11), RandomStreams(11)
    ids = np.arange(1000)
    assert np.array_equal(a.keyed_uniform("x", ids, 5), b.keyed_uniform("x", ids, 5))


def test_draw_of_one_id_does_not_depend_on_the_others() -> None:
    s = RandomStreams(3)
    full = s.keyed_uniform("orders", np.arange(5000), 9)
    some = s.keyed_uniform("orders", np.array([17, 4000, 4999]), 9)
    assert np.array_equal(full[[17, 4000, 4999]], some)


def test_scalar_path_equals_array_path() -> None:
    s = RandomStreams(123)
    ids = np.arange(0, 10**6, 9973)
    vec = s.keyed_uniform("deal", ids, 4)
    assert vec.size > 4  # the NumPy path
    assert [s.keyed_uniform1("deal", int(i), 4) for i in ids] == vec.tolist()


def test_uniform_on_unit_interval() -> None:
    u = RandomStreams(1).keyed_uniform("u", np.arange(200_000), 0)
    assert u.min() >= 0.0 and u.max() < 1.0
    counts = np.histogram(u, bins=20, range=(0, 1))[0]
    expected = u.size / 20
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    assert chi2 < 43.8  # 99.9 % quantile of chi-square with 19 degrees of freedom
    assert abs(u.mean() - 0.5) < 0.005
    assert abs(u.var() - 1 / 12) < 0.002


def test_streams_counters_and_seeds_are_uncorrelated() -> None:
    ids = np.arange(100_000)
    s = RandomStreams(5)
    pairs = [
        (s.keyed_uniform("a", ids, 0), s.keyed_uniform("b", ids, 0)),
        (s.keyed_uniform("a", ids, 0), s.keyed_uniform("a", ids, 1)),
        (s.keyed_uniform("a", ids, 0), RandomStreams(6).keyed_uniform("a", ids, 0)),
        (s.keyed_uniform("a", ids[:-1], 0), s.keyed_uniform("a", ids[1:], 0)),
    ]
    for x, y in pairs:
        assert abs(np.corrcoef(x, y)[0, 1]) < 0.015


def test_generators_are_reproducible_and_distinct() -> None:
    a = RandomStreams(8).generator("order").random(5)
    assert np.array_equal(a, RandomStreams(8).generator("order").random(5))
    assert not np.array_equal(a, RandomStreams(8).generator("other").random(5))
