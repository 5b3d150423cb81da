"""The mechanisms the staff and the competitors act through, handed to each agent once.

``SalesModel`` builds the mechanisms after the company (they need the staff) and then gives
every staff member and every competitor the same ``Mechanisms``; a seat filled again by
``Staffing.hire`` keeps its agent, and with it the bundle. Agents never look a mechanism up on
the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.agents.hunter import Handoff
    from sim.agents.letter_writer import LetterCampaign
    from sim.agents.specialist import Escalation
    from sim.agents.vip_lead import VipProgramme
    from sim.assignment import Assignment
    from sim.effort import Effort
    from sim.lifecycle import Lifecycle
    from sim.pipeline import Pipeline
    from sim.staffing import Staffing
    from sim.visits import Visits


@dataclass(frozen=True)
class Mechanisms:
    """The mechanisms an agent works with.

    Attributes
    ----------
    pipeline
        Leads, calls, meetings, proposals and deals (sellers who hunt).
    assignment
        Who serves which client; books over their limit let clients go (sellers).
    handoff
        Hand-off of new clients to the specialists (hunters).
    escalation
        At-risk clients flagged by the specialists to the owners (specialists).
    visits
        Personal visits and the reveals they bring (sellers).
    lifecycle
        Clients won, lost to a rival, lapsed and reactivated (competitors take clients here).
    letters
        The letter campaign and the responses it brings (writers, sellers).
    vip
        The VIP programme: meetings and the yearly pass (VIP leads, seconded sellers).
    staffing
        Skill, morale, quits and hires (a seat whose replacement is due).
    effort
        Hunting sellers' choice of visits and escalations by pay per hour (sellers).
    """

    pipeline: Pipeline
    assignment: Assignment
    handoff: Handoff
    escalation: Escalation
    visits: Visits
    lifecycle: Lifecycle
    letters: LetterCampaign
    vip: VipProgramme
    staffing: Staffing
    effort: Effort
