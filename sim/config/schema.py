"""The scenario schema: every parameter of the model, with its unit, range and source.

A scenario is validated once, at load, into these frozen objects. Field names carry their unit
(``_usd_per_month``, ``_hours``, ``_months``, ``_prob``, ``_share``, ``_per_month``); each field's
description ends with its source: a seed file (``seed 002``) or an outside figure
(the references of docs/MODEL.md), or says ``assumption`` where no source gives a number.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.json_schema import JsonDict

from sim.names import Name


class Section(BaseModel):
    """Base of every scenario and study section: frozen, unknown keys rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class ScenarioSection(Section):
    """Base of every scenario section: infinities and NaN are refused in every number too."""

    model_config = ConfigDict(allow_inf_nan=False)


def param(default: Any, description: str, source: str, unit: str = "", **limits: Any) -> Any:
    """Declare a parameter with its description, source, unit (if not in its name) and range."""
    extra: JsonDict = {"source": source, "unit": unit} if unit else {"source": source}
    return Field(
        default,
        description=f"{description} Source: {source}.",
        json_schema_extra=extra,
        **limits,
    )


class CalendarConfig(ScenarioSection):
    """The calendar: horizon in years, working days a month and hours a day."""

    horizon_years: int = param(
        5,
        "Simulated years.",
        "the usual 5-year comparison",
        ge=1,
        le=30,
        unit="years",
    )
    working_days_per_month: int = param(
        21,
        "Working days in a month; one model step is one working day.",
        "about 250 working days a year / 12",
        ge=10,
        le=31,
    )
    hours_per_day: float = param(
        8.0, "Working hours of every staff member per day.", "standard full-time day", gt=0, le=16
    )


class OrganisationConfig(ScenarioSection):
    """How many people of each role the company employs, and how they work."""

    hunters: int = param(
        0,
        "Field sellers who win clients and hand them to the client department.",
        "seeds 000, 002",
        ge=0,
        le=5000,
    )
    generalists: int = param(
        0,
        "Reps who hunt and also serve their own book (the unsplit model).",
        "seeds 001, 002",
        ge=0,
        le=5000,
    )
    specialists: int = param(
        0,
        "Client-department specialists: office only; serve, take orders, collect payments.",
        "seeds 000, 002",
        ge=0,
        le=5000,
    )
    billing_system: bool = param(
        False,
        "The client department works with a billing system / statistics server.",
        "seed 002",
    )
    travelling_teams: bool = param(
        False,
        "Sellers work as regional travelling teams (one desk per two, not three).",
        "seed 002",
    )
    vip_leads: int = param(
        0,
        "VIP-programme leads: run the yearly pass and meet the key clients (0 = no programme).",
        "seed 004 (one permanent person)",
        ge=0,
        le=1000,
        unit="people",
    )
    account_managers: int = param(
        0,
        "Account managers: one person who both sells to and serves a large client.",
        "seed 003 (corporate-sales section)",
        ge=0,
        le=5000,
        unit="people",
    )
    letter_writers: int = param(
        0,
        "Letter-sales section: non-sellers who write to clients no one in sales works with.",
        "seed 003",
        ge=0,
        le=1000,
        unit="people",
    )


class SellerConfig(ScenarioSection):
    """Hunters and generalists: the same people, the same pay; they differ in what they do."""

    removed_fields: ClassVar[dict[str, str]] = {
        "routine_capacity_clients": "a served client's time is derived by Talley's workload "
        "method; use sellers.routine_contacts_per_year, sellers.routine_contact_hours and "
        "sellers.selling_time_share (50 clients filling an 8-hour day of 21-day months is "
        "40.32 contacts a year of 1 hour at a selling_time_share of 1)",
    }

    salary_usd_per_month: float = param(
        2650.0,
        "Base pay of a field seller (bonuses come on top, money section).",
        "calibrated: with the default bonuses the reference company's field reps earn about "
        "twice a service rep's pay (base + bonuses 1.997 [1.92, 2.07] x, 10 replications), the "
        "US BLS OES ratio of a field sales rep's median pay, commissions included ($57k), to a "
        "customer-service rep's ($29k); the resulting mix, about 52 % base and 48 % bonus, lies "
        "in the practitioners' range for outside reps (base 50-70 %, Talentfoot pay-mix guide)",
        ge=0,
        le=1e6,
    )
    capacity_small_clients: float = param(
        35.0,
        "Small/medium clients one seller can keep in close work at once.",
        "seed 002 (30-40)",
        gt=0,
        le=1000,
    )
    capacity_medium_clients: float = param(
        12.0,
        "Medium/large clients one seller can keep in close work at once.",
        "seed 002 (10-15)",
        gt=0,
        le=1000,
    )
    capacity_xl_clients: float = param(
        2.0,
        "Extra-large clients one seller can keep in close work at once.",
        "seed 002 (1-3)",
        gt=0,
        le=1000,
    )
    close_work_months: float = param(
        3.0,
        "A new client needs close work (seed 002 capacities) for this long, then routine service.",
        "practitioner guides: first deals in 3-6 months",
        ge=0,
        le=36,
    )
    consultative_load_factor: float = param(
        1.3,
        "Close-work time of a consultative client relative to a transactional one.",
        "assumption after seed 001 (consultative clients are the hard ones)",
        ge=1,
        le=5,
    )
    service_quality: float = param(
        0.8,
        "Quality of routine service (orders, documents, payments) done by a seller at full "
        "attention, 0-1.",
        "seeds 000, 002 (routine work sellers do not do well)",
        ge=0,
        le=1,
    )
    book_limit_load: float = param(
        1.0,
        "A seller keeps clients in his book while their service fits in this many working "
        "days; beyond it the smallest go unattended.",
        "seed 003 (sellers keep in touch with as many clients as their time allows)",
        ge=0.1,
        le=10,
        unit="working days",
    )
    reveal_per_month: float = param(
        0.5,
        "Chance per client-month at full attention that a seller's close personal work "
        "uncovers hidden dissatisfaction and unmet needs.",
        "assumption after seed 001",
        ge=0,
        le=10,
    )
    win_strength: float = param(
        1.0,
        "Selling strength against a competitor of strength 1 when both bid.",
        "assumption (equal footing)",
        gt=0,
        le=100,
    )
    desks_per_person: float = param(
        1 / 3, "Fully equipped workplaces per seller.", "seed 002 (one per three)", ge=0, le=1
    )
    desks_per_person_travelling: float = param(
        0.5, "Workplaces per seller in travelling teams.", "seed 002 (one per two)", ge=0, le=1
    )
    routine_contacts_per_year: float = param(
        6.0,
        "Contacts a year (calls, visits, order talks) an established small client needs in "
        "routine service, by Talley's workload method; a client of another size needs this "
        "times its clients.routine_load_weights (medium/large 12, extra-large 24).",
        "a textbook call-cycle plan (case 'Sally Malone'): accounts below the top 30 % every "
        "6-10 weeks, 5-9 a year; Kotler & Armstrong's workload example: Type-B accounts 12 a "
        "year, Type-A 36; 6 calibrated to the generalists' acquisition share at the start, "
        "45-54 % (Carter, Henderson, Arroniz & Palmatier 2014)",
        gt=0,
        le=1000,
        unit="contacts per year",
    )
    routine_contact_hours: float = param(
        0.88,
        "Length of one routine contact with a client (Talley's call length).",
        "Reilly's survey of 297 B2B outside salespeople: face-to-face calls average 53 min for "
        "manufacturers (seed 003's company makes its goods), 32 min for distributors",
        gt=0,
        le=24,
        unit="hours",
    )
    selling_time_share: float = param(
        0.41,
        "Share of a seller's working hours that is time with clients (Talley's selling time); "
        "a routine contact carries its share of the rest (travel, orders, invoices).",
        "CSO Insights 2011 Sales Optimization Survey, >2,000 firms: 41 % selling by phone or "
        "face to face (46 % in 2006); HubSpot survey 34 %; Pace Productivity 22 %; at least "
        "0.01, a seller who sells 1 % of his day (below it a client's time has no bound)",
        ge=0.01,
        le=1,
    )


class PipelineConfig(ScenarioSection):
    """The prospect pipeline: lead, meeting, proposal, won or lost."""

    call_hours: float = param(
        0.25,
        "Time of one prospecting call, preparation included.",
        "assumption (Talley workload method)",
        gt=0,
        le=8,
    )
    call_to_meeting_prob: float = param(
        0.06,
        "Chance that a first prospecting call to a company (a conversation with the buyer, the "
        "dials to reach it included in call_hours) gets a meeting; later calls to a company "
        "that said no have less (meeting_factor_per_refusal).",
        "conversations that book a meeting on cold lists: Belkins 2025 (175,000 dials) 4.6 %, "
        "Cognism State of Cold Calling 2024 (5,265 conversations) 4.82 %, Cognism by region "
        "6-8 %; realised over all calls 2-8 % (Cognism 2023: 2 %), see "
        "tests/test_calibration_funnel.py",
        ge=0,
        le=1,
    )
    meeting_hours: float = param(
        3.0,
        "Time of a meeting at the prospect's premises, travel included.",
        "seed 002 (meetings on the client's premises)",
        gt=0,
        le=24,
    )
    meeting_to_proposal_prob: float = param(
        0.5,
        "Chance that a meeting leads to a proposal.",
        "TOPO 2017 Sales Development Benchmark: meetings set (SQLs) close at 22 %, which at a "
        "47 % proposal win rate is 22/47 = 47 % of meetings reaching a proposal; TOPO/Gartner "
        "2019: top sales-development teams turn 59 % of SQLs into opportunities",
        ge=0,
        le=1,
    )
    proposal_hours: float = param(
        2.0, "Time to prepare and present a proposal.", "assumption", gt=0, le=40
    )
    days_to_meeting: int = param(
        5,
        "Working days from the call to the meeting.",
        "assumption",
        ge=0,
        le=120,
        unit="working days",
    )
    days_to_proposal: int = param(
        10,
        "Working days from the meeting to the proposal.",
        "assumption",
        ge=0,
        le=120,
        unit="working days",
    )
    buy_prob: float = param(
        0.78,
        "Chance that a prospect given a proposal buys from someone (us or a competitor).",
        "CSO Insights Sales Performance Optimization studies: 23.8 % (2016, 675 firms) and "
        "20.7 % (2018) of forecast deals end in no decision",
        ge=0,
        le=1,
    )
    recontact_after_months: float = param(
        12.0,
        "A prospect who said no is not called again for this long.",
        "assumption",
        ge=0,
        le=120,
    )
    first_order_months_of_value: float = param(
        1.0,
        "The first deal is worth this many months of the client's usual value.",
        "assumption",
        ge=0,
        le=36,
        unit="months of value",
    )
    meeting_factor_per_refusal: float = param(
        0.5,
        "Each earlier 'no' of a prospect (a call, meeting or proposal refused, or a contract "
        "signed with a rival) multiplies its chance of a meeting by this factor; 1 turns the "
        "market's memory of refusals off (every call a fresh call_to_meeting_prob).",
        "practitioner direct-mail experience: a second mailing to the same list pulls about "
        "half the first, a third half again, as the first pass takes the ready buyers "
        "(McCarthy & King, 'Do repeat mailings work?'); sweep 0.3-1",
        ge=0,
        le=1,
        unit="factor per refusal",
    )
    rival_contract_months: float = param(
        60.0,
        "A prospect who signs with a rival (at our proposal, or a client a rival takes) is under "
        "contract and not called again for this long, or recontact_after_months if longer; "
        "0 turns it off.",
        "Dawes 2021, B2B Institute / Ehrenberg-Bass, 'Advertising effectiveness and the 95-5 "
        "rule': corporations change providers about once every five years; sweep 12-60",
        ge=0,
        le=240,
        unit="months",
    )


class HandoffConfig(ScenarioSection):
    """The hand-off of a won client from the hunter to a specialist (seed 000)."""

    after_months: float = param(
        3.0,
        "Months a hunter serves a new client (the first deals) before the hand-off.",
        "practitioner guides, 3-6 months",
        ge=0,
        le=36,
    )
    style: Literal["personal", "cold"] = param(
        "personal",
        "Personal introduction of the specialist by the hunter, or a cold transfer.",
        "seed 000",
    )
    intro_hours: float = param(
        1.0,
        "Hunter's time for a personal introduction.",
        "assumption after seed 000",
        ge=0,
        le=24,
    )
    cold_satisfaction_drop: float = param(
        0.2,
        "Satisfaction lost when a client is handed to a stranger (cold transfer), 0-1.",
        "assumption after seed 000",
        ge=0,
        le=1,
    )
    cold_hidden_rise: float = param(
        0.2,
        "Hidden dissatisfaction added by a cold transfer, 0-1.",
        "assumption after seed 000",
        ge=0,
        le=1,
    )


class SpecialistConfig(ScenarioSection):
    """Client-department specialists: pay, capacity, service quality and reveals."""

    salary_usd_per_month: float = param(
        2400.0,
        "Base pay of a client-department specialist.",
        "US customer-service rep ~$29k a year, BLS OES",
        ge=0,
        le=1e6,
    )
    accuracy_bonus_usd_per_month: float = param(
        150.0,
        "Fixed monthly bonus for accuracy (not volume).",
        "seed 001 (paid for accuracy); amount assumed",
        ge=0,
        le=1e6,
    )
    capacity_clients: float = param(
        150.0,
        "Small clients one specialist serves without strain.",
        "seed 002 (100-200)",
        gt=0,
        le=1e5,
    )
    capacity_clients_with_billing: float = param(
        1500.0,
        "Small clients one specialist serves with a billing system.",
        "seed 002 (1,000-2,000)",
        gt=0,
        le=1e6,
    )
    service_quality: float = param(
        0.95,
        "Quality of routine service by a specialist at full attention, 0-1.",
        "seeds 000, 002 (more operations, higher quality)",
        ge=0,
        le=1,
    )
    reveal_per_month: float = param(
        0.05,
        "Chance per client-month that office contact uncovers hidden dissatisfaction.",
        "seed 001 (specialists rarely see new needs or hidden dissatisfaction)",
        ge=0,
        le=10,
    )
    escalation_call_hours: float = param(
        0.25,
        "Specialist's time to flag an at-risk client to its hunter.",
        "assumption",
        ge=0,
        le=8,
    )
    desks_per_person: float = param(
        1.0, "Fully equipped workplaces per specialist.", "seed 002 (one each)", ge=0, le=2
    )
    pay_basis: Literal["accuracy", "volume"] = param(
        "accuracy",
        "What the variable part of a specialist's pay rewards: few errors (accuracy) or the "
        "orders his clients place (volume).",
        "seed 001 (specialists are paid for accuracy, not for volume)",
    )
    pay_weight: float = param(
        0.0,
        "Share of a specialist's pay (salary + accuracy bonus) that is variable on pay_basis, "
        "paid at target (the cost is unchanged); 0 turns the pay basis off.",
        "assumption (sweep 0-0.5; practitioners' service roles carry 0-20 % variable pay)",
        ge=0,
        le=1,
        unit="share 0-1",
    )
    order_effect_per_weight: float = param(
        0.2,
        "Relative rise (volume) or fall (accuracy) of the order rate of a specialist's clients "
        "per unit of pay_weight.",
        "assumption (sweep 0-0.44): Lazear 2000, AER 90(5), Safelite: piece rates raised output "
        "44 %, about 20 % from the same workers' effort; a specialist only nudges his clients' "
        "orders, so a smaller share is taken",
        ge=0,
        le=1,
        unit="share 0-1",
    )
    error_effect_per_weight: float = param(
        0.5,
        "Relative rise (volume) or fall (accuracy) of the incident chance of a specialist's "
        "clients per unit of pay_weight.",
        "assumption (sweep 0-1): direction from Holmström & Milgrom 1991, JLEO 7 (multitask "
        "agency) and the field experiment of Hong, Hossain, List & Tanaka 2018, IER 59(2) "
        "(a quantity bonus raised output and lowered unpaid quality); no size is citable",
        ge=0,
        le=1,
        unit="share 0-1",
    )

    @model_validator(mode="after")
    def _billing_not_smaller(self) -> SpecialistConfig:
        if self.capacity_clients_with_billing < self.capacity_clients:
            raise ValueError("capacity_clients_with_billing must be >= capacity_clients")
        return self


class EscalationConfig(ScenarioSection):
    """Escalation: specialists call the hunter to visit an at-risk client (seed 000)."""

    enabled: bool = param(
        True,
        "Specialists call the client's hunter to visit an at-risk client.",
        "seed 000 ('protect your investments')",
    )
    satisfaction_threshold: float = param(
        0.5,
        "Visible satisfaction below which a specialist flags a client, 0-1.",
        "assumption",
        ge=0,
        le=1,
    )
    cooldown_months: float = param(
        3.0, "A client is not flagged again within this time.", "assumption", ge=0, le=60
    )


class VisitsConfig(ScenarioSection):
    """Consultative visits: sellers visit their clients and protect them from rivals."""

    interval_months: float = param(
        12.0,
        "Months between consultative visits by the client's seller; 0 turns them off.",
        "seed 001 (periodic visits), seed 004 (a yearly pass)",
        ge=0,
        le=120,
    )
    applies_to: Literal["consultative", "all"] = param(
        "consultative", "Which clients get periodic consultative visits.", "seed 001"
    )
    visit_hours: float = param(
        3.0, "Time of one visit to a client, travel included.", "assumption", gt=0, le=24
    )
    satisfaction_gain: float = param(
        0.2, "Satisfaction regained at a visit, 0-1.", "assumption after seed 001", ge=0, le=1
    )
    protection_months: float = param(
        3.0,
        "After a personal visit, competitors' pull decays back over about this long.",
        "seed 001 (visits build protection against competitors); length assumed",
        gt=0,
        le=60,
    )
    protection_strength: float = param(
        0.7,
        "Share of competitors' pull removed right after a visit, 0-1.",
        "assumption after seed 001",
        ge=0,
        le=1,
    )


class StaffingConfig(ScenarioSection):
    """Sellers' skill, morale and turnover (seed 001)."""

    initial_experience_months: float = param(
        36.0, "Experience of the sellers on staff at the start.", "assumption", ge=0, le=600
    )
    ramp_months: float = param(
        9.0,
        "Time constant of a new seller's learning; a seller is a newcomer for this long.",
        "assumption (B2B ramp-up of six to twelve months is commonly quoted)",
        gt=0,
        le=120,
    )
    green_win_factor: float = param(
        0.5,
        "A newcomer's selling strength as a share of an experienced seller's.",
        "seed 001 (experience raises win rates); size assumed",
        gt=0,
        le=1,
    )
    green_quality_factor: float = param(
        0.8,
        "A newcomer's service quality as a share of an experienced seller's.",
        "seed 001; size assumed",
        gt=0,
        le=1,
    )
    morale_gain_per_win: float = param(
        0.05, "Morale a seller gains with a won client, 0-1.", "assumption", ge=0, le=1
    )
    morale_loss_per_lost_proposal: float = param(
        0.005,
        "Morale a seller loses with a proposal that does not sell, 0-1.",
        "assumption (lost proposals are everyday work)",
        ge=0,
        le=1,
    )
    morale_loss_per_lost_client: float = param(
        0.1,
        "Morale a seller loses when a client he serves lapses or goes to a rival, 0-1.",
        "seed 001 (a newcomer who fails with hard clients loses heart); size assumed",
        ge=0,
        le=1,
    )
    morale_loss_per_lost_project: float = param(
        0.05,
        "Morale a seller loses when he fails to develop an uncovered need into a project, 0-1.",
        "seed 001 (newcomers fail again and again at developing consultative clients)",
        ge=0,
        le=1,
    )
    morale_recovery_per_month: float = param(
        0.1,
        "Share of the gap to full morale that closes each month.",
        "assumption",
        ge=0,
        le=1,
    )
    quit_per_month: float = param(
        0.01,
        "Chance a seller at full morale quits in a month; 0 turns turnover off.",
        "assumption (about 11 % a year at full morale)",
        ge=0,
        le=1,
    )
    quit_morale_weight: float = param(
        4.0,
        "How much low morale raises quitting: chance x (1 + weight x (1 - morale)).",
        "seed 001 (demotivated newcomers leave); size assumed",
        ge=0,
        le=100,
    )
    hire_delay_months: float = param(
        2.0, "Time to hire a replacement; the seat is empty meanwhile.", "assumption", ge=0, le=24
    )
    newcomer_gets: Literal["consultative", "even"] = param(
        "consultative",
        "Unsplit model: a newcomer takes the seniors' consultative clients and they take his "
        "transactional ones (consultative), or he keeps his predecessor's book (even).",
        "seed 001",
    )
    market_pay_usd_per_month: float = param(
        4760.0,
        "Pay a seller could earn elsewhere, salary and commissions (the market reference his "
        "smoothed pay is compared with).",
        "US BLS OES May 2003, 41-4011 sales representatives, wholesale and manufacturing, "
        "technical and scientific products: median annual wage $57,120 (commissions included) "
        "/ 12; the same year as the model's other pay figures, so no inflation adjustment",
        gt=0,
        le=1e6,
    )
    pay_smoothing_months: float = param(
        3.0,
        "Months over which a seller's pay (salary + bonuses earned) is averaged "
        "(exponential average) before it is compared with the market.",
        "assumption (sweep 1-12; commissions vary month to month, people judge a few months)",
        ge=1,
        le=60,
    )
    quit_pay_elasticity: float = param(
        1.0,
        "Elasticity of quitting with respect to smoothed pay over the market: the quit chance "
        "is multiplied by (pay / market) ** -elasticity; 0 turns the pay comparison off.",
        "Dal Bó, Finan & Rossi 2013, QJE 128(3): labour-supply elasticity to the employer about "
        "2, which in Manning's steady state (Monopsony in Motion, 2003) is twice the "
        "separation elasticity, so about 1; sweep 0.1-2 (Sokolova & Sorensen 2021, ILR Review, "
        "meta-analysis: direct estimates are smaller)",
        ge=0,
        le=10,
    )
    morale_pay_elasticity: float = param(
        0.5,
        "How far pay below the market lowers the morale a seller recovers to: target "
        "min(1, pay / market) ** elasticity; 0 turns it off.",
        "assumption (sweep 0-2)",
        ge=0,
        le=10,
    )


class AccountsConfig(ScenarioSection):
    """Account managers (seed 003): large clients get one person for everything."""

    segments: list[Literal["small", "medium", "xl"]] = param(
        ["medium", "xl"],
        "Segments whose clients go to an account manager once their close work is over.",
        "seed 003 (large corporate clients)",
        max_length=3,
    )
    book_limit_load: float = param(
        1.0,
        "An account manager takes clients while their close-work service fits in this many "
        "working days (seed 002: 10-15 medium/large or 1-3 extra-large clients).",
        "seed 002",
        gt=0,
        le=10,
        unit="working days",
    )
    salary_usd_per_month: float = param(
        2650.0,
        "Base pay of an account manager (bonuses come on top, as a seller's).",
        "seed 003 (a seller); as sellers.salary_usd_per_month",
        ge=0,
        le=1e6,
    )
    desks_per_person: float = param(
        0.5, "Workplaces per account manager (field and office).", "assumption", ge=0, le=2
    )


class VipConfig(ScenarioSection):
    """The VIP programme (seed 004): a yearly pass over all clients, key-client meetings."""

    key_revenue_share: float = param(
        0.8,
        "Key clients: the most valuable clients that together give this share of the value.",
        "seed 004 (20 % of clients give 80 % of revenue)",
        ge=0,
        le=1,
    )
    top_revenue_share: float = param(
        0.3,
        "Most valuable clients (met monthly): the top clients giving this share of the value.",
        "seed 004 (the most valuable met monthly); share assumed",
        ge=0,
        le=1,
    )
    key_meeting_interval_months: float = param(
        3.0, "Months between meetings with a key client.", "seed 004 (quarterly)", gt=0, le=60
    )
    top_meeting_interval_months: float = param(
        1.0,
        "Months between meetings with one of the most valuable clients.",
        "seed 004 (monthly)",
        gt=0,
        le=60,
    )
    meeting_hours: float = param(
        3.0,
        "Time of one relationship meeting (a meal, an outing), travel included.",
        "assumption (as a visit)",
        gt=0,
        le=24,
    )
    pitch_share: float = param(
        0.0,
        "Share of relationship meetings at which something is pitched.",
        "seed 004 (do not pitch at every meeting)",
        ge=0,
        le=1,
    )
    pitch_satisfaction_cost: float = param(
        0.3,
        "Satisfaction a pitch costs (against the meeting's gain); a pitched meeting builds no "
        "protection against competitors.",
        "seed 004 ('lousy friendship'); size assumed",
        ge=0,
        le=1,
    )
    pitch_sale_prob: float = param(
        0.25, "Chance a pitch sells something extra.", "assumption", ge=0, le=1
    )
    pitch_order_months_of_value: float = param(
        0.5,
        "Size of that extra sale, in months of the client's value.",
        "assumption",
        ge=0,
        le=120,
    )
    pass_start_month: int = param(
        2,
        "Month of each year in which the yearly pass over all clients starts.",
        "seed 004 (once a year); month assumed",
        ge=1,
        le=12,
    )
    pass_window_months: float = param(
        2.5,
        "Length of the yearly pass; clients not reached by its end wait for the next year.",
        "seed 004 (two to three months)",
        gt=0,
        le=12,
    )
    questionnaire_hours: float = param(
        3.0,
        "Time of one questionnaire interview and service check at a client, travel included.",
        "assumption (as a visit)",
        gt=0,
        le=24,
    )
    seconded_full_time: int = param(
        3,
        "Sellers who work only on the pass during its window (after serving their book).",
        "seed 004 (three people switch 100 %)",
        ge=0,
        le=5000,
        unit="people",
    )
    seconded_part_share: float = param(
        0.25,
        "Share of their days the other sellers give to the pass during its window.",
        "seed 004 (the rest part-time); share assumed",
        ge=0,
        le=1,
    )
    bottleneck_share: float = param(
        0.3,
        "Share of clients whose service has a bottleneck only the service check finds.",
        "seed 004 (bottlenecks found at clients); share assumed",
        ge=0,
        le=1,
    )
    fix_cost_median_usd: float = param(
        500.0,
        "Median one-off cost of fixing a bottleneck (log-normal).",
        "seed 004 (equipment worth a few hundred dollars)",
        ge=0,
        le=1e7,
    )
    fix_cost_spread: float = param(
        1.0,
        "Log-normal sigma of the fix cost.",
        "seed 004 (a few hundred dollars to rented fibre channels)",
        ge=0,
        le=5,
    )
    fix_uplift_median_share: float = param(
        0.15,
        "Median rise of the client's usage after a fix, as a share of its value (log-normal).",
        "seed 004 (several thousand dollars a month more from a large client); share assumed",
        ge=0,
        le=10,
    )
    fix_uplift_spread: float = param(
        0.8, "Log-normal sigma of the usage rise.", "assumption", ge=0, le=5
    )
    fix_payback_months: float = param(
        12.0,
        "A bottleneck is fixed if the rise in monthly value repays the cost within this time.",
        "assumption",
        ge=0,
        le=600,
    )
    lead_salary_usd_per_month: float = param(
        4750.0,
        "Base pay of a VIP-programme lead (no bonuses).",
        "assumption: a field seller's total pay, the US median field sales rep's $57k a year "
        "with commissions (BLS OES)",
        ge=0,
        le=1e6,
    )
    desks_per_person: float = param(
        0.5, "Workplaces per VIP lead (field and office).", "assumption", ge=0, le=2
    )

    @model_validator(mode="after")
    def _top_within_key(self) -> VipConfig:
        if self.top_revenue_share > self.key_revenue_share:
            raise ValueError("top_revenue_share must be <= key_revenue_share")
        return self


class LettersConfig(ScenarioSection):
    """The letter-sales section (seed 003) and its phone variant."""

    channel: Literal["letter", "phone"] = param(
        "letter", "Write personal letters, or phone the same clients instead.", "seed 003"
    )
    letters_per_day: float = param(
        40.0, "Letters one writer sends a day.", "seed 003 (about 40)", gt=0, le=1000
    )
    share_of_day: float = param(
        0.5,
        "Share of the writer's day spent writing letters.",
        "seed 003 (half the working day)",
        gt=0,
        le=1,
    )
    postage_usd_per_letter: float = param(
        1.2,
        "Stamp, envelope and paper per letter.",
        "assumption (USPS first-class stamp $0.73 in 2025 plus materials)",
        ge=0,
        le=100,
    )
    response_prob: float = param(
        0.10,
        "Chance a letter that reaches the client gets an answer.",
        "seed 003 (about 10 %); ANA/DMA 2018: median 9 % for a firm's own list",
        ge=0,
        le=1,
    )
    phone_calls_per_day: float = param(
        8.0,
        "Phone variant: calls one person makes a day (as many as fit in the day).",
        "assumption (half a day at phone_call_hours)",
        gt=0,
        le=1000,
    )
    phone_call_hours: float = param(
        0.5,
        "Phone variant: time per call to a past client, redials and notes included.",
        "assumption",
        gt=0,
        le=8,
    )
    phone_response_prob: float = param(
        0.15,
        "Phone variant: chance a call to a valid number ends with a client who wants to talk.",
        "assumption",
        ge=0,
        le=1,
    )
    phone_usd_per_call: float = param(
        0.1, "Phone variant: call charges per call.", "assumption", ge=0, le=100
    )
    stale_contact_share: float = param(
        0.2,
        "Share of past clients whose address or phone number on file is out of date.",
        "seed 003 (CRM section); assumption",
        ge=0,
        le=1,
    )
    response_hours: float = param(
        1.0,
        "Seller's time to follow up one response (call, offer, order).",
        "assumption",
        ge=0,
        le=8,
    )
    response_expiry_days: int = param(
        10,
        "Working days a response waits for a seller before the client loses interest.",
        "assumption",
        ge=1,
        le=250,
    )
    order_prob: float = param(
        0.5,
        "Chance a followed-up response turns into an order.",
        "assumption",
        ge=0,
        le=1,
    )
    order_months_of_value: float = param(
        1.0,
        "Size of that order, in months of the client's usual value.",
        "assumption",
        ge=0,
        le=120,
    )
    writer_salary_usd_per_month: float = param(
        2400.0,
        "Base pay of a letter writer (not a seller).",
        "seed 003 (a non-seller); US customer-service rep ~$29k a year, BLS OES",
        ge=0,
        le=1e6,
    )
    desks_per_person: float = param(
        1.0, "Fully equipped workplaces per writer.", "assumption (office work)", ge=0, le=2
    )

    def per_day(self) -> float:
        """Contacts one person makes a day on the chosen channel."""
        return self.letters_per_day if self.channel == "letter" else self.phone_calls_per_day

    def hours_each(self, hours_per_day: float) -> float:
        """Time per contact on the chosen channel."""
        if self.channel == "letter":
            return self.share_of_day * hours_per_day / self.letters_per_day
        return self.phone_call_hours

    def reply_prob(self) -> float:
        """Chance a contact that reaches the client gets a response."""
        return self.response_prob if self.channel == "letter" else self.phone_response_prob

    def usd_each(self) -> float:
        """Postage or call charges per contact."""
        return self.postage_usd_per_letter if self.channel == "letter" else self.phone_usd_per_call


class ClientsConfig(ScenarioSection):
    """The clients: value, size segments, orders, payments, satisfaction, growth, lapse."""

    value_pareto_shape: float = param(
        1.33,
        "Pareto shape of clients' monthly order value (1.33: top 20 % give ~67 %).",
        "McCarthy & Winer, 339 firms",
        gt=1.01,
        le=10,
    )
    value_min_usd_per_month: float = param(
        300.0, "Smallest monthly order value of a client.", "assumption", gt=0, le=1e7
    )
    value_cap_multiple: float = param(
        200.0,
        "Monthly value is capped at this multiple of the minimum.",
        "assumption",
        ge=1,
        le=1e6,
    )
    medium_from_usd_per_month: float = param(
        2000.0,
        "Clients worth this much a month or more are medium/large (top ~8 %).",
        "assumption",
        gt=0,
        le=1e8,
    )
    xl_from_usd_per_month: float = param(
        16000.0,
        "Clients worth this much a month or more are extra-large (top ~0.5 %).",
        "assumption",
        gt=0,
        le=1e9,
    )
    routine_load_weights: list[Annotated[float, Field(gt=0, le=1000)]] = param(
        [1.0, 2.0, 4.0],
        "Routine-service workload of a small, medium/large and extra-large "
        "client, relative to a small one.",
        "assumption (routine work grows less than field work with client size)",
        unit="relative load",
        min_length=3,
        max_length=3,
    )
    consultative_share: float = param(
        0.3,
        "Share of clients whose buying is consultative (projects, needs analysis).",
        "assumption after seed 001",
        ge=0,
        le=1,
    )
    orders_per_month_transactional: float = param(
        2.0,
        "Orders a month of a transactional client (at most one a working day).",
        "assumption",
        gt=0,
        le=10,
    )
    orders_per_month_consultative: float = param(
        0.5,
        "Orders a month of a consultative client (at most one a working day).",
        "assumption",
        gt=0,
        le=10,
    )
    order_size_spread: float = param(
        0.5,
        "An order is worth the usual amount times a uniform factor in [1 - s, 1 + s].",
        "assumption",
        ge=0,
        le=1,
        unit="share 0-1",
    )
    payment_days_median: float = param(
        35.0,
        "Median days a client takes to pay when chased.",
        "assumption (typical B2B terms 30-45 days)",
        gt=0,
        le=365,
        unit="calendar days",
    )
    payment_days_spread: float = param(
        0.8,
        "Clients' payment days are the median times exp(s x (u - 1/2)), u uniform.",
        "assumption (about 0.7x to 1.5x the median)",
        ge=0,
        le=5,
        unit="log spread",
    )
    chase_effect: float = param(
        0.5,
        "Share of payment speed that depends on someone chasing, 0-1.",
        "seed 002 (the client department collects the payments)",
        ge=0,
        le=1,
    )
    satisfaction_adjust_per_month: float = param(
        0.3,
        "Share of the gap between satisfaction and service quality closed each month.",
        "assumption",
        ge=0,
        le=1,
    )
    initial_satisfaction: float = param(
        0.8, "Satisfaction of a new or reactivated client, 0-1.", "assumption", ge=0, le=1
    )
    unattended_quality: float = param(
        0.3,
        "Service quality a client gets when no one attends it, 0-1.",
        "assumption after seed 003 (90 % of the base gets no attention)",
        ge=0,
        le=1,
    )
    incident_per_month: float = param(
        0.08,
        "Monthly chance of a service incident (a failed delivery, a billing error) that "
        "the client notices.",
        "assumption (about one a year)",
        ge=0,
        le=1,
    )
    incident_satisfaction_drop: float = param(
        0.3, "Visible satisfaction lost in an incident, 0-1.", "assumption", ge=0, le=1
    )
    usage_satisfaction_weight: float = param(
        0.5,
        "Orders scale with (1 - w + w * satisfaction).",
        "seed 004 (better service, more usage)",
        ge=0,
        le=1,
    )
    hidden_growth_per_month_transactional: float = param(
        0.02,
        "Monthly growth of hidden dissatisfaction, transactional client, 0-1.",
        "assumption after seed 001",
        ge=0,
        le=1,
    )
    hidden_growth_per_month_consultative: float = param(
        0.05,
        "Monthly growth of hidden dissatisfaction, consultative client, 0-1.",
        "assumption after seed 001",
        ge=0,
        le=1,
    )
    need_growth_per_month_transactional: float = param(
        0.005,
        "Monthly growth of unmet needs (share of monthly value), transactional client.",
        "assumption after seed 001",
        ge=0,
        le=1,
    )
    need_growth_per_month_consultative: float = param(
        0.02,
        "Monthly growth of unmet needs (share of monthly value), consultative client.",
        "assumption after seed 001",
        ge=0,
        le=1,
    )
    growth_spread: float = param(
        0.5,
        "Each client's growth rates of hidden dissatisfaction and needs are the type's "
        "rate times a uniform factor in [1 - s, 1 + s].",
        "assumption",
        ge=0,
        le=1,
        unit="share 0-1",
    )
    project_value_months: float = param(
        6.0,
        "A revealed unmet need u books a project worth u x monthly value x this.",
        "assumption after seed 001 (project bonus)",
        ge=0,
        le=120,
        unit="months of value",
    )
    need_expansion_share: float = param(
        0.5,
        "A revealed unmet need u raises the client's monthly value by u x this.",
        "seed 001 (visits grow sales with the client)",
        ge=0,
        le=10,
        unit="multiplier",
    )
    lapse_per_month: float = param(
        0.0016,
        "Monthly chance that a fully satisfied client stops ordering (goes dormant).",
        "calibrated with market.competitors.poach_per_month (both scaled by one factor, 0.4 of "
        "the earlier 0.004 and 0.0015) so that the reference company (unsplit) realises the "
        "field's annual churn: KBCM SaaS survey 2016, median ~10 % a year (10.1 % [9.6, 10.7], "
        "10 replications); the split between lapsing and rivals, about half each, is an "
        "assumption (docs/VALIDATION.md)",
        ge=0,
        le=1,
    )
    lapse_dissatisfaction_weight: float = param(
        4.0,
        "Lapse chance is multiplied by (1 + w x (1 - satisfaction)).",
        "assumption",
        ge=0,
        le=100,
    )
    dormant_reactivation_per_month: float = param(
        0.002,
        "Monthly chance that a dormant client orders again unprompted.",
        "assumption",
        ge=0,
        le=1,
    )
    bad_debt_share_on_loss: float = param(
        0.3,
        "Share of a lost client's unpaid invoices written off at the loss.",
        "assumption",
        ge=0,
        le=1,
    )
    second_lifetime_value_share: float = param(
        0.7,
        "A dormant client who orders again orders this share of its value before it lapsed "
        "(each return again; 1 = its full former value).",
        "assumption, range 0.5-1 (second lifetimes differ from the first in profit a month: "
        "Kumar, Bhagwat & Zhang 2015, J. Marketing 79(4))",
        ge=0,
        le=2,
        unit="share of former value",
    )
    second_lifetime_lapse_multiple: float = param(
        2.0,
        "A client back from dormancy is this many times as likely to lapse again as a first-"
        "lifetime client in the same state (1 = the same).",
        "assumption, range 1-3 (second lifetimes are shorter after a service-related "
        "defection: Kumar, Bhagwat & Zhang 2015; repeat churn: Kumar, Leszkiewicz & Herbst "
        "2018, JMR 55(2))",
        ge=0,
        le=100,
        unit="multiplier",
    )
    dormant_response_half_life_months: float = param(
        24.0,
        "A dormant client's chance to answer a letter or call, and to order again unprompted, "
        "halves every this many months since it lapsed (0 = no decay).",
        "assumption, range 6-60 (willingness to return falls with the time away: Pick, "
        "Thomas, Tillmanns & Krafft 2016, JAMS 44)",
        ge=0,
        le=600,
        unit="months",
    )
    order_rate_shape: float = param(
        0.0,
        "Each client's order rate is its type's rate times a multiplier drawn once from a gamma "
        "with mean 1 and this shape (its monthly value scales with it, its order size does "
        "not); smaller is more dispersed (coefficient of variation 1 / sqrt(shape)). "
        "0 = off: every client of a type orders at the type's rate.",
        "BG/NBD's gamma-distributed purchase rates (Fader, Hardie & Lee 2005, Marketing "
        "Science 24(2)); the value is fitted by salesim calibrate (r; CDNOW 0.243), "
        "off in the shipped scenarios",
        unit="none (gamma shape)",
        ge=0,
        le=1e9,  # above the fit's bound e^15: a rate equal for all sends r there
    )
    dropout_beta_a: float = param(
        0.0,
        "Each client draws a drop chance per order p ~ Beta(a, b) once; its lapse chance is "
        "the base's times p / E[p] times its order-rate multiplier (hazard p x rate, the base "
        "the mean). 0 (with dropout_beta_b 0) = off: one lapse chance for all.",
        "BG/NBD's drop-out after a purchase (Fader, Hardie & Lee 2005, Marketing Science "
        "24(2)); fitted by salesim calibrate (a; CDNOW 0.793), off in the shipped scenarios",
        unit="none (beta parameter)",
        ge=0,
        le=1e9,  # above the fit's bound e^15: a rate equal for all sends r there
    )
    dropout_beta_b: float = param(
        0.0,
        "The b of the drop chance's Beta(a, b) (see dropout_beta_a); 0 (with a 0) = off.",
        "BG/NBD (Fader, Hardie & Lee 2005, Marketing Science 24(2)); fitted by salesim "
        "calibrate (b; CDNOW 2.426), off in the shipped scenarios",
        unit="none (beta parameter)",
        ge=0,
        le=1e9,  # above the fit's bound e^15: a rate equal for all sends r there
    )

    new_client_order_boost: float = param(
        0.0,
        "A client won N months ago orders (and drops out) at its rate times 1 + this x "
        "exp(-N / new_client_boost_months): a new client buys more often at first. 0 = off.",
        "the new-client component of BG/NBD (nonstationarity in a new cohort's repeat buying, "
        "Fader & Hardie 2001, Interfaces 31(3)); fitted by salesim calibrate (kappa; CDNOW "
        "0.86), off in the shipped scenarios",
        unit="multiplier",
        ge=0,
        le=1e6,  # the fit's bound is e^15; above 1e6 a client would order daily for years
    )
    new_client_boost_months: float = param(
        1.0,
        "Decay time of new_client_order_boost: the excess falls by e every this many months.",
        "fitted by salesim calibrate (tau; CDNOW 5.5 weeks, 1.26 months); unused while "
        "new_client_order_boost is 0",
        unit="months",
        gt=0,
        le=1200,
    )

    @model_validator(mode="after")
    def _segments_ordered(self) -> ClientsConfig:
        if self.xl_from_usd_per_month <= self.medium_from_usd_per_month:
            raise ValueError("xl_from_usd_per_month must exceed medium_from_usd_per_month")
        if (self.dropout_beta_a > 0) != (self.dropout_beta_b > 0):
            raise ValueError("dropout_beta_a and dropout_beta_b must both be 0 (off) or both > 0")
        return self


class CompetitorsConfig(ScenarioSection):
    """Rival companies: how many, how strong, how often they bid and poach, and whom."""

    count: int = param(3, "Competitors active in the market.", "assumption", ge=0, le=100)
    strength: float = param(
        1.0,
        "Selling strength of each competitor (ours is sellers.win_strength).",
        "assumption (equal footing)",
        gt=0,
        le=100,
    )
    bid_prob: float = param(
        0.33,
        "Chance that a competitor also bids on a prospect we make a proposal to.",
        "calibrated: with buy_prob and three equal rivals it gives the proposal win rate of "
        "RAIN Group (472 sellers: 47 % of proposed or quoted opportunities won; 40 % for the "
        "80 % below the top) and CSO Insights (46.6 % 2016, 47.3 % 2018 of forecast deals "
        "won, 29.6-32.0 % lost to a competitor)",
        ge=0,
        le=1,
    )
    poach_per_month: float = param(
        0.0006,
        "Monthly chance that one competitor takes a well-served, satisfied client.",
        "calibrated with clients.lapse_per_month to the field's annual churn, KBCM SaaS survey "
        "2016 median ~10 % a year (docs/VALIDATION.md)",
        ge=0,
        le=1,
    )
    neglect_weight: float = param(
        3.0,
        "Poaching chance grows by w x (1 - attention).",
        "seed 001 (neglected clients)",
        ge=0,
        le=100,
    )
    dissatisfaction_weight: float = param(
        2.0, "Poaching chance grows by w x (1 - satisfaction).", "seed 001", ge=0, le=100
    )
    hidden_weight: float = param(
        4.0,
        "Poaching chance grows by w x hidden dissatisfaction.",
        "seed 001 (quietly unhappy clients)",
        ge=0,
        le=100,
    )
    need_weight: float = param(
        2.0,
        "Poaching chance grows by w x unmet need (competitors may be quicker).",
        "seed 001",
        ge=0,
        le=100,
    )


class MarketConfig(ScenarioSection):
    """The market at the start: past, active and prospective clients, and the rivals."""

    past_clients: int = param(
        3000,
        "Clients who have bought before (the client base at the start).",
        "seed 003 (3,000 names)",
        ge=0,
        le=2_000_000,
    )
    active_clients: int = param(
        300,
        "Of the past clients, those still ordering and served at the start.",
        "seed 003 (6 sellers x ~50)",
        ge=0,
        le=2_000_000,
    )
    prospects: int = param(
        20000,
        "Companies in the territory that have never bought.",
        "assumption",
        ge=0,
        le=5_000_000,
    )
    initial_months_on_books: float = param(
        12.0,
        "Past clients start with hidden dissatisfaction and needs grown over a uniform "
        "0 to this many months; those dormant lapsed a uniform 0 to this many months ago.",
        "assumption",
        ge=0,
        le=120,
    )
    competitors: CompetitorsConfig = CompetitorsConfig()

    @model_validator(mode="after")
    def _active_within_past(self) -> MarketConfig:
        if self.active_clients > self.past_clients:
            raise ValueError("active_clients cannot exceed past_clients")
        return self


class SegmentMargins(ScenarioSection):
    """Gross margins by client segment; a segment left out (or null) takes the company's."""

    small: float | None = param(
        None,
        "Gross margin on small/medium clients' payments (null: money.gross_margin).",
        "assumption (no source gives margins by client size)",
        unit="share 0-1",
        ge=0,
        le=1,
    )
    medium: float | None = param(
        None,
        "Gross margin on medium/large clients' payments (null: money.gross_margin).",
        "assumption (no source gives margins by client size)",
        unit="share 0-1",
        ge=0,
        le=1,
    )
    xl: float | None = param(
        None,
        "Gross margin on extra-large clients' payments (null: money.gross_margin).",
        "assumption (no source gives margins by client size)",
        unit="share 0-1",
        ge=0,
        le=1,
    )


class MoneyConfig(ScenarioSection):
    """Bonuses, the gross margin and the costs of desks and of the billing system."""

    new_client_bonus_share: float = param(
        0.10,
        "Seller's bonus: share of a new client's payments in its first months. It pays for "
        "hunting: a larger share makes sellers hunt more and visit their own clients and answer "
        "escalations less (effort.responsiveness); it is part of the pay sellers compare with "
        "the market (staffing.market_pay_usd_per_month).",
        "seed 001 (a large bonus for the first half-year); share assumed",
        ge=0,
        le=1,
    )
    new_client_bonus_months: float = param(
        6.0,
        "How long a client counts as new for the bonus.",
        "seed 001 (first half-year)",
        ge=0,
        le=60,
    )
    ongoing_bonus_share: float = param(
        0.02,
        "Seller's bonus: share of payments from clients he won, after the first months. It is "
        "his stake in them: a larger share makes him visit them more often and answer "
        "escalations sooner, at the cost of hunting (farming); a smaller one leaves them to "
        "wait or unanswered (effort.responsiveness); part of his pay against the market.",
        "seeds 000, 001 (a small ongoing share); share assumed",
        ge=0,
        le=1,
    )
    project_bonus_share: float = param(
        0.05,
        "Seller's bonus: share of a project he uncovered at a client. Needs surface on "
        "visits, so a larger share makes visits (and answering escalations) pay more per hour "
        "against hunting (effort.responsiveness); part of his pay against the market.",
        "seed 001 (project bonus); share assumed",
        ge=0,
        le=1,
    )
    desk_usd_per_month: float = param(
        600.0, "Cost of one fully equipped workplace.", "assumption", ge=0, le=1e6
    )
    billing_system_usd_per_month: float = param(
        2000.0,
        "Cost of the billing system when the client department has one.",
        "assumption",
        ge=0,
        le=1e7,
    )
    gross_margin: float = param(
        0.40,
        "Gross margin: share of each payment left after the cost of the goods sold "
        "(1 = no cost of goods). Range for sweeps 0.25-0.55.",
        "Damodaran, Margins by Sector (Europe, gross-income based, January 2019): makers of "
        "furnishings 28.8 %, household products 50.6 %, the goods nearest an awards maker "
        "(seed 003); 0.40 their midpoint, an assumption within that range",
        unit="share 0-1",
        ge=0,
        le=1,
    )
    gross_margin_by_segment: SegmentMargins = param(
        SegmentMargins(),
        "Gross margin per client segment (small, medium, xl); a segment not given takes "
        "money.gross_margin.",
        "assumption (no source gives margins by client size)",
    )


class OverloadConfig(ScenarioSection):
    """Service above capacity: errors become incidents, orders are missed (ODD 7.3, 7.5)."""

    enabled: bool = param(
        True,
        "Servers above capacity make more errors and miss orders; off, only attention falls.",
        "KC & Terwiesch 2009; Oliva & Sterman 2001; seed 002 (100-200 clients without strain)",
    )
    incident_per_overload: float = param(
        0.2,
        "A client's incident chance is multiplied by 1 + k x (load ratio - 1) while its "
        "server's book asks for more than the day (load ratio = hours demanded / available).",
        "KC & Terwiesch 2009, Management Science 55(9): +10 % overwork, +2 % adverse outcomes "
        "(read as relative, about 0.2); sweep 0.2-2",
        ge=0,
        le=100,
        unit="multiple per unit of load ratio above 1",
    )
    missed_order_share: float = param(
        0.1,
        "An order placed with an overloaded server is missed (lost, and an incident) with "
        "chance s x (1 - 1 / load ratio): s is the share of the undone work that falls on orders.",
        "assumption: 0 = orders always first (seed 002: taking orders and collecting payments "
        "is the department's main task), 1 = first come, first served, where an overloaded "
        "queue loses 1 - 1/load of its arrivals (Whitt 2006, Operations Research 54(1)); "
        "sweep 0-0.5",
        ge=0,
        le=1,
        unit="share 0-1",
    )


class EffortConfig(ScenarioSection):
    """Sellers' discretionary hours follow what their pay plan pays per hour (ODD 7.22)."""

    responsiveness: float = param(
        0.5,
        "Elasticity of the hours a hunting seller gives a visit or an escalation with respect "
        "to its pay per hour relative to hunting, measured against the same ratio under the "
        "default money shares (the plan under which the fixed rules hold); 0 turns it off "
        "(today's fixed rules). Range for sweeps 0-2.",
        "assumption: no study gives this elasticity; agency theory of effort (Basu, Lal, "
        "Srinivasan & Staelin 1985, Marketing Science 4(4); Holmstrom & Milgrom 1991, JLEO 7) "
        "says effort moves to the better-paid task, and field responses to plan changes are "
        "moderate: +9 % revenue after a plan change (Misra & Nair 2011, QME 9(3)), +44 % output "
        "per worker, about half from effort, after a move to piece rates (Lazear 2000, AER "
        "90(5)); a value below 1 keeps responses of that order",
        unit="elasticity",
        ge=0,
        le=10,
    )
    horizon_months: float = param(
        12.0,
        "Planning horizon over which a seller counts what a client pays him (the stake in a "
        "client, the value of a new one).",
        "assumption (a yearly plan; present-biased sellers, Chung, Steenburgh & Sudhir 2014, "
        "Marketing Science 33(2)); sweep 6-36",
        gt=0,
        le=120,
    )
    max_visit_pace: float = param(
        4.0,
        "Largest multiple of the visit schedule (visits.interval_months) a seller whose visits "
        "pay more than before keeps; 1 = never more often than the schedule.",
        "assumption (quarterly visits on a yearly schedule); sweep 1-12",
        unit="multiple",
        ge=1,
        le=100,
    )
    max_escalation_wait_months: float = param(
        3.0,
        "An escalation the seller put off is dropped, unanswered, once it has waited this "
        "long (or as soon as the client is no longer below escalation.satisfaction_threshold).",
        "assumption: as long as escalation.cooldown_months, after which the client may be "
        "flagged again; sweep 0.5-6",
        ge=0,
        le=60,
    )


class Scenario(ScenarioSection):
    """One company and one way of organising its selling."""

    name: Name = Field(
        description="Short name; used for the output folder. Letters or digits of any script, "
        "'_', '.' or '-', up to 64 characters.",
    )
    description: str = Field("", description="What this scenario is for.", max_length=2000)
    seed: int = Field(1, description="Root seed of the run (--seed overrides).", ge=0, le=2**63 - 1)
    calendar: CalendarConfig = CalendarConfig()
    organisation: OrganisationConfig = OrganisationConfig()
    market: MarketConfig = MarketConfig()
    clients: ClientsConfig = ClientsConfig()
    sellers: SellerConfig = SellerConfig()
    pipeline: PipelineConfig = PipelineConfig()
    handoff: HandoffConfig = HandoffConfig()
    specialists: SpecialistConfig = SpecialistConfig()
    escalation: EscalationConfig = EscalationConfig()
    visits: VisitsConfig = VisitsConfig()
    letters: LettersConfig = LettersConfig()
    vip: VipConfig = VipConfig()
    accounts: AccountsConfig = AccountsConfig()
    staffing: StaffingConfig = StaffingConfig()
    money: MoneyConfig = MoneyConfig()
    overload: OverloadConfig = OverloadConfig()
    effort: EffortConfig = EffortConfig()
