"""A room of teams on one workshop server, without browsers: the server's side of a workshop.

Each session speaks to the server as a browser does (``solara_client.ProtocolSession``), so a
dozen of them fit on a small machine next to the server. The browser tests
(``test_dashboard.py``) check the same with real pages.
"""

from __future__ import annotations

import asyncio
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import SCENARIOS
from solara_client import ProtocolSession
from workshop_server import server_state, start_workshop, stop_and_check

from sim.workshop.serve import CULL_TIMEOUT

pytestmark = pytest.mark.slow  # a server and a dozen sessions: tens of seconds

TEAMS = 12  # a workshop room: a dozen teams


async def room(url: str) -> None:
    # the sessions fetch side by side, as a room of browsers does: enough threads for them
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(4 * TEAMS))
    t0 = time.monotonic()
    teams = [ProtocolSession(url) for _ in range(TEAMS)]
    await asyncio.gather(*(team.open(t0) for team in teams))  # all at the same moment
    assert [team.month() for team in teams] == [0] * TEAMS
    assert (await asyncio.to_thread(server_state, url))["kernels"]["total"] == TEAMS
    with pytest.raises(LookupError, match="no 'Launch' button"):  # the client, not the server
        await teams[0].click("Launch")
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
    # the teams close their tabs, mid-play: each session is freed then, not when the server
    # culls a silent one (after a minute, ``sim.workshop.serve.CULL_TIMEOUT``)
    await asyncio.gather(*(team.close() for team in [*teams, late]))
    deadline = time.monotonic() + int(CULL_TIMEOUT.removesuffix("s")) / 2
    while (state := await asyncio.to_thread(server_state, url))["kernels"]["total"] or state[
        "websockets"
    ]["open"]:
        assert time.monotonic() < deadline, state  # a session or its socket is left
        await asyncio.sleep(0.5)


def test_a_dozen_sessions_opened_at_once_start_play_and_are_freed(tmp_path: Path) -> None:
    process, port, _ = start_workshop(SCENARIOS / "reference.yaml", tmp_path)
    try:
        asyncio.run(room(f"http://127.0.0.1:{port}/"))
        stop_and_check(process, port, signal.SIGTERM)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
