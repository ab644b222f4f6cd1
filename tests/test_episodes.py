"""The calibration corpus: every episode loads, is scored, and its response delays match its dates."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import yaml

import escalation

ROOT = Path(__file__).resolve().parents[1]
EPISODES = sorted((ROOT / "scenarios" / "episodes").glob("*.yaml"))
TIMELINE = ROOT / "scenarios" / "history" / "us_iran_2019_2020_timeline.yaml"
SOURCES = ROOT / "scenarios" / "sources"
# events a transcription splits off a source event (documented in the file's header)
SPLITS = {"A08-US": "A08", "C2-07-IR": "C2-07"}
DELAY = re.compile(r"^# response_delay: (\S+) -> (\S+): (\S+)", re.MULTILINE)


def test_the_corpus_holds_the_nine_calibration_episodes():
    names = [escalation.load_scenario(p).name for p in EPISODES]
    assert sorted(n.split("_")[0] for n in names) == ["c1", "c2", "c3", "c4", "c5", "c6", "o1", "o2", "o3"]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("path", EPISODES, ids=[p.stem for p in EPISODES])
def test_each_episode_is_scored_with_a_finite_likelihood(path):
    scenario = escalation.load_scenario(path)
    assert scenario.record, "an episode states how complete its record is"
    result = escalation.loglik(scenario)
    assert math.isfinite(result.total)
    assert (result.table["kind"] == "event").any() and result.table["logp"].notna().any()


def test_response_delays_in_the_headers_match_the_event_dates():
    dates = {e.id: e.date for p in EPISODES for e in escalation.load_scenario(p).timeline}
    checked = 0
    for path in EPISODES:
        for provocation, answer, delay in DELAY.findall(path.read_text(encoding="utf-8")):
            assert provocation in dates, f"{path.name}: unknown provocation {provocation}"
            if answer == "none":
                assert delay == "none"
                continue
            assert (dates[answer] - dates[provocation]).days == int(delay), f"{path.name}: {provocation} -> {answer}"
            checked += 1
    assert checked >= 15


def _source_events() -> dict[str, dict]:
    episodes = yaml.safe_load((SOURCES / "calibration-episodes.yaml").read_text(encoding="utf-8"))["episodes"]
    chronology = yaml.safe_load((SOURCES / "chronology-2019-2020.yaml").read_text(encoding="utf-8"))["events"]
    return {e["id"]: e for e in [*chronology, *(e for episode in episodes for e in episode["events"])]}


@pytest.mark.parametrize("path", [TIMELINE, *EPISODES], ids=[TIMELINE.stem, *(p.stem for p in EPISODES)])
def test_every_transcribed_fact_is_the_sources(path):
    """Dates (with their approximation), casualties and ranges are copied, never invented."""
    source = _source_events()
    for event in escalation.load_scenario(path).timeline:
        origin = source[SPLITS.get(event.id, event.id)]
        written = str(origin["date"])
        assert event.date.isoformat() == written.lstrip("~"), f"{event.id}: date"
        if written.startswith("~"):
            assert event.approximate, f"{event.id}: the source's date is approximate"
        if event.id in SPLITS:
            continue  # the split-off half carries the reaction, not the source event's counts
        assert event.killed == origin.get("killed"), f"{event.id}: killed"
        assert event.wounded == origin.get("wounded"), f"{event.id}: wounded"
        for field in ("killed_range", "wounded_range"):
            expected = origin.get(field)
            got = getattr(event, field)
            assert (list(got) if got is not None else None) == expected, f"{event.id}: {field}"
