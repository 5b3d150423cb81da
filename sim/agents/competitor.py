"""Competitors: bid for our prospects and poach our clients."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from mesa import Agent

from sim import economics as eco

_FEW = 8  # below this many candidates, one at a time is faster than array calls

if TYPE_CHECKING:
    from sim.mechanisms import Mechanisms
    from sim.model import SalesModel


class Competitor(Agent):
    """A rival firm. Each day it may take some of our active clients.

    Its pull on a client grows with neglect, visible and hidden dissatisfaction and unmet
    needs, and shrinks after a personal visit (seed 001); the chances are computed in bulk by
    ``Poaching`` from the client arrays, and ``Lifecycle.poach`` moves the clients taken.
    The path: ``ClientDynamics`` draws (sim/agents/client.py), ``Poaching`` gives the chances
    and the rival, ``Lifecycle.hold_rival_choices`` holds the day's choices, and this agent's
    ``step`` takes them.
    ``mechanisms`` is given once by the model when it has built them.
    """

    mechanisms: Mechanisms

    def __init__(self, model: SalesModel, index: int, strength: float) -> None:
        super().__init__(model)
        self.index = index
        self.strength = strength
        self.prospects_won = 0
        self.clients_taken = 0

    def step(self) -> None:
        """Take the clients that chose this rival today."""
        self.clients_taken += self.mechanisms.lifecycle.poach(self.index, self.model.day)


def pick_by_strength(
    cumulative: npt.NDArray[np.float64], position: npt.NDArray[np.float64]
) -> npt.NDArray[np.intp]:
    """Pick a rival for each position, each rival in proportion to its strength.

    Parameters
    ----------
    cumulative
        Cumulative strength of the rivals to pick from, shape (rivals,), not empty.
    position
        Positions in [0, 1) along the rivals' total strength, any shape.

    Returns
    -------
    numpy.ndarray
        Index into the rivals of the one picked at each position, shape of ``position``.
    """
    share = position * cumulative[-1]
    rival: npt.NDArray[np.intp] = np.searchsorted(cumulative, share, side="right")
    return np.minimum(rival, cumulative.size - 1)


@dataclass(frozen=True)
class Poaching:
    """How likely each active client is to be taken by a rival today (pure array work).

    ``strength_cum`` is the cumulative strength of the rivals; a client taken goes to a rival in
    proportion to its strength. ``top`` is the largest possible daily chance, used to examine
    only the few clients whose draw falls below it (exact thinning: same result as examining
    every client).
    """

    per_month: float  # base chance a month per unit of rival strength
    weights: tuple[float, float, float, float]  # neglect, dissatisfaction, hidden, needs
    strength_cum: np.ndarray
    protection_days: float
    protection_strength: float
    days_per_month: int

    @functools.cached_property
    def base(self) -> float:
        """Base chance a month that some rival takes a client."""
        return self.per_month * float(self.strength_cum[-1]) if self.strength_cum.size else 0.0

    @property
    def top(self) -> float:
        """The largest daily chance any client can have."""
        return eco.per_day_small(self.base * eco.max_poach_pull(self.weights), self.days_per_month)

    def protection(self, days_since_visit: np.ndarray) -> np.ndarray:
        """Protection from recent visits (computed only where it is not negligible)."""
        recent = (days_since_visit < 12 * self.protection_days).nonzero()[0]
        out = np.zeros(days_since_visit.size)
        out[recent] = eco.visit_protection(
            days_since_visit[recent], self.protection_days, self.protection_strength
        )
        return out

    def taken(
        self,
        u: np.ndarray,
        attention: np.ndarray,
        satisfaction: np.ndarray,
        hidden: np.ndarray,
        need: np.ndarray,
        days_since_visit: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return the positions of the candidates taken today and the rival taking each.

        All arrays are the candidates' columns, shape (candidates,), aligned by position.

        Parameters
        ----------
        u
            The candidates' uniform draws in [0, 1) (only those below ``top`` can be taken).
        attention
            Share of its demand each candidate's server gave today, 0-1.
        satisfaction
            Visible satisfaction, 0-1.
        hidden
            Hidden dissatisfaction, 0-1.
        need
            Unmet needs (they grow each working day by the client's ``need_growth``; not capped).
        days_since_visit
            Working days since the last personal visit.

        Returns
        -------
        hit : numpy.ndarray
            Positions (into the candidate arrays) of those taken, ascending, shape (taken,).
        rival : numpy.ndarray
            Index of the rival taking each, shape (taken,), aligned with ``hit``; a rival is
            picked in proportion to its strength (``pick_by_strength``) from ``u / p``, the
            draw's position below the candidate's daily chance ``p``.
        """
        if u.size < _FEW:
            return self._taken_few(u, attention, satisfaction, hidden, need, days_since_visit)
        pull = eco.poach_pull(
            attention, satisfaction, hidden, need, self.protection(days_since_visit), self.weights
        )
        p = eco.per_day_small(self.base * pull, self.days_per_month)
        hit = (u < p).nonzero()[0]
        return hit, self._rival(u[hit] / p[hit])

    def _taken_few(self, *columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``taken`` for a few candidates, one at a time (faster than array calls)."""
        hit: list[int] = []
        position: list[float] = []
        for k, (u, att, sat, hidden, need, since) in enumerate(
            zip(*(c.tolist() for c in columns), strict=True)
        ):
            protection = eco.visit_protection(since, self.protection_days, self.protection_strength)
            pull = eco.poach_pull(att, sat, hidden, need, protection, self.weights)
            p = eco.per_day_small(self.base * pull, self.days_per_month)
            if u < p:
                hit.append(k)
                position.append(u / p)
        return np.array(hit, dtype=np.int64), self._rival(np.array(position))

    def _rival(self, position: np.ndarray) -> np.ndarray:
        """Return the rival taking each client, from its position in [0, 1) (by strength)."""
        return pick_by_strength(self.strength_cum, position)
