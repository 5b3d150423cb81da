"""Revenue booking and the sellers' bonuses (seeds 000, 001).

A seller earns a share of what the clients he won pay: a larger share in a client's first
months (``money.new_client_bonus_months``), a smaller one afterwards, and a share of every
project he develops. Bonuses accrue per seat in a float array and are paid out, summed by role,
when the month closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from sim import economics as eco

if TYPE_CHECKING:
    from sim.agents.client import ClientBook, DayFlows
    from sim.config.schema import MoneyConfig
    from sim.ledger import Ledger


def book_revenue(ledger: Ledger, amount: float, source: str) -> None:
    """Book revenue (USD) in the month's total and in the counter of its ``source``."""
    ledger.add("revenue_booked", amount)
    ledger.add(source, amount)


class Bonuses:
    """Bonuses accrued this month, per staff seat (USD).

    Parameters
    ----------
    roles
        The role labels, in the order of the monthly columns (``sim.roles.NAMES``).
    staff_role
        Role label of every seat, shape (staff + 1,); the last slot stands for "no one" and
        never keeps a bonus.
    money
        The ``money`` section (bonus shares, bonus months, gross margins).
    days_per_month
        Working days in a month.
    ledger
        The month's counters.
    """

    def __init__(
        self,
        roles: tuple[str, ...],
        staff_role: npt.NDArray[np.str_],
        money: MoneyConfig,
        days_per_month: int,
        ledger: Ledger,
    ) -> None:
        self.roles = roles
        self.staff_role = staff_role
        self.money = money
        self.ledger = ledger
        self.new_days = money.new_client_bonus_months * days_per_month
        self.accrued = np.zeros(staff_role.size)
        self.last_month = np.zeros(staff_role.size)  # per seat, the month ``take`` closed
        by_segment = money.gross_margin_by_segment
        self.margins = eco.segment_margins(
            money.gross_margin, by_segment.small, by_segment.medium, by_segment.xl
        )
        # One margin for every segment: the cost of goods is a share of the day's collections.
        self.one_margin = bool((self.margins == self.margins[0]).all())

    def record_flows(self, flows: DayFlows, book: ClientBook, day: int) -> None:
        """Book a day's orders, missed orders, incidents and payments, the goods' cost and shares.

        The cost of goods is charged on the day's payments, each at its payer's segment margin
        (``money.gross_margin``, ``money.gross_margin_by_segment``; ``eco.cost_of_goods``).
        """
        ledger = self.ledger
        ledger.add("revenue_booked", flows.booked)
        ledger.add("revenue_new", flows.booked_new)
        ledger.add("revenue_repeat", flows.booked - flows.booked_new)
        ledger.add("revenue_collected", flows.collected)
        if self.one_margin:
            cost = flows.collected * (1.0 - float(self.margins[0]))
        else:
            cost = eco.cost_of_goods(flows.paid, book.segment[flows.paid_by], self.margins)
        ledger.add("cost_of_goods", cost)
        ledger.add("vip_uplift_revenue", flows.booked_uplift)
        ledger.add("vip_uplift_new", flows.booked_uplift_new)
        ledger.add("incidents", flows.incidents)
        ledger.add("orders_missed", flows.orders_missed)
        ledger.add("revenue_missed", flows.revenue_missed)
        self.on_payments(book, flows.paid_by, flows.paid, day)

    def on_payments(
        self,
        book: ClientBook,
        ids: npt.NDArray[np.intp],
        paid: npt.NDArray[np.float64],
        day: int,
    ) -> None:
        """Credit each payment's owner (seller who won the client) with his share of it."""
        money = self.money
        share = eco.seller_bonus_share(
            day - book.won_day[ids],
            self.new_days,
            money.new_client_bonus_share,
            money.ongoing_bonus_share,
        )
        np.add.at(self.accrued, book.owner[ids], paid * share)  # no owner: the last slot
        self.accrued[-1] = 0.0

    def on_project(self, beneficiary: int, project: float) -> None:
        """Credit a seller (``-1``: no one) with his share of a project worth ``project`` USD."""
        if beneficiary >= 0:
            self.accrued[beneficiary] += project * self.money.project_bonus_share

    def on_projects(
        self, beneficiary: npt.NDArray[np.intp], project: npt.NDArray[np.float64]
    ) -> None:
        """``on_project`` for many projects at once (arrays of the same shape)."""
        np.add.at(self.accrued, beneficiary, project * self.money.project_bonus_share)
        self.accrued[-1] = 0.0

    def clear_seats(self, seats: list[int]) -> None:
        """Drop what empty seats accrued today: no one in the seat earns bonuses."""
        if seats:
            self.accrued[seats] = 0.0

    def take(self) -> dict[str, float]:
        """Return the bonuses accrued this month by role (USD), and start the next month.

        Each seat's bonuses of the month closed stay in ``last_month`` (USD, shape (staff + 1,))
        until the next close: a seller compares them with the market (``Staffing``).
        """
        self.last_month[:] = self.accrued
        by_role = {
            role: float(self.accrued[:-1][self.staff_role[:-1] == role].sum())
            for role in self.roles
        }
        self.accrued[:] = 0.0
        return by_role
