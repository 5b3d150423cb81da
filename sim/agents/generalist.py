"""Generalist reps (the unsplit model): hunt and serve their own book."""

from __future__ import annotations

from sim.agents.seller import Seller


class Generalist(Seller):
    """A seller who keeps every client he wins in his own book.

    Serving the book comes first each day; hunting gets what is left, so a growing book squeezes
    hunting out (seeds 001, 002). Beyond ``sellers.book_limit_load`` the smallest clients are let
    go and become unattended.
    """

    role = "generalist"
