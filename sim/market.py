"""The market: past clients and prospects, drawn from streams keyed by stable client ids.

Client ``i`` gets the same size, value, type and payment habits in every scenario run with the
same seed, whatever the organisation: strategies face the same market.
"""

from __future__ import annotations

import numpy as np

from sim import economics as eco
from sim.agents.client import ACTIVE, DORMANT, PROSPECT, ClientBook
from sim.config.schema import ClientsConfig, Scenario
from sim.randomness import RandomStreams


def generate_market(scenario: Scenario, streams: RandomStreams) -> ClientBook:
    """Create the client book: past clients first (ids 0..), then prospects."""
    market, cfg = scenario.market, scenario.clients
    days = scenario.calendar.working_days_per_month
    book = ClientBook(market.past_clients + market.prospects)
    ids = np.arange(book.size)
    u = streams.keyed_uniform("market", ids[None, :], np.arange(9)[:, None])
    book.value[:] = eco.pareto_value(
        u[0], cfg.value_pareto_shape, cfg.value_min_usd_per_month, cfg.value_cap_multiple
    )
    book.consultative[:] = u[1] < cfg.consultative_share
    book.orders_per_month[:] = np.where(
        book.consultative, cfg.orders_per_month_consultative, cfg.orders_per_month_transactional
    )
    _draw_own_rates(book, cfg, streams, ids)
    book.segment[:] = eco.segment_of(
        book.value, cfg.medium_from_usd_per_month, cfg.xl_from_usd_per_month
    )
    book.payment_days[:] = cfg.payment_days_median * np.exp(cfg.payment_days_spread * (u[2] - 0.5))
    book.pay_rate[:] = eco.payment_rate(book.payment_days, days)
    hidden = np.where(
        book.consultative,
        cfg.hidden_growth_per_month_consultative,
        cfg.hidden_growth_per_month_transactional,
    )
    need = np.where(
        book.consultative,
        cfg.need_growth_per_month_consultative,
        cfg.need_growth_per_month_transactional,
    )
    spread = cfg.growth_spread
    book.hidden_growth[:] = hidden * (1 - spread + 2 * spread * u[3]) / days
    book.need_growth[:] = need * (1 - spread + 2 * spread * u[4]) / days
    book.stale_contact[:] = u[6] < scenario.letters.stale_contact_share
    book.bottleneck[:] = u[7] < scenario.vip.bottleneck_share
    _set_initial_states(book, scenario, u[5])
    dormant = book.dormant_ids()
    # Past clients dormant at the start lapsed a uniform 0 to initial_months_on_books ago.
    months_away = scenario.market.initial_months_on_books * u[8][dormant]
    book.lapsed_day[dormant] = -np.round(months_away * days).astype(np.int32)
    return book


def _draw_own_rates(
    book: ClientBook, cfg: ClientsConfig, streams: RandomStreams, ids: np.ndarray
) -> None:
    """Give each client its own order rate and drop-out, if the scenario asks (docs/MODEL.md 5).

    Stream ``client-rates``, keyed by client id: counter 0 draws the order-rate multiplier
    (``clients.order_rate_shape``), which multiplies ``orders_per_month`` and ``value`` (the
    order size stays the type's); counter 1 the drop chance per order
    (``clients.dropout_beta_a``, ``_b``), which sets ``dropout_multiple`` and the first
    lifetime's ``lapse_multiple``. Off (0), nothing is drawn and nothing changes.
    """
    multiplier = np.ones(book.size)
    if cfg.order_rate_shape > 0:
        u = streams.keyed_uniform("client-rates", ids, 0)
        multiplier = eco.order_rate_multiplier(u, cfg.order_rate_shape)
        book.orders_per_month *= multiplier
        book.value *= multiplier
    if cfg.dropout_beta_a > 0:
        u = streams.keyed_uniform("client-rates", ids, 1)
        book.dropout_multiple[:] = eco.dropout_multiple(
            u, cfg.dropout_beta_a, cfg.dropout_beta_b, multiplier
        )
        book.lapse_multiple[:] = book.dropout_multiple


def _set_initial_states(book: ClientBook, scenario: Scenario, u: np.ndarray) -> None:
    market, cfg = scenario.market, scenario.clients
    past = market.past_clients
    book.set_state(np.arange(past, book.size), PROSPECT)
    book.set_state(np.arange(market.active_clients, past), DORMANT)
    book.set_state(np.arange(market.active_clients), ACTIVE)
    book.satisfaction[:past] = cfg.initial_satisfaction
    # Clients already on the books have had some time to build hidden grievances and needs.
    months_on_books = market.initial_months_on_books * u[:past]
    days = scenario.calendar.working_days_per_month
    book.hidden[:past] = np.minimum(1.0, book.hidden_growth[:past] * days * months_on_books)
    book.need[:past] = book.need_growth[:past] * days * months_on_books


def lead_order(book: ClientBook, streams: RandomStreams) -> np.ndarray:
    """Order in which sellers go through the market (the same for every strategy).

    It lists every company; sellers call only those that are prospects when their turn
    comes, so a past client taken by a competitor can be won back.
    """
    ids = np.arange(book.size)
    keys = streams.keyed_uniform("lead-order", ids, 0)
    return ids[np.argsort(keys, kind="stable")]
