"""kire.progress: plain periodic lines off a terminal (no carriage returns), a bar on one."""

from __future__ import annotations

import io

from kire.progress import Progress, format_duration, progress_iter


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_plain_lines_off_a_terminal_have_rate_eta_and_no_carriage_return():
    out = io.StringIO()
    with Progress("extract", total=100.0, unit="MB", stream=out, interval=0.0) as bar:
        bar.update(25.0, note="chunk 1/4")
        bar.update(25.0, note="chunk 2/4")
    text = out.getvalue()
    assert "\r" not in text
    lines = text.splitlines()
    assert lines[0] == "extract: started of 100 MB"
    assert lines[1].startswith("extract: 25/100 MB (25%), ")
    assert "MB/s" in lines[1] and "ETA" in lines[1] and lines[1].endswith("[chunk 1/4]")
    assert lines[-1].startswith("extract: 50/100 MB (50%)") and lines[-1].endswith("(done)")
    assert "ETA" not in lines[-1]


def test_plain_lines_are_spaced_by_the_interval():
    out = io.StringIO()
    with Progress("coref", total=1000, unit="doc", stream=out, interval=3600.0) as bar:
        for _ in range(1000):
            bar.update()
    assert len(out.getvalue().splitlines()) == 2  # start and end only


def test_a_terminal_gets_a_tqdm_bar_with_rate():
    out = FakeTerminal()
    assert list(progress_iter(range(5), "docs", unit="doc", stream=out)) == [0, 1, 2, 3, 4]
    assert "5/5" in out.getvalue() and "doc/s" in out.getvalue()


def test_disabled_prints_nothing_and_durations_format():
    out = io.StringIO()
    with Progress("x", total=2, stream=out, enabled=False) as bar:
        bar.update(2)
    assert out.getvalue() == "" and bar.done == 2
    assert format_duration(59) == "0:59" and format_duration(3725) == "1:02:05"
    assert format_duration(float("inf")) == "?"


def test_a_total_known_later_gives_a_percentage():
    out = io.StringIO()
    with Progress("extract", unit="chunk", stream=out, interval=0.0) as bar:
        bar.update(1)
        bar.set_total(4)
        bar.update(1)
    lines = out.getvalue().splitlines()
    assert lines[1].startswith("extract: 1 chunk, ") and "ETA" not in lines[1]
    assert lines[2].startswith("extract: 2/4 chunk (50%)") and "ETA" in lines[2]


def test_the_interval_comes_from_the_environment(monkeypatch):
    from kire.progress import PLAIN_INTERVAL_S, plain_interval

    monkeypatch.setenv("KIRE_PROGRESS_SECONDS", "5")
    assert plain_interval() == 5.0 and Progress("x", stream=io.StringIO()).interval == 5.0
    for bad in ("soon", "-1"):
        monkeypatch.setenv("KIRE_PROGRESS_SECONDS", bad)
        assert plain_interval() == PLAIN_INTERVAL_S
