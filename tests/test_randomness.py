"""Named, keyed random streams: deterministic, uniform, independent, the same in any order."""

from typing import Any

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

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


# Properties (Hypothesis): common random numbers ----------------------------------------------

PROPERTY = settings(deadline=None, max_examples=60)
seeds = st.integers(0, 2**32)
names = st.text(min_size=1, max_size=12)
counters = st.integers(0, 10**6)
some_ids = hnp.arrays(np.int64, st.integers(0, 40), elements=st.integers(0, 5000))
uses = st.lists(st.tuples(names, some_ids, counters), max_size=6)  # other draws made first


@PROPERTY
@given(seed=seeds, name=names, ids=some_ids, counter=counters, before=uses)
def test_a_stream_draws_the_same_numbers_whatever_was_drawn_before(
    seed: int, name: str, ids: np.ndarray, counter: int, before: list[Any]
) -> None:
    """Neither other streams nor earlier use of the same stream change its numbers."""
    used = RandomStreams(seed)
    for other, other_ids, other_counter in before:
        used.keyed_uniform(other, other_ids, other_counter)
        used.keyed_uniform(name + other, other_ids, other_counter)  # a name that starts alike
        used.keyed_uniform(name, other_ids, other_counter)
        used.keyed_uniform1(other, int(other_ids.sum()), other_counter)
    fresh = RandomStreams(seed)
    assert np.array_equal(
        used.keyed_uniform(name, ids, counter), fresh.keyed_uniform(name, ids, counter)
    )


@PROPERTY
@given(seed=seeds, name=names, ids=some_ids, counter=counters, data=st.data())
def test_each_id_draws_its_own_number_whatever_else_is_asked_with_it(
    seed: int, name: str, ids: np.ndarray, counter: int, data: st.DataObject
) -> None:
    """Any subset, order or repetition of ids gives each id the number it gets alone."""
    s = RandomStreams(seed)
    positions = data.draw(st.lists(st.integers(0, max(ids.size - 1, 0)), max_size=10))
    picked = ids[positions] if ids.size else ids
    together = s.keyed_uniform(name, ids, counter)
    alone = {int(i): s.keyed_uniform1(name, int(i), counter) for i in ids}
    assert together.tolist() == [alone[int(i)] for i in ids]
    assert s.keyed_uniform(name, picked, counter).tolist() == [alone[int(i)] for i in picked]


@PROPERTY
@given(seed=seeds, name=names, data=st.data())
def test_a_counter_per_id_gives_what_each_counter_gives_alone(
    seed: int, name: str, data: st.DataObject
) -> None:
    size = data.draw(st.integers(0, 30))
    ids = data.draw(hnp.arrays(np.int64, size, elements=st.integers(0, 5000)))
    per_id = data.draw(hnp.arrays(np.int64, size, elements=counters))
    s = RandomStreams(seed)
    expected = [s.keyed_uniform(name, ids[k : k + 1], int(per_id[k]))[0] for k in range(size)]
    assert s.keyed_uniform(name, ids, per_id).tolist() == expected


@PROPERTY
@given(seed=seeds, name=names, ids=some_ids, counter=counters)
def test_uniforms_lie_in_the_unit_interval(
    seed: int, name: str, ids: np.ndarray, counter: int
) -> None:
    u = RandomStreams(seed).keyed_uniform(name, ids, counter)
    assert u.shape == ids.shape
    assert ((u >= 0.0) & (u < 1.0)).all()


@PROPERTY
@given(
    seed=seeds,
    shift=st.integers(1, 2**64) | st.sampled_from([2**31, 2**32, 2**63]),  # truncation hides there
    name=names,
    other=names,
    counter=counters,
)
def test_different_seeds_names_or_counters_draw_different_numbers(
    seed: int, shift: int, name: str, other: str, counter: int
) -> None:
    """Over 64 ids, two different streams never give the same numbers (a miss is 1 in 2**3000)."""
    ids = np.arange(64)
    s = RandomStreams(seed)
    base = s.keyed_uniform(name, ids, counter)
    assert not np.array_equal(base, RandomStreams(seed + shift).keyed_uniform(name, ids, counter))
    for different in {other, name + other, other + name, name + "'", name[:-1]} - {name}:
        assert not np.array_equal(base, s.keyed_uniform(different, ids, counter)), different
    assert not np.array_equal(base, s.keyed_uniform(name, ids, counter + 1))


@PROPERTY
@given(seed=seeds, name=names, other=names, before=st.integers(0, 5))
def test_generators_are_the_same_whatever_was_drawn_before(
    seed: int, name: str, other: str, before: int
) -> None:
    used = RandomStreams(seed)
    for _ in range(before):
        used.generator(other).random(3)
        used.generator(name).random(3)
        used.python_random(other).random()
        used.keyed_uniform(other, np.arange(5), before)
    fresh = RandomStreams(seed)
    assert np.array_equal(used.generator(name).random(4), fresh.generator(name).random(4))
    assert used.python_random(name).random() == fresh.python_random(name).random()
    if other != name:
        assert not np.array_equal(fresh.generator(name).random(4), fresh.generator(other).random(4))
