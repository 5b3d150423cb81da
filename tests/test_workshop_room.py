"""A room of teams on one workshop server, without browsers: the server's side of a workshop.

Each session speaks to the server as a browser does (``solara_client.ProtocolSession``), so a
dozen of them fit on a small machine next to the server. The browser tests
(``test_dashboard.py``) check the same with real pages.
"""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import pytest
from conftest import SCENARIOS
from solara_client import ProtocolSession
from workshop_server import server_state, start_workshop, stop_and_check

pytestmark = pytest.mark.slow  # a server and a dozen sessions: tens of seconds

TEAMS = 12  # a workshop room: a dozen teams


async def room(url: str) -> None:
    t0 = time.monotonic()
    teams = [ProtocolSession(url) for _ in range(TEAMS)]
    await asyncio.gather(*(team.open(t0) for team in teams))  # all at the same moment
    assert [team.month() for team in teams] == [0] * TEAMS
    assert server_state(url)["kernels"]["total"] == TEAMS
    await asyncio.gather(*(team.click("Play") for team in teams))
    await asyncio.gather(*(team.wait_for_month(lambda m: m >= 2) for team in teams))
    # a latecomer starts while every other session is playing: the model work of the sessions
    # does not hold up the server's event loop until their runs end
    late = ProtocolSession(url)
    await late.open(t0)
    playing = [team.month() for team in teams]
    assert all(month is not None and month < 60 for month in playing), playing
    # every session keeps advancing and stays connected
    await asyncio.gather(
        *(
            team.wait_for_month(lambda m, was=was: m > was)
            for team, was in zip(teams, playing, strict=True)
        )
    )
    assert [team.closed for team in [*teams, late]] == [None] * (TEAMS + 1)
    for team in [*teams, late]:  # the teams close their tabs, some mid-play
        await team.close()


def test_a_dozen_sessions_opened_at_once_start_play_and_are_freed(tmp_path: Path) -> None:
    process, port, _ = start_workshop(SCENARIOS / "reference.yaml", tmp_path)
    url = f"http://127.0.0.1:{port}/"
    try:
        asyncio.run(room(url))
        deadline = time.monotonic() + 120
        while (state := server_state(url))["kernels"]["total"] or state["websockets"]["open"]:
            assert time.monotonic() < deadline, state  # a session or its socket is left
            time.sleep(1)
        stop_and_check(process, port, signal.SIGTERM)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_session_that_clicks_a_button_the_page_does_not_have_is_told(tmp_path: Path) -> None:
    """The protocol session itself: a missing button is an error, not a silent no-op."""
    process, port, _ = start_workshop(SCENARIOS / "reference.yaml", tmp_path)

    async def go() -> None:
        team = ProtocolSession(f"http://127.0.0.1:{port}/")
        await team.open(time.monotonic())
        with pytest.raises(LookupError, match="no 'Launch' button"):
            await team.click("Launch")
        await team.click("Step")
        assert await team.wait_for_month(lambda m: m >= 1) == 1
        await team.close()

    try:
        asyncio.run(go())
        stop_and_check(process, port, signal.SIGTERM)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
