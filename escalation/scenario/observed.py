"""Read and check a scenario's ``observed:`` section: the real outcome and the dated answers.

``observed`` describes the record, not the model: no simulation reads it and it enters no
scenario hash. Its references are checked like every other field, with one-line
``FILE:LINE: field: message`` errors (docs/scenarios.md §5.10).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from escalation.scenario import fields as f
from escalation.scenario.schema import Observed, ObservedAnswer, Scenario
from escalation.scenario.yaml_tree import Node

MAX_DELAY_DAYS = 3650
Reference = Callable[[str, str | None, Node, str], None]  # (kind, name, node, path): checked once all is read


def read_observed(node: Node, path: str, refer: Reference) -> Observed:
    """The ``observed`` mapping: ``outcome`` (required), ``answers`` and ``notes``."""
    r = f.MappingReader(node, path)
    observed = Observed(
        outcome=r.get("outcome", f.text),
        answers=r.get("answers", f.sequence(lambda n, p: _answer(n, p, refer)), ()),
        notes=r.get("notes", f.text, ""),
    )
    r.finish()
    return observed


def names_event(text: str) -> bool:
    """A single word that is a valid id names an event; anything else is a description."""
    return bool(f.IDENTIFIER.match(text))


def _answer(node: Node, path: str, refer: Reference) -> ObservedAnswer:
    r = f.MappingReader(node, path)
    answer = ObservedAnswer(
        provocation=r.get("provocation", f.text),
        by=r.get("by", f.identifier),
        answered=r.get("answered", f.boolean, True),
        answer=r.get("answer", f.optional(f.text), None),
        delay_days=r.get("delay_days", f.optional(f.integer(0, MAX_DELAY_DAYS)), None),
        date=r.get("date", f.optional(f.date), None),
        at_least=r.get("at_least", f.optional(f.identifier), None),
        notes=r.get("notes", f.text, ""),
    )
    r.finish()
    refer("actor", answer.by, r.node_of("by"), f"{path}.by")
    if answer.at_least is not None:
        refer("rung or threshold", answer.at_least, r.node_of("at_least"), f"{path}.at_least")
    for key in ("provocation", "answer"):
        text = getattr(answer, key)
        if text is not None and names_event(text):
            refer("event", text, r.node_of(key), f"{path}.{key}")
    if answer.answered and (answer.answer is None or answer.delay_days is None):
        missing = "answer" if answer.answer is None else "delay_days"
        message = f"missing {missing!r}: an answer names its act and its delay (answered: false if none)"
        raise f.fail(node, path, message)
    if not answer.answered:
        for key in ("answer", "delay_days"):
            if getattr(answer, key) is not None:
                raise f.fail(r.node_of(key), f"{path}.{key}", "answered: false takes no answer and no delay")
    return answer


def provocation_date(scenario: Scenario, answer: ObservedAnswer) -> dt.date:
    """The provocation's date: its event's, or the date written with a description."""
    if names_event(answer.provocation):
        return next(e.date for e in scenario.timeline if e.id == answer.provocation)
    if answer.date is None:  # the loader refuses this; an object built by hand may not
        raise ValueError(f"the provocation {answer.provocation!r} names no event and has no date")
    return answer.date


def answer_event(scenario: Scenario, answer: ObservedAnswer) -> str | None:
    """The id of the answering event, or ``None`` for a description or no answer."""
    return answer.answer if answer.answer is not None and names_event(answer.answer) else None


def check_observed(scenario: Scenario, node: Node) -> None:
    """Cross-field rules of ``observed`` (``node``), once every reference is known to exist."""
    observed = scenario.observed
    if observed is None:
        return
    names = [rule.name for rule in scenario.outcomes]
    if observed.outcome not in names:
        hint = f.did_you_mean(observed.outcome, names)
        message = f"{f.excerpt(observed.outcome)} is not an outcome of the scenario{hint}"
        raise f.fail(node.value["outcome"], "observed.outcome", message)
    events = {e.id: e for e in scenario.timeline}
    for index, answer in enumerate(observed.answers):
        path = f"observed.answers[{index}]"
        item = node.value["answers"].value[index]
        _check_answer(scenario, answer, item, path, events)


def _check_answer(scenario: Scenario, answer: ObservedAnswer, item: Node, path: str, events: dict) -> None:
    if not scenario.actor(answer.by).strategic:
        message = f"{answer.by!r} is a host: it never acts in simulation, so its answers cannot be checked"
        raise f.fail(item.value["by"], f"{path}.by", message)
    provoked = events.get(answer.provocation) if names_event(answer.provocation) else None
    if provoked is None and answer.date is None:
        raise f.fail(item, path, "a provocation that is not an event of the timeline needs its 'date'")
    if provoked is not None and answer.date is not None and answer.date != provoked.date:
        message = f"{answer.date} is not the date of {provoked.id} ({provoked.date}); leave 'date' out for an event"
        raise f.fail(item.value["date"], f"{path}.date", message)
    answered = events.get(answer_event(scenario, answer) or "")
    if answered is None:
        return
    if answered.actor != answer.by:
        message = f"{answered.id} is an act of {answered.actor!r}, not of {answer.by!r}"
        raise f.fail(item.value["answer"], f"{path}.answer", message)
    delay = (answered.date - provocation_date(scenario, answer)).days
    if delay != answer.delay_days:
        message = f"{answered.id} came {delay} days after the provocation, not {answer.delay_days}"
        raise f.fail(item.value["delay_days"], f"{path}.delay_days", message)
