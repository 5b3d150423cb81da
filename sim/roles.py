"""The staff roles: one table of who each role is, what it costs and whether it sells.

Every place that needs to know about roles reads ``ROLES``: the model builds its staff from it
(in its order, which is the order of the staff indices and of the monthly table's role
columns), the recorder pays salaries and desks from it, the ledger names the role columns
after it, and the report and the workshop take their labels from it.

Two notions of selling, named apart:

``sells``
    The role is a ``Seller`` (hunters, generalists, account managers): it owns the clients it
    wins or is given, visits them, and develops the needs it uncovers into projects; the clients
    it serves get the sellers' service quality and reveal rate (``sellers.service_quality``,
    ``sellers.reveal_per_month``). ``isinstance(agent, Seller)`` holds exactly for these roles.
``hunts``
    The role works a pipeline of prospects (calls, meetings, proposals) and wins new clients
    (hunters and generalists; account managers do not prospect, 7.19). These are the sellers of
    the monthly table's ``*_per_seller`` columns and of turnover (``quits``, ``hires``,
    ``vacancies``, ``newcomers``, ``mean_morale``), the sellers seconded to the VIP pass, and
    those to whom letter responses go.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sim import economics as eco
from sim.agents.account_manager import AccountManager
from sim.agents.generalist import Generalist
from sim.agents.hunter import Hunter
from sim.agents.letter_writer import LetterWriter
from sim.agents.specialist import Specialist
from sim.agents.staff import Staff
from sim.agents.vip_lead import VipLead
from sim.config.schema import Scenario

Load = Literal["seller", "close", "office"]


@dataclass(frozen=True)
class Role:
    """One staff role.

    Attributes
    ----------
    name
        Identifier: the key of ``BY_NAME`` and the prefix of the monthly table's role
        columns (``hunter_cost``, ...).
    agent
        The agent class the model builds for each person in the role.
    label
        Plural shown in reports ("account managers").
    title
        Label of the role's headcount lever in the workshop ("Account managers").
    headcount
        Field of the ``organisation`` section giving the number of people [people].
    section
        Scenario section holding the role's pay and desks.
    salary
        Field of ``section``: base pay per person [USD/month].
    desks
        Field of ``section``: desks per person [desks/person].
    desks_travelling
        Field of ``section`` used instead of ``desks`` when ``organisation.travelling_teams``;
        None when travelling makes no difference to the role.
    fixed_bonus
        Field of ``section``: a fixed bonus per person [USD/month]; None when there is none.
    load
        Service load of the clients the role serves (``SalesModel``): ``seller`` (close-work
        load while a client is new, routine load after), ``close`` (close-work load always),
        ``office`` (the client department's load); None when the role serves no book.
    sells
        Whether the role is a seller (see the module docstring).
    hunts
        Whether the role works a pipeline of prospects (see the module docstring).
    variable_weight
        Field of ``section``: the share of the pay (salary + fixed bonus) that is variable,
        paid at target as a bonus (``sim.economics.variable_pay_split``); None when there is
        none.
    """

    name: str
    agent: type[Staff]
    label: str
    title: str
    headcount: str
    section: str
    salary: str
    desks: str
    desks_travelling: str | None
    fixed_bonus: str | None
    load: Load | None
    sells: bool
    hunts: bool
    variable_weight: str | None = None

    @property
    def service_section(self) -> str:
        """Return the section of the service quality and reveal rate of the clients served.

        Returns
        -------
        str
            ``sellers`` for the roles that sell, ``specialists`` for the others (the roles that
            serve no book get the client department's values, which nothing reads).
        """
        return "sellers" if self.sells else "specialists"

    def heads(self, scenario: Scenario) -> int:
        """Return the number of people in the role.

        Parameters
        ----------
        scenario
            The scenario; read: ``organisation.<headcount>``.

        Returns
        -------
        int
            Headcount [people].
        """
        return int(getattr(scenario.organisation, self.headcount))

    def salary_usd(self, scenario: Scenario) -> float:
        """Return the base pay of one person.

        Parameters
        ----------
        scenario
            The scenario; read: ``<section>.<salary>``.

        Returns
        -------
        float
            Salary [USD/month]; with a variable share ``w`` of the pay, ``(1 - w)`` of it.
        """
        return self._pay(scenario)[0]

    def _pay(self, scenario: Scenario) -> tuple[float, float]:
        """Return one person's salary and fixed-plus-variable bonus [USD/month]."""
        section = getattr(scenario, self.section)
        salary = float(getattr(section, self.salary))
        bonus = 0.0 if self.fixed_bonus is None else float(getattr(section, self.fixed_bonus))
        if self.variable_weight is None:
            return salary, bonus
        return eco.variable_pay_split(salary, bonus, float(getattr(section, self.variable_weight)))

    def desks_per_person(self, scenario: Scenario) -> float:
        """Return the desks one person needs.

        Parameters
        ----------
        scenario
            The scenario; read: ``<section>.<desks>``, or ``<section>.<desks_travelling>`` when
            ``organisation.travelling_teams``.

        Returns
        -------
        float
            Desks per person [desks/person].
        """
        field = self.desks
        if scenario.organisation.travelling_teams and self.desks_travelling is not None:
            field = self.desks_travelling
        return float(getattr(getattr(scenario, self.section), field))

    def fixed_bonus_usd(self, scenario: Scenario) -> float:
        """Return the fixed bonus of one person.

        Parameters
        ----------
        scenario
            The scenario; read: ``<section>.<fixed_bonus>``.

        Returns
        -------
        float
            Fixed bonus [USD/month], with the variable pay at target if the role has any; 0 for
            a role without either.
        """
        return self._pay(scenario)[1]


ROLES: tuple[Role, ...] = (
    Role(
        name="hunter",
        agent=Hunter,
        label="hunters",
        title="Hunters",
        headcount="hunters",
        section="sellers",
        salary="salary_usd_per_month",
        desks="desks_per_person",
        desks_travelling="desks_per_person_travelling",
        fixed_bonus=None,
        load="seller",
        sells=True,
        hunts=True,
    ),
    Role(
        name="generalist",
        agent=Generalist,
        label="generalists",
        title="Generalist reps",
        headcount="generalists",
        section="sellers",
        salary="salary_usd_per_month",
        desks="desks_per_person",
        desks_travelling="desks_per_person_travelling",
        fixed_bonus=None,
        load="seller",
        sells=True,
        hunts=True,
    ),
    Role(
        name="specialist",
        agent=Specialist,
        label="specialists",
        title="Client-department specialists",
        headcount="specialists",
        section="specialists",
        salary="salary_usd_per_month",
        desks="desks_per_person",
        desks_travelling=None,
        fixed_bonus="accuracy_bonus_usd_per_month",
        load="office",
        sells=False,
        hunts=False,
        variable_weight="pay_weight",
    ),
    Role(
        name="account_manager",
        agent=AccountManager,
        label="account managers",
        title="Account managers",
        headcount="account_managers",
        section="accounts",
        salary="salary_usd_per_month",
        desks="desks_per_person",
        desks_travelling=None,
        fixed_bonus=None,
        load="close",
        sells=True,
        hunts=False,
    ),
    Role(
        name="writer",
        agent=LetterWriter,
        label="letter writers",
        title="Letter writers",
        headcount="letter_writers",
        section="letters",
        salary="writer_salary_usd_per_month",
        desks="desks_per_person",
        desks_travelling=None,
        fixed_bonus=None,
        load=None,
        sells=False,
        hunts=False,
    ),
    Role(
        name="vip_lead",
        agent=VipLead,
        label="VIP leads",
        title="VIP programme leads",
        headcount="vip_leads",
        section="vip",
        salary="lead_salary_usd_per_month",
        desks="desks_per_person",
        desks_travelling=None,
        fixed_bonus=None,
        load=None,
        sells=False,
        hunts=False,
    ),
)
"""The roles, in the order of the staff indices and of the monthly table's role columns."""

NAMES: tuple[str, ...] = tuple(role.name for role in ROLES)
"""The roles' names, in table order."""

BY_NAME: dict[str, Role] = {role.name: role for role in ROLES}
"""The roles by name."""


def hunting_salary_usd(scenario: Scenario) -> float:
    """Return the base pay of a seller who hunts (the sellers seconded to the VIP pass).

    Parameters
    ----------
    scenario
        The scenario; read: the salary field of every role that hunts.

    Returns
    -------
    float
        Salary [USD/month].

    Raises
    ------
    ValueError
        If the roles that hunt are paid differently (one hourly rate would be wrong).
    """
    salaries = {role.salary_usd(scenario) for role in ROLES if role.hunts}
    if len(salaries) != 1:
        raise ValueError(f"the roles that hunt are paid differently: {sorted(salaries)}")
    return salaries.pop()
