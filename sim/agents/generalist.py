"""Generalist reps (the unsplit model): hunt and serve their own book."""

from __future__ import annotations

from sim.agents.seller import Seller


class Generalist(Seller):
    """A seller who keeps the clients he wins in his own book and never hands them off.

    Serving the book comes first each day; hunting gets what is left, so a growing book squeezes
    hunting out (seeds 001, 002). Beyond ``sellers.book_limit_load`` working days of service the
    smallest clients are let go: unattended, or to the client department if there is one. A
    dormant client who orders again joins the generalist with the most room, if it fits.
    """
