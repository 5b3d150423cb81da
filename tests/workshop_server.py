"""``salesim workshop`` started as a user starts it, watched and stopped by the tests."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_workshop(scenario: Path, folder: Path) -> tuple[subprocess.Popen[bytes], int, Path]:
    """``salesim workshop`` on a free port, once it answers; its process, port and log."""
    port = free_port()
    log = folder / f"server-{port}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sim.cli",
                "workshop",
                "--scenario",
                str(scenario),
                "--port",
                str(port),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return process, port, log
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                process.wait()
                raise RuntimeError(f"the workshop did not start:\n{log.read_text()}") from None
            time.sleep(0.3)


def descendants(pid: int) -> list[psutil.Process]:
    return psutil.Process(pid).children(recursive=True)


def leftovers(port: int, known: list[psutil.Process]) -> list[str]:
    """Processes still alive that served ``port`` (known children, or by command line), and
    the port itself if anything still listens on it."""
    found = {p.pid: p for p in known if p.is_running() and p.status() != psutil.STATUS_ZOMBIE}
    for proc in psutil.process_iter(["pid", "cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if str(port) in cmdline and any("workshop" in part or "solara" in part for part in cmdline):
            found[proc.pid] = proc
    problems = [f"process {pid} still running: {p.cmdline()}" for pid, p in found.items()]
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            problems.append(f"port {port} still accepts connections")
    return problems


def stop_and_check(process: subprocess.Popen[bytes], port: int, how: signal.Signals) -> None:
    """Stop the workshop with a signal; assert it exits and leaves nothing behind."""
    children = descendants(process.pid)
    os.kill(process.pid, how)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise AssertionError(f"the workshop did not stop on {how.name}") from None
    for child in children:  # give a dying child the moment it needs to go
        with contextlib.suppress(psutil.NoSuchProcess, psutil.TimeoutExpired):
            child.wait(timeout=10)
    problems = leftovers(port, children)
    for child in children:  # a failed check must not leave a server behind either
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
    assert problems == []


def serve(scenario: Path, folder: Path) -> Iterator[str]:
    process, port, log = start_workshop(scenario, folder)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop_and_check(process, port, signal.SIGTERM)
    assert f"http://127.0.0.1:{port}" in log.read_text()


def server_state(url: str) -> dict[str, Any]:
    """Sessions (kernels), connections and threads of the server, from Solara's /resourcez."""
    with urllib.request.urlopen(url + "resourcez", timeout=30) as answer:
        return json.load(answer)  # type: ignore[no-any-return]
