"""Progress of a long stage on stderr: a tqdm bar on a terminal, plain periodic lines elsewhere.

One helper for every long loop of kire (``kire kg extract``, coref, linking, pretraining), so that a
terminal shows rate and ETA while a Snakemake rule log (stderr redirected to a file) gets a readable
line every ``interval`` seconds instead of tqdm's carriage-return redraws.

Usage::

    with Progress("extract", total=n_bytes / 1e6, unit="MB") as bar:
        for chunk in chunks:
            ...
            bar.update(chunk_mb, note=f"chunk {k}/{n}")

    for doc in progress_iter(docs, "coref", total=len(docs), unit="doc"):
        ...

Units: ``total`` and ``update(n)`` count in ``unit`` (floats allowed, e.g. MB). Rates are ``unit``
per second of wall time; ETA is ``(total - done) / rate``. Without ``total`` there is no percentage
and no ETA. ``enabled=False`` prints nothing at all. No errors are raised beyond those of writing to
the stream (an ``OSError`` of a closed stderr is swallowed: progress must never end a stage).
"""

from __future__ import annotations

import os
import sys
import time
from typing import IO, Iterable, Iterator, Optional, TypeVar

T = TypeVar("T")

#: seconds between two plain lines when the stream is not a terminal (a rule log); the environment
#: variable KIRE_PROGRESS_SECONDS overrides it (e.g. 5 for a closer look at a log)
PLAIN_INTERVAL_S = 30.0


def plain_interval() -> float:
    """Seconds between plain lines: $KIRE_PROGRESS_SECONDS if set to a number >= 0, else
    :data:`PLAIN_INTERVAL_S`."""
    try:
        value = float(os.environ.get("KIRE_PROGRESS_SECONDS", ""))
    except ValueError:
        return PLAIN_INTERVAL_S
    return value if value >= 0 else PLAIN_INTERVAL_S


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def format_duration(seconds: float) -> str:
    """``seconds`` as ``H:MM:SS`` (``M:SS`` under an hour); ``?`` for a negative or unknown time."""
    if seconds is None or seconds != seconds or seconds < 0 or seconds == float("inf"):
        return "?"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _amount(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


class Progress:
    """Counts work done towards ``total`` (in ``unit``) and reports it on ``stream`` (stderr).

    On a terminal (``stream.isatty()``) a tqdm bar shows count, rate and ETA. Otherwise one plain
    line (no carriage return) is written at the start, at most every ``interval`` seconds (default:
    :func:`plain_interval`) while ``update`` is called, and at ``close``::

        extract: 120.0/480.0 MB (25%), 3.2 MB/s, elapsed 0:37, ETA 1:52 [chunk 3/12]

    ``force_plain=True`` picks the plain lines even on a terminal (tests, ``--no-tty`` like uses).
    """

    def __init__(self, desc: str, total: Optional[float] = None, unit: str = "it",
                 stream: Optional[IO[str]] = None, interval: Optional[float] = None,
                 enabled: bool = True, force_plain: bool = False):
        self.desc = desc
        self.total = total
        self.unit = unit
        self.stream = stream if stream is not None else sys.stderr
        self.interval = plain_interval() if interval is None else interval
        self.enabled = enabled
        self.done = 0.0
        self.note = ""
        self.started = time.monotonic()  # time.monotonic() at construction
        self._last_line = self.started
        self._closed = False
        self._bar = None
        if not enabled:
            return
        if _is_terminal(self.stream) and not force_plain:
            from tqdm import tqdm
            self._bar = tqdm(total=total, desc=desc, unit=unit, file=self.stream,
                             dynamic_ncols=True, leave=True)
        else:
            total_text = f" of {_amount(total)} {unit}" if total is not None else ""
            self._write(f"{desc}: started{total_text}")

    def _write(self, line: str) -> None:
        try:
            print(line, file=self.stream, flush=True)
        except (OSError, ValueError):
            pass  # a closed or broken stderr must not end the stage

    def line(self) -> str:
        """The plain progress line for the current state (see the class docstring)."""
        elapsed = time.monotonic() - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        parts = [f"{self.desc}: {_amount(self.done)}"]
        if self.total is not None:
            parts[0] += f"/{_amount(self.total)}"
        parts[0] += f" {self.unit}"
        if self.total:
            parts[0] += f" ({100.0 * self.done / self.total:.0f}%)"
        parts.append(f"{rate:.1f} {self.unit}/s")
        parts.append(f"elapsed {format_duration(elapsed)}")
        if self.total is not None and not self._closed:
            eta = (self.total - self.done) / rate if rate > 0 else float("inf")
            parts.append(f"ETA {format_duration(eta)}")
        text = ", ".join(parts)
        return f"{text} [{self.note}]" if self.note else text

    def set_total(self, total: Optional[float]) -> None:
        """Set ``total`` once it is known (e.g. the chunk count after the input was split)."""
        self.total = total
        if self._bar is not None:
            self._bar.total = total
            self._bar.refresh()

    def update(self, n: float = 1, note: Optional[str] = None) -> None:
        """Add ``n`` units of work done; ``note`` (e.g. ``"chunk 3/12"``) is shown beside it."""
        self.done += n
        if note is not None:
            self.note = note
        if not self.enabled:
            return
        if self._bar is not None:
            if note is not None:
                self._bar.set_postfix_str(note, refresh=False)
            self._bar.update(n)
            return
        now = time.monotonic()
        if now - self._last_line >= self.interval:
            self._last_line = now
            self._write(self.line())

    def close(self) -> None:
        """Finish: close the bar, or write the final plain line (count, rate, elapsed)."""
        if self._closed:
            return
        self._closed = True
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.close()
        else:
            self._write(f"{self.line()} (done)")

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def progress_iter(items: Iterable[T], desc: str, total: Optional[float] = None, unit: str = "it",
                  **options) -> Iterator[T]:
    """Yield ``items`` one by one, counting one ``unit`` each on a :class:`Progress` (``options``
    are its keyword arguments). ``total`` defaults to ``len(items)`` where ``items`` has one."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with Progress(desc, total=total, unit=unit, **options) as bar:
        for item in items:
            yield item
            bar.update(1)
