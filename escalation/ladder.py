"""The escalation ladder: ordered rungs grouped by firebreak thresholds."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rung:
    """One step of the ladder.

    ``goldstein`` (−10 … +10) and ``mid`` (Correlates of War hostility level 1 … 5) place the
    rung on the event-data scales where those discriminate; ``None`` where they do not.
    """

    id: str
    name: str
    description: str = ""
    goldstein: float | None = None
    mid: int | None = None


@dataclass(frozen=True)
class Threshold:
    """A firebreak: crossing into rung ``at`` or above breaks it."""

    id: str
    name: str
    at: str
    description: str = ""


@dataclass(frozen=True)
class Ladder:
    """Rungs in increasing order of intensity (level = position, 0 = status quo)."""

    rungs: tuple[Rung, ...]
    thresholds: tuple[Threshold, ...] = ()

    @property
    def top(self) -> int:
        """Level of the highest rung."""
        return len(self.rungs) - 1

    def level(self, name: str) -> int:
        """Level of a rung id, or the first level of a threshold id."""
        for index, rung in enumerate(self.rungs):
            if rung.id == name:
                return index
        for threshold in self.thresholds:
            if threshold.id == name:
                return self.level(threshold.at)
        raise KeyError(name)

    def names(self) -> tuple[str, ...]:
        """Every id that :meth:`level` accepts: rung ids, then threshold ids."""
        return tuple(r.id for r in self.rungs) + tuple(t.id for t in self.thresholds)

    def threshold_levels(self) -> tuple[int, ...]:
        """Levels at which the firebreaks begin, ascending."""
        return tuple(sorted(self.level(t.at) for t in self.thresholds))

    def thresholds_at_or_below(self) -> tuple[int, ...]:
        """For each level, how many firebreaks lie at or below it."""
        starts = self.threshold_levels()
        return tuple(sum(1 for s in starts if s <= level) for level in range(len(self.rungs)))
