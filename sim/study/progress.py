"""A progress line for long studies: runs done / total, elapsed and estimated time left.

On a terminal the line is redrawn in place; otherwise (a log file, CI) a line is printed every
10 % or every 30 seconds, whichever comes first.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

BAR_WIDTH = 24
LOG_EVERY_S = 30.0
LOG_EVERY_SHARE = 0.10


def clock(seconds: float) -> str:
    """``h:mm:ss`` or ``m:ss``."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


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
        self.start = self._rate_start = self._last_log = time.monotonic()
        self._last_share = already / total if total else 1.0

    def line(self) -> str:
        """Return the progress line: ``runs 37/240 [#####...] 15 % | elapsed 0:42 | left ~3:50``."""
        share = self.done / self.total if self.total else 1.0
        filled = round(share * BAR_WIDTH)
        now = time.monotonic()
        elapsed, working = now - self.start, now - self._rate_start
        new = self.done - self.already
        left = "?" if new == 0 else "~" + clock(working / new * (self.total - self.done))
        text = (
            f"runs {self.done}/{self.total} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] "
            f"{share:4.0%} | elapsed {clock(elapsed)} | left {left}"
        )
        return text + (f" | {self.failed} failed" if self.failed else "")

    def ready(self) -> None:
        """Note that the workers are up: estimate the time left from the runs done since now."""
        self._rate_start = time.monotonic()

    def advance(self, failed: bool = False) -> None:
        """One more run finished (stored or failed)."""
        self.done += 1
        self.failed += failed
        if not self.enabled:
            return
        if self.live:
            self.stream.write("\r" + self.line())
            self.stream.flush()
            return
        now, share = time.monotonic(), self.done / self.total
        due = now - self._last_log >= LOG_EVERY_S or share - self._last_share >= LOG_EVERY_SHARE
        if due or self.done == self.total:
            self._last_log, self._last_share = now, share
            print(self.line(), file=self.stream, flush=True)

    def close(self) -> None:
        """End the live line."""
        if self.enabled and self.live:
            self.stream.write("\n")
            self.stream.flush()
