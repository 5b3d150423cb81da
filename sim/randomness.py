"""Named random streams derived from one root seed.

Two kinds of randomness are used, both derived from the run's root seed:

* ``keyed_uniform(name, ids, counter)`` gives a uniform number in [0, 1) that depends only on the
  stream name, the entity id and a counter (usually the day or an attempt number). It is a
  counter-based hash (SplitMix64), so client ``i`` on day ``t`` gets the same draw in every
  scenario run with the same seed, whatever else happened in the run: differences between
  strategies come from the strategy, not from the dice (common random numbers).
* ``generator(name)`` gives a NumPy ``Generator`` for decisions that are not tied to an entity
  (the order in which staff act each day, say).

Global ``random`` / ``np.random`` state is never used.
"""

from __future__ import annotations

import zlib
from random import Random

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_COUNTER_MULT = np.uint64(0xD1B54A32D192ED03)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 2.0**-53
_S11, _S27, _S30, _S31 = (np.uint64(k) for k in (11, 27, 30, 31))
_SMALL = 4  # below this many ids, plain Python is faster than NumPy


def _mix(x: np.ndarray) -> np.ndarray:
    """Apply the SplitMix64 finaliser to an array of uint64 (wrapping arithmetic)."""
    x = (x ^ (x >> _S30)) * _MIX1
    x = (x ^ (x >> _S27)) * _MIX2
    mixed: np.ndarray = x ^ (x >> _S31)
    return mixed


_MASK = 2**64 - 1
_GOLDEN_INT = int(_GOLDEN)
_COUNTER_MULT_INT = int(_COUNTER_MULT)
_MIX1_INT = int(_MIX1)
_MIX2_INT = int(_MIX2)


def _mix_int(x: int) -> int:
    """Apply the SplitMix64 finaliser to a Python int (same result as ``_mix``)."""
    x = ((x ^ (x >> 30)) * _MIX1_INT) & _MASK
    x = ((x ^ (x >> 27)) * _MIX2_INT) & _MASK
    return x ^ (x >> 31)


class RandomStreams:
    """Random numbers for one run, all derived from ``root_seed``.

    Parameters
    ----------
    root_seed
        Non-negative integer seed of the run.
    """

    def __init__(self, root_seed: int) -> None:
        if root_seed < 0:
            raise ValueError("root_seed must be non-negative")
        self.root_seed = int(root_seed)
        self._keys: dict[str, np.uint64] = {}
        self._int_keys: dict[str, int] = {}
        self._bases: dict[str, np.ndarray] = {}

    def stream_key(self, name: str) -> np.uint64:
        """Return the 64-bit key of the named stream (stable across runs and platforms)."""
        key = self._keys.get(name)
        if key is None:
            seq = np.random.SeedSequence([self.root_seed, zlib.crc32(name.encode())])
            key = np.uint64(seq.generate_state(1, dtype=np.uint64)[0])
            self._keys[name] = key
        return key

    def _base(self, name: str, ids: np.ndarray) -> np.ndarray:
        """Return the first hashing round of (stream, id); cached per stream for ids seen so far."""
        base = self._bases.get(name)
        top = int(ids.max()) + 1 if ids.size else 0
        if base is None or base.size < top:
            size = max(top, 2 * (0 if base is None else base.size), 1024)
            base = _mix(np.arange(size, dtype=np.uint64) * _GOLDEN + self.stream_key(name))
            self._bases[name] = base
        first: np.ndarray = base[ids]
        return first

    def keyed_uniform(self, name: str, ids: np.ndarray, counter: np.ndarray | int) -> np.ndarray:
        """Return uniforms in [0, 1) keyed by stream name, entity ids and counter(s).

        Each number depends only on the root seed, ``name``, the id and the counter: not on the
        other ids asked for, on other streams, or on how often any stream was used before.

        Parameters
        ----------
        name
            Name of the stream (one per kind of decision, e.g. ``"orders"``).
        ids
            Non-negative integer entity ids, any shape.
        counter
            Non-negative integer counter(s): one for all ids, or one per id (the shape of
            ``ids``), usually the day or an attempt number.

        Returns
        -------
        numpy.ndarray of float64
            One uniform per id, in [0, 1) with 53 random bits; the broadcast shape of ``ids``
            and ``counter``.
        """
        ids = np.asarray(ids)
        counter = np.asarray(counter)
        if ids.ndim == 1 and ids.size < _SMALL and counter.shape in ((), ids.shape):
            counters = np.broadcast_to(counter, ids.shape).tolist()
            return np.array(
                [
                    self.keyed_uniform1(name, i, c)
                    for i, c in zip(ids.tolist(), counters, strict=True)
                ]
            )
        scrambled: np.uint64 | np.ndarray
        if counter.ndim == 0:
            scrambled = np.uint64((int(counter) * _COUNTER_MULT_INT) & _MASK)
        else:
            scrambled = counter.astype(np.uint64) * _COUNTER_MULT
        x = _mix(self._base(name, ids) ^ scrambled)
        return (x >> _S11).astype(np.float64) * _TO_UNIT

    def keyed_uniform1(self, name: str, key: int, counter: int) -> float:
        """Return the same number as ``keyed_uniform`` for one id, in plain Python (faster)."""
        stream = self._int_keys.get(name)
        if stream is None:
            stream = self._int_keys[name] = int(self.stream_key(name))
        x = (int(key) * _GOLDEN_INT + stream) & _MASK
        x = _mix_int(x) ^ ((int(counter) * _COUNTER_MULT_INT) & _MASK)
        return (_mix_int(x) >> 11) * _TO_UNIT

    def generator(self, name: str) -> np.random.Generator:
        """Return a fresh NumPy generator for the named stream."""
        seq = np.random.SeedSequence([self.root_seed, zlib.crc32(name.encode())], spawn_key=(1,))
        return np.random.default_rng(seq)

    def python_random(self, name: str) -> Random:
        """Return a seeded ``random.Random`` for Mesa's ``AgentSet.shuffle_do``."""
        return Random(int(self.generator(name).integers(2**62)))
