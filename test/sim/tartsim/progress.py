"""Tart's percent progress lines on stdout (reference section 4)."""
import os
import sys
import time


def emit_line(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


class Progress:
    """'0%' at once, then at most one update per interval when the text changes, then a final one.

    CI set: plain lines. Otherwise each update is 'ESC[1A \\r ESC[J NN%'. The interval is 1 s like
    Tart; TART_SIM_FAST_PROGRESS=1 lowers it to 0.1 s (a simulator convenience)."""

    def __init__(self):
        self.interactive = "CI" not in os.environ
        self.interval = 0.1 if os.environ.get("TART_SIM_FAST_PROGRESS") else 1.0
        self.last_text = None
        self.last_time = 0.0

    def _write(self, text: str, first: bool) -> None:
        if self.interactive and not first:
            sys.stdout.write("\x1b[1A\r\x1b[J" + text + "\n")
            sys.stdout.flush()
        else:
            emit_line(text)
        self.last_text = text
        self.last_time = time.monotonic()

    def update(self, fraction: float, final: bool = False) -> None:
        text = f"{int(100 * max(0.0, min(1.0, fraction)))}%"
        if self.last_text is None:
            self._write(text, True)
            return
        if text == self.last_text:
            return
        if final or time.monotonic() - self.last_time >= self.interval:
            self._write(text, False)

    def run(self, seconds: float, stop_at: float = 1.0) -> None:
        """Animate from 0 to stop_at over `seconds` (stop_at < 1 simulates a failure mid-way)."""
        start = time.monotonic()
        self.update(0.0)
        while True:
            elapsed = time.monotonic() - start
            frac = elapsed / seconds if seconds > 0 else 1.0
            if frac >= stop_at:
                self.update(stop_at, final=True)
                return
            self.update(frac)
            time.sleep(min(0.05, max(seconds / 100, 0.005)))
