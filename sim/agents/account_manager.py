"""Account managers (seed 003): one person who both sells to and serves a large client."""

from __future__ import annotations

from sim.agents.seller import Seller


class AccountManager(Seller):
    """Serves a few large clients at close-work intensity and is their only contact.

    A client of a segment in ``accounts.segments`` goes to an account manager with room when its
    close work is over (or when it is served anew), instead of to a specialist or staying with
    the generalist who won it; the account manager becomes its owner and server. Close contact
    uncovers needs at a seller's rate (projects), and the account manager makes the periodic
    consultative visits and follows up letter responses. He does not prospect.
    """

    role = "account_manager"

    def step(self) -> None:
        """One working day: serve, follow up responses, visit."""
        day = self.model.day
        self.start_day()
        self._follow_up_responses(day)
        self._visit_due_clients(day)

    def take(self, client_id: int) -> None:
        """Serve a client (the model checks there is room first)."""
        super(Seller, self).take(client_id)

    def has_room(self, load_hours: float) -> bool:
        """Whether a client of this service load fits in the book."""
        limit = self.model.scenario.accounts.book_limit_load * self.model.hours_per_day
        return self.load_hours + load_hours <= limit + 1e-9
