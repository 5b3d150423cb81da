"""Competitors: bid for our prospects and poach our clients."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mesa import Agent

if TYPE_CHECKING:
    from sim.model import SalesModel


class Competitor(Agent):
    """A rival firm. Each day it may take some of our active clients.

    Its pull on a client grows with neglect, visible and hidden dissatisfaction and unmet
    needs, and shrinks after a personal visit (seed 001); the chances are computed in bulk by
    the model from the client arrays.
    """

    def __init__(self, model: SalesModel, index: int, strength: float) -> None:
        super().__init__(model)
        self.index = index
        self.strength = strength
        self.prospects_won = 0
        self.clients_taken = 0

    def step(self) -> None:
        """Try to take clients today."""
        self.clients_taken += self.model.poach(self)
