"""A progress line for long studies: runs done / total, elapsed and estimated time left.

On a terminal the line is a tqdm bar redrawn in place (tqdm pads a shorter line, so nothing
stale is left); otherwise (a log file, CI) the same text is printed as a line every 10 % or
every 30 seconds, whichever comes first. While a cluster starts, a line says so. The time left
is estimated from the runs done since the workers were up, not counting the start-up.
"""

from __future__ import annotations

import sys
import time
from typing import Never, TextIO

from tqdm import tqdm

BAR_WIDTH = 24
LOG_EVERY_S = 30.0
LOG_EVERY_SHARE = 0.10
_TEXT = "runs {n_fmt}/{total_fmt} {percentage:3.0f}% | elapsed {elapsed} | left {remaining}"
LIVE_FORMAT = _TEXT.replace(" {percentage", f" [{{bar:{BAR_WIDTH}}}] {{percentage") + "{postfix}"
LOG_FORMAT = _TEXT + "{postfix}"


class Progress:
    """Counts finished runs and shows the rate of the runs done in this session."""

    def __init__(
        self, total: int, already: int = 0, stream: TextIO | None = None, enabled: bool = True
    ) -> None:
        self.total, self.already = total, already
        self.done = already
        self.failed = 0
        self.stream = sys.stderr if stream is None else stream
        self.enabled = enabled
        self.live = enabled and self.stream.isatty()
        self._rate_start = self._last_log = time.monotonic()
        self._last_share = already / total if total else 1.0
        self._bar: tqdm[Never] | None = None

    def line(self) -> str:
        """Return the progress line: ``runs 37/240  15% | elapsed 00:42 | left 03:50``."""
        return tqdm.format_meter(
            self.done,
            self.total,
            time.monotonic() - self._rate_start,
            bar_format=LOG_FORMAT,
            initial=self.already,
            postfix=f"{self.failed} failed" if self.failed else None,
        )

    def starting(self, what: str) -> None:
        """Say what is being started (a local cluster) before the first run can finish."""
        if self.enabled:
            print(f"{what} ...", file=self.stream, flush=True)

    def ready(self) -> None:
        """Note that the workers are up: the time left is estimated from the runs done since."""
        self._rate_start = self._last_log = time.monotonic()
        if self.live and self._bar is None:
            self._bar = tqdm(
                total=self.total,
                initial=self.already,
                file=self.stream,
                bar_format=LIVE_FORMAT,
                smoothing=0,  # the mean rate since the workers were up: runs are alike
                dynamic_ncols=True,
                mininterval=0.5,
            )

    def advance(self, failed: bool = False) -> None:
        """One more run finished (stored or failed)."""
        self.done += 1
        self.failed += failed
        if not self.enabled:
            return
        if self.live:
            if self._bar is None:
                self.ready()
            assert self._bar is not None
            if failed:
                self._bar.set_postfix_str(f"{self.failed} failed", refresh=False)
            self._bar.update(1)
            return
        now, share = time.monotonic(), self.done / self.total
        due = now - self._last_log >= LOG_EVERY_S or share - self._last_share >= LOG_EVERY_SHARE
        if due or self.done == self.total:
            self._last_log, self._last_share = now, share
            print(self.line(), file=self.stream, flush=True)

    def close(self) -> None:
        """End the live line."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
