"""The compiled day of the model: every world, every actor, every mechanism, in one pass.

The functions of :mod:`escalation.mechanisms` are compiled here with numba (nopython) and
called world by world, so a simulated day reads as the list of mechanisms it applies:

1. each strategic actor chooses (proxy control, then the utility terms of choice, fear,
   pressure, grievance on the scale of proportionality, red lines and off-ramp, then
   preparation, the logit pick and accidents);
2. each act's casualties are drawn;
3. the day's acts are resolved together (harm, perception, attribution, solidarity, red
   lines, signals and their breach, grievance settlement);
4. the end of the day decays grievances, obligations and beliefs.

Random numbers come from a tile's ``numpy.random.Generator``: each world draws
``DRAWS_PER_ACTOR`` uniforms per choosing actor on every simulated day, whatever it does with
them (drawn in bulk, day by day and world by world, before the kernel runs), so a given
number always serves the same world, day, actor and purpose. Two scenarios run with one seed
therefore use the same numbers in the same places (common random numbers), however
differently their worlds behave; non-uniform draws (casualty counts, perception noise) are
made from uniforms by inversion and Box-Muller.

Compiled code is cached on disk under a folder named by a hash of the mechanism and kernel
sources (``ESCALATION_CACHE_DIR`` or the user's cache folder), because numba's own cache does
not notice edits to functions in other files.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from typing import NamedTuple

import numba
import numpy as np
from numba.core import config

from escalation import mechanisms as m
from escalation.model.borrowed import borrowed, borrowing
from escalation.parameters import registry

_GLOBAL = {name: i for i, name in enumerate(registry().globals)}
_ACTOR = {name: i for i, name in enumerate(registry().actor)}
_ACTION = {name: i for i, name in enumerate(registry().action)}
GLOBAL_NAMES = tuple(_GLOBAL)
ACTOR_NAMES = tuple(_ACTOR)
ACTION_NAMES = tuple(_ACTION)

# column indices, compile-time constants of the kernel
SAMPLING_CUTOFF = m.choice.SAMPLING_CUTOFF
LEAD_SLACK = m.choice.LEAD_SLACK
# the uniforms of one choosing actor's day, by purpose
DRAW_PATRON, DRAW_READY, DRAW_PICK, DRAW_SLIP, DRAW_KILLED, DRAW_WOUNDED, DRAW_NOISE = 0, 1, 2, 3, 4, 5, 6
DRAWS_PER_ACTOR = 8  # DRAW_NOISE takes two
# what a replayed event adds to its act (all 0 for a simulated act), by column of an event's fields
EV_DECLARES, EV_OFFRAMP, EV_ORDER, EV_ORDER_DAYS, EV_CEASEFIRE, EV_DAMAGE, EV_VOW, EV_COMMANDERS = range(8)
EVENT_FIELDS = 8  # EV_VOW holds the vowed level + 1 (0: no vow)
INERTIA = _GLOBAL["inertia"]
TELEGRAPH_FACTOR = _GLOBAL["telegraph_factor"]
WOUND_WEIGHT = _GLOBAL["wound_weight"]
ACCIDENT_PROBABILITY = _GLOBAL["accident_probability"]
PERCEPTION_NOISE = _GLOBAL["perception_noise"]
PROPORTIONALITY = _GLOBAL["proportionality"]
RATIONALITY = _ACTOR["rationality"]
RECIPROCITY = _ACTOR["reciprocity"]
FEAR = _ACTOR["fear"]
THRESHOLD_COST = _ACTOR["threshold_cost"]
CASUALTY_SENSITIVITY = _ACTOR["casualty_sensitivity"]
CREDIBILITY = _ACTOR["credibility"]
DOMESTIC_PRESSURE = _ACTOR["domestic_pressure"]
CONTROL = _ACTOR["control"]
DENIABILITY = _ACTOR["deniability"]
SOLIDARITY = _ACTOR["solidarity"]
DECAPITATION = _ACTOR["decapitation"]
RESTRAINT_VALUE = _ACTOR["restraint_value"]
CAMPAIGN_VALUE = _ACTOR["campaign_value"]
OFFRAMP_FRAGILITY = _ACTOR["offramp_fragility"]
ALLY_SOLIDARITY = _ACTOR["ally_solidarity"]
OBEDIENCE = _ACTOR["obedience"]
CEASEFIRE_VALUE = _ACTOR["ceasefire_value"]
PERSISTENCE = _ACTOR["persistence"]
HARM_BASE = _ACTION["harm_base"]
ADDS_HOST_PRESSURE = _ACTION["adds_host_pressure"]
TARGET_VALUE = _ACTION["target_value"]


class Structure(NamedTuple):
    """What does not vary between worlds: the ladder, the actions, the actors' roles and menus."""

    action_rung: np.ndarray  # (n_actions,) int64
    lethal_rung: np.ndarray  # (n_actions,) int64, -1 where none
    action_target: np.ndarray  # (n_actions,) int64, -1 where none
    co_victims: np.ndarray  # (n_actions, n_actors) bool
    has_victims: np.ndarray  # (n_actions,) bool: a target or co-victims
    on_host_soil: np.ndarray  # (n_actions,) bool
    offramp: np.ndarray  # (n_actions,) bool
    ceasefire: np.ndarray  # (n_actions,) bool: the act declares a ceasefire
    declares: np.ndarray  # (n_actions,) bool
    orders: np.ndarray  # (n_actions,) int64: the order an act gives its target (orders.STAND_DOWN, RESUME; 0 none)
    order_days: np.ndarray  # (n_actions,) float64: days a stand-down order holds
    menus: np.ndarray  # (n_actors, max menu) int64, sorted by rung, -1 padded
    menu_size: np.ndarray  # (n_actors,) int64
    menu_below_force: np.ndarray  # (n_actors,) int64: acts of the menu below force_from (they come first)
    slip_to: np.ndarray  # (n_actors, max menu) int64: menu index an accident moves each act to, -1 where none
    lowest_rung: np.ndarray  # (n_actors,) int64
    adversary: np.ndarray  # (n_actors, n_actors) bool
    adversaries: np.ndarray  # (n_actors, n_actors) int64, -1 padded
    n_adversaries: np.ndarray  # (n_actors,) int64
    allies: np.ndarray  # (n_actors, n_actors) bool, symmetric
    n_allies: np.ndarray  # (n_actors,) int64
    patron: np.ndarray  # (n_actors,) int64, -1 where none
    is_state: np.ndarray  # (n_actors,) bool
    strategic: np.ndarray  # (n_strategic,) int64: actor indices that choose, in order
    has_red_line: np.ndarray  # (n_actors,) bool
    red_line_killed: np.ndarray  # (n_actors,) int64
    respond_level: np.ndarray  # (n_actors,) int64, -1 where none
    vows: np.ndarray  # (n_actions,) int64: the level an act vows to answer at, -1 where none
    kills_commanders: np.ndarray  # (n_actions,) bool: the act kills the commanders of the proxies it harms
    crossings_at: np.ndarray  # (n_rungs,) int64
    force_level: int
    accident_level: int


class Worlds(NamedTuple):
    """Per-world parameters and what follows from them (leading axis: world)."""

    globals: np.ndarray  # (W, n_global)
    actor: np.ndarray  # (W, n_actors, n_actor_params)
    action: np.ndarray  # (W, n_actions, n_action_params)
    decay: np.ndarray  # (W, n_actors) daily grievance factor
    signal_decay: np.ndarray  # (W,) daily off-ramp belief factor
    ready: np.ndarray  # (W, n_actors) daily probability of being ready for force
    restraint: np.ndarray  # (W, n_actors) allies' pressure against each actor's acts of force (utility)
    fear_curve: np.ndarray  # (W, n_rungs)
    nominal: np.ndarray  # (W, n_actions, n_actors) harm each act stands for, to each actor
    killed_mean: np.ndarray  # (W, n_actions) as realised (telegraph factor applied)
    wounded_mean: np.ndarray  # (W, n_actions)
    dispersion: np.ndarray  # (W, n_actions)
    standing: (
        np.ndarray
    )  # (W, n_actors, 2, max menu) utility terms fixed for the run, judged by the actor (0) or its patron (1)
    answers: np.ndarray  # (W, n_actors, 2, max menu, max adversaries) harm each act answers, as the judge scales it
    lead: np.ndarray  # (W, n_actors, 2, max menu, 1 + max adversaries) bound on each act's lead over act 0


class State(NamedTuple):
    """The actors' state in every world (leading axis: world)."""

    grievance: np.ndarray  # (W, n_actors, n_actors): of row actor toward column actor
    pending: np.ndarray  # (W, n_actors) red-line obligation, 0..1
    active: np.ndarray  # (W, n_actors) bool: red line declared
    belief: np.ndarray  # (W, n_actors) off-ramp belief, 0..1
    host: np.ndarray  # (W, n_actors) host-nation pressure
    order: np.ndarray  # (W, n_actors) days a stand-down order on the actor has left to run
    ceasefire: np.ndarray  # (W,) bool: a ceasefire holds
    last: np.ndarray  # (W, n_actors) int64: the actor's latest act (action index, -1 none)
    since: np.ndarray  # (W, n_actors) days since that act (0 on its day)
    respond: np.ndarray  # (W, n_actors) int64: the level the pending obligation asks for (red line or vow), -1 none
    lost: np.ndarray  # (W, n_actors) share of its patron's control a proxy has lost to killings of its commanders
    peak: np.ndarray  # (W,) highest realised rung of the crisis so far
    crossings: np.ndarray  # (W,) firebreaks crossed during the simulated period
    killed: np.ndarray  # (W, n_actors) deaths suffered in simulation (as targets)


class Log(NamedTuple):
    """Per-day records (``rungs`` always; the rest only with ``detail``, else of size 0)."""

    rungs: np.ndarray  # (n_actors, horizon, W) int8
    action: np.ndarray  # (n_actors, horizon, W) int64
    target: np.ndarray
    killed: np.ndarray
    wounded: np.ndarray
    accident: np.ndarray  # bool
    grievance: np.ndarray  # (n_actors, horizon, W) float64: largest grievance


class Scratch(NamedTuple):
    """Working memory of one day of one world, reused across worlds and days."""

    utility: np.ndarray  # (max menu,) utilities of a menu
    probability: np.ndarray  # (max menu,) its choice probabilities
    actions: np.ndarray  # (n_strategic,) int64: the day's acts
    targets: np.ndarray  # (n_strategic,) int64
    killed: np.ndarray  # (n_strategic,) int64
    wounded: np.ndarray  # (n_strategic,) int64
    accident: np.ndarray  # (n_strategic,) bool
    increase: np.ndarray  # (n_actors, n_actors) grievance raised by the day's acts
    discharge: np.ndarray  # (n_actors, n_actors) grievance discharged by them
    flags: np.ndarray  # (4, n_actors) bool: red line crossed, adversary state force seen, off-ramp seen, killed
    vowed: np.ndarray  # (n_actors,) int64: the level each actor vowed an answer at today, -1 none
    answered: np.ndarray  # (n_actors, n_actors) by judge: its grievances toward its adversaries, scaled
    answered_today: np.ndarray  # (n_actors,) bool: the judge's row of ``answered`` holds this world's day
    event: np.ndarray  # (EVENT_FIELDS,) zeros: what a simulated act adds as an event


def scratch(s: Structure) -> Scratch:
    """Working memory for the day functions of a model of this structure."""
    n, acts, width = s.patron.size, max(s.strategic.size, 1), max(int(s.menu_size.max()), 1)
    return Scratch(
        np.empty(width),
        np.empty(width),
        np.empty(acts, np.int64),
        np.empty(acts, np.int64),
        np.empty(acts, np.int64),
        np.empty(acts, np.int64),
        np.empty(acts, np.bool_),
        np.empty((n, n)),
        np.empty((n, n)),
        np.empty((4, n), np.bool_),
        np.empty(n, np.int64),
        np.empty((n, n)),
        np.zeros(n, np.bool_),
        np.zeros(EVENT_FIELDS),
    )


def draws_per_day(s: Structure) -> int:
    """Uniforms each world draws per simulated day: ``DRAWS_PER_ACTOR`` per choosing actor (at least one actor's)."""
    return max(s.strategic.size, 1) * DRAWS_PER_ACTOR


def _source_digest() -> str:
    """Hash of the sources the compiled code depends on, and of the numba and Python versions."""
    digest = hashlib.sha256(f"{numba.__version__}{sys.version}".encode())
    package = Path(m.__file__).parent
    for path in [
        *sorted(package.glob("*.py")),
        *sorted(Path(__file__).parent.glob("*.py")),
        package.parent / "parameters.py",
    ]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    """Folder of the compiled kernel: ``$ESCALATION_CACHE_DIR``, else the user's cache folder."""
    root = os.environ.get("ESCALATION_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "escalation"
    )
    return Path(root) / f"numba-{_source_digest()}"


_previous_cache_dir = config.CACHE_DIR
config.CACHE_DIR = str(cache_dir())


def _jit(function):
    return numba.njit(cache=True, nogil=True, error_model="numpy")(function)


def _inline(function):
    """Compiled into its caller: passing the state tuples to a call would copy and count them."""
    return numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")(function)


# the mechanisms, compiled
inertia_term = _inline(m.choice.inertia_term)
probabilities = _inline(m.choice.probabilities)
pick = _inline(m.choice.pick)
largest_lead = _inline(m.choice.largest_lead)
surely_first = _inline(m.choice.surely_first)
squared_gap = _inline(m.grievance.squared_gap)
scaled = _inline(m.proportionality.scaled)
reciprocity_term = _inline(m.grievance.reciprocity_term)
lead_of_reciprocity = _inline(m.grievance.lead_of_reciprocity)
settle = _inline(m.grievance.settle)
fear_term = _inline(m.fear.fear_term)
firebreak_term = _inline(m.fear.firebreak_term)
firebreak_ceiling = _inline(m.fear.firebreak_ceiling)
harm = _inline(m.casualties.harm)
damaged = _inline(m.casualties.damaged)
realised_rung = _inline(m.casualties.realised_rung)
draw_casualties = _inline(m.casualties.draw)
credibility_term = _inline(m.red_lines.credibility_term)
credibility_ceiling = _inline(m.red_lines.credibility_ceiling)
crosses_red_line = _inline(m.red_lines.crossed)
answers_red_line = _inline(m.red_lines.answered)
domestic_term = _inline(m.pressure.domestic_term)
campaign_term = _inline(m.campaign.campaign_term)
host_term = _inline(m.pressure.host_term)
host_ceiling = _inline(m.pressure.host_ceiling)
order_term = _inline(m.orders.order_term)
order_ceiling = _inline(m.orders.order_ceiling)
ordered = _inline(m.orders.ordered)
run_down = _inline(m.orders.run_down)
ceasefire_term = _inline(m.ceasefire.ceasefire_term)
ceasefire_ceiling = _inline(m.ceasefire.ceasefire_ceiling)
ceasefire_after = _inline(m.ceasefire.after_day)
persistence_term = _inline(m.persistence.persistence_term)
persistence_ceiling = _inline(m.persistence.persistence_ceiling)
pressed_by = _inline(m.pressure.pressed_by)
alliance_term = _inline(m.alliances.restraint_term)
felt_by_ally = _inline(m.alliances.felt)
follows_patron = _inline(m.proxies.follows_patron)
attributed_share = _inline(m.proxies.attributed_share)
decapitated = _inline(m.proxies.decapitated)
held_control = _inline(m.proxies.held_control)
restraint_term = _inline(m.offramp.restraint_term)
restraint_ceiling = _inline(m.offramp.restraint_ceiling)
update_belief = _inline(m.offramp.update_belief)
breached = _inline(m.offramp_breach.breached)
is_ready = _inline(m.preparation.is_ready)
restrict = _inline(m.preparation.restrict)
mix_readiness = _inline(m.preparation.mix)
slip_probability = _inline(m.accidents.slip_probability)
perception_factor = _inline(m.accidents.perception_factor)
standard_normal = _inline(m.accidents.standard_normal)


borrow_structure = borrowing(Structure)
borrow_worlds = borrowing(Worlds)
borrow_state = borrowing(State)
borrow_log = borrowing(Log)
borrow_scratch = borrowing(Scratch)


@_jit
def fixed_terms(s, p):
    """What the simulation does not change, per world, actor, judge and menu entry: ``(standing, answers)``.

    ``standing[world, actor, judge, menu index]``: the utility terms inertia, fear, domestic
    pressure, campaign and allies' restraint, summed in the order :func:`utility` adds the rest, so the total is
    the same to the last bit. ``answers[world, actor, judge, menu index, adversary of the
    judge]``: the harm each act answers on the scale of proportionality, so the day scales only
    the grievances; empty when every world compares on the absolute scale (``proportionality``
    1), which reads the nominal harm. Judge 0 is the actor itself, 1 its patron, who discounts
    what the proxy's deniability hides and is credited with ``1 - deniability`` of its act.
    ``lead[world, actor, judge, menu index]``: ``(base, slope toward each adversary of the
    judge)`` of a bound on how far the act's standing and reciprocity terms can lead act 0's
    when the judge's grievances are at most ``g``: ``base + sum(slope * g)``, rounding included
    (see :func:`hold_is_certain`).
    """
    s = borrow_structure(s)
    p = borrow_worlds(p)
    n_worlds, n = p.globals.shape[0], s.patron.size
    standing = np.zeros((n_worlds, n, 2, s.menus.shape[1]))
    relative = (p.globals[:, PROPORTIONALITY] < 1.0).any()
    shape = (n_worlds, n, 2, s.menus.shape[1], max(s.n_adversaries.max(), 1)) if relative else (0, 0, 0, 0, 0)
    answers = np.zeros(shape)
    lead = np.zeros((n_worlds, n, 2, s.menus.shape[1], 1 + max(s.n_adversaries.max(), 1)))
    for w in range(n_worlds):
        inertia = p.globals[w, INERTIA]
        lam = p.globals[w, PROPORTIONALITY]
        for actor in range(n):
            for slot in range(2):
                judge = actor if slot == 0 else s.patron[actor]
                if judge < 0:
                    continue
                deniability = 0.0 if slot == 0 else p.actor[w, actor, DENIABILITY]
                share = 1.0 if slot == 0 else attributed_share(deniability)
                fear = p.actor[w, judge, FEAR]
                domestic = p.actor[w, judge, DOMESTIC_PRESSURE]
                pressed = p.restraint[w, judge]
                standing_campaign = p.actor[w, actor, CAMPAIGN_VALUE]
                least_force = s.menu_below_force[actor] if s.menu_below_force[actor] < s.menu_size[actor] else -1
                for k in range(s.menu_size[actor]):
                    act = s.menus[actor, k]
                    rung = s.action_rung[act]
                    u = inertia_term(inertia, rung, s.lowest_rung[actor])
                    u += fear_term(fear, p.fear_curve[w, rung], deniability)
                    u += domestic_term(domestic, rung, s.force_level, deniability)
                    u += campaign_term(standing_campaign, k, least_force)
                    u += alliance_term(pressed, rung, s.force_level, deniability)
                    standing[w, actor, slot, k] = u
                    if relative:
                        for m_ in range(s.n_adversaries[judge]):
                            harm = share * p.nominal[w, act, s.adversaries[judge, m_]]
                            answers[w, actor, slot, k, m_] = scaled(harm, lam)
                reciprocity = p.actor[w, judge, RECIPROCITY]
                hold = s.menus[actor, 0]
                for k in range(1, s.menu_size[actor]):
                    base = standing[w, actor, slot, k] - standing[w, actor, slot, 0]
                    magnitude = abs(standing[w, actor, slot, k]) + abs(standing[w, actor, slot, 0])
                    for m_ in range(s.n_adversaries[judge]):
                        if lam >= 1.0:
                            a0 = share * p.nominal[w, hold, s.adversaries[judge, m_]]
                            ak = share * p.nominal[w, s.menus[actor, k], s.adversaries[judge, m_]]
                        else:
                            a0, ak = answers[w, actor, slot, 0, m_], answers[w, actor, slot, k, m_]
                        base_gap, slope = lead_of_reciprocity(reciprocity, a0, ak)
                        base += base_gap
                        magnitude += reciprocity * (a0 * a0 + ak * ak)
                        lead[w, actor, slot, k, 1 + m_] = slope + LEAD_SLACK * (1.0 + slope)
                    lead[w, actor, slot, k, 0] = base + LEAD_SLACK * (1.0 + magnitude)
    return standing, answers, lead


@_inline
def scale_grievances(s, p, st, w, judge, out):
    """Into ``out[m]``: ``judge``'s grievance toward adversary ``m`` in world ``w``, on the proportionality scale."""
    lam = p.globals[w, PROPORTIONALITY]
    for m_ in range(s.n_adversaries[judge]):
        out[m_] = scaled(st.grievance[w, judge, s.adversaries[judge, m_]], lam)


class Situation(NamedTuple):
    """What the terms that change during a run read for one actor's menu, as one judge sees it, in one world."""

    deniability: float
    crossed_already: int
    threshold: float
    credibility: float
    pending: float
    respond: int
    host: float
    restraint: float
    belief: float
    obedience: float
    order_left: float
    truce_value: float
    truce: bool
    persistence: float
    last: int
    since: float
    force: int


@_inline
def situation_of(s, p, st, w, actor, judge, deniability):
    """The :class:`Situation` of ``actor``'s menu in world ``w`` as ``judge`` sees it."""
    return Situation(
        deniability,
        s.crossings_at[st.peak[w]],
        p.actor[w, judge, THRESHOLD_COST],
        p.actor[w, judge, CREDIBILITY],
        st.pending[w, judge],
        st.respond[w, judge],
        st.host[w, judge],
        p.actor[w, judge, RESTRAINT_VALUE],
        st.belief[w, judge],
        p.actor[w, actor, OBEDIENCE],
        st.order[w, actor],
        p.actor[w, judge, CEASEFIRE_VALUE],
        st.ceasefire[w],
        p.actor[w, actor, PERSISTENCE],
        st.last[w, actor],
        st.since[w, actor],
        s.force_level,
    )


@_inline
def add_changing_terms(u, t, act, rung, crossings, on_host_soil):
    """``u`` plus the utility terms of an act that change during a run, in the order :func:`utility` adds them.

    ``t``: the :class:`Situation`; ``crossings``: the firebreaks at the act's rung.
    """
    u += firebreak_term(t.threshold, t.deniability, crossings, t.crossed_already)
    u += credibility_term(t.credibility, t.pending, rung, t.respond)
    u += host_term(t.host, on_host_soil, rung, t.force)
    u += restraint_term(t.restraint, t.belief, rung, t.force)
    u += order_term(t.obedience, t.order_left, rung, t.force)
    u += ceasefire_term(t.truce_value, t.truce, rung, t.force, t.deniability)
    u += persistence_term(t.persistence, act, t.last, t.since, rung, t.force)
    return u


@_inline
def changing_ceiling(t, most_crossings):
    """The most the terms of :func:`add_changing_terms` can add for any act: the sum of their mechanisms' ceilings."""
    most = firebreak_ceiling(t.threshold, t.deniability, most_crossings)
    most += credibility_ceiling(t.credibility, t.pending, t.respond)
    most += host_ceiling(t.host)
    most += restraint_ceiling(t.restraint, t.belief)
    most += order_ceiling(t.obedience, t.order_left)
    most += ceasefire_ceiling(t.truce_value, t.truce, t.deniability)
    most += persistence_ceiling(t.persistence, t.last, t.since)
    return most


@_inline
def utility(s, p, st, w, actor, judge, deniability, answered, out):
    """Utility of each act of ``actor``'s menu in world ``w`` as ``judge`` sees it, into ``out``.

    ``answered`` holds the judge's grievances on the scale of proportionality (:func:`scale_grievances`).
    """
    slot = 0 if judge == actor else 1
    standing = p.standing[w, actor, slot]
    lam = p.globals[w, PROPORTIONALITY]
    share = 1.0 - deniability
    reciprocity = p.actor[w, judge, RECIPROCITY]
    situation = situation_of(s, p, st, w, actor, judge, deniability)
    for k in range(s.menu_size[actor]):
        act = s.menus[actor, k]
        rung = s.action_rung[act]
        u = standing[k]
        gaps = 0.0
        if lam >= 1.0:  # absolute scale: the nominal harm itself
            for m_ in range(s.n_adversaries[judge]):
                gaps += squared_gap(share, p.nominal[w, act, s.adversaries[judge, m_]], answered[m_])
        else:
            for m_ in range(s.n_adversaries[judge]):
                gaps += squared_gap(1.0, p.answers[w, actor, slot, k, m_], answered[m_])
        u += reciprocity_term(reciprocity, gaps)
        out[k] = add_changing_terms(u, situation, act, rung, s.crossings_at[rung], s.on_host_soil[act])


@_inline
def judged(s, p, st, w, actor, judge, values, answered, prob, cutoff):
    """Choice probabilities of ``actor``'s menu in world ``w`` as ``judge`` (itself or its patron) sees it.

    ``cutoff``: see :func:`escalation.mechanisms.choice.probabilities` (``SAMPLING_CUTOFF`` when
    sampling, ``-inf`` for probabilities that are reported or scored). ``answered`` is scratch
    for the judge's scaled grievances.
    """
    scale_grievances(s, p, st, w, judge, answered)
    scored(s, p, st, w, actor, judge, values, answered)
    probabilities(values, p.actor[w, judge, RATIONALITY], s.menu_size[actor], prob, cutoff)


@_inline
def scored(s, p, st, w, actor, judge, values, answered):
    """Utilities of ``actor``'s menu in world ``w`` as ``judge`` (itself or its patron) sees them, into ``values``.

    ``answered``: the judge's grievances on the scale of proportionality (:func:`scale_grievances`).
    """
    deniability = 0.0 if judge == actor else p.actor[w, actor, DENIABILITY]
    utility(s, p, st, w, actor, judge, deniability, answered, values)


@_jit
def choice_probabilities(s, p, st, actor, judge):
    """``(n_worlds, menu size)`` logit probabilities of ``actor``'s acts as ``judge`` judges them, in every world.

    The judgement of a day on which the actor is ready for force (see :func:`act_probabilities`
    for the probability of the act itself).
    """
    s = borrow_structure(s)
    p = borrow_worlds(p)
    st = borrow_state(st)
    size = s.menu_size[actor]
    out = np.empty((st.peak.size, size))
    values = np.empty(size)
    answered = np.empty(s.patron.size)
    for w in range(st.peak.size):
        judged(s, p, st, w, actor, judge, values, answered, out[w], -np.inf)
    return out


@_inline
def act_mixture(s, p, st, scratch, w, actor, out):
    """Into ``out[:menu size]``: the probability of each act of ``actor``'s menu in world ``w``.

    The mixture :func:`choose` samples from: its own judgement, or with probability
    ``control`` its patron's, then the logit choice (over the acts below force on a day the
    actor is not ready), then an accidental slip up the menu against the same target.
    """
    size = s.menu_size[actor]
    patron = s.patron[actor]
    control = held_control(p.actor[w, actor, CONTROL], st.lost[w, actor]) if patron >= 0 else 0.0
    ready = p.ready[w, actor]
    below = s.menu_below_force[actor]
    judged(s, p, st, w, actor, actor, scratch.utility, scratch.answered[0], scratch.probability, -np.inf)
    mix_readiness(scratch.probability, size, below, ready)
    for k in range(size):
        out[k] = (1.0 - control) * scratch.probability[k]
    if patron >= 0:
        judged(s, p, st, w, actor, patron, scratch.utility, scratch.answered[0], scratch.probability, -np.inf)
        mix_readiness(scratch.probability, size, below, ready)
        for k in range(size):
            out[k] += control * scratch.probability[k]
    accident = p.globals[w, ACCIDENT_PROBABILITY]
    for k in range(size - 2, -1, -1):  # from the top, so each act slips only from its own choice
        rung = s.action_rung[s.menus[actor, k]]
        destination = s.slip_to[actor, k]
        moved = out[k] * slip_probability(accident, rung, s.accident_level, destination)
        out[k] -= moved
        if destination >= 0:
            out[destination] += moved


@_jit
def act_probabilities(s, p, st, scratch, actor):
    """``(n_worlds, menu size)`` probability that each act of the menu is ``actor``'s act of the day."""
    s = borrow_structure(s)
    p = borrow_worlds(p)
    st = borrow_state(st)
    scratch = borrow_scratch(scratch)
    out = np.zeros((st.peak.size, s.menu_size[actor]))
    for w in range(st.peak.size):
        act_mixture(s, p, st, scratch, w, actor, out[w])
    return out


@_inline
def hold_is_certain(s, p, st, w, actor, judge, uniform):
    """Whether the logit draw at ``uniform`` surely picks act 0 of ``actor``'s menu, decided without scoring it.

    Act 0 has probability at least ``1 / (1 + (size - 1) * exp(rationality * lead))`` where
    ``lead`` bounds every other act's utility less act 0's: the standing and reciprocity terms
    through :func:`fixed_terms`' ``lead`` at the judge's grievances toward its adversaries (a
    grievance on the proportionality scale is never larger), every other term through its
    mechanism's ceiling (its largest value for any act) less act 0's own value. A ``uniform``
    below the bound falls in act 0's share (:func:`escalation.mechanisms.choice.surely_first`);
    ``False`` means "not decided here" and the caller scores the menu. The draws are those of
    the scored path.
    """
    size = s.menu_size[actor]
    if size == 1:
        return True
    slot = 0 if judge == actor else 1
    deniability = 0.0 if judge == actor else p.actor[w, actor, DENIABILITY]
    n_adversaries = s.n_adversaries[judge]
    grievances = st.grievance[w, judge]
    lead = p.lead[w, actor, slot]
    best = -np.inf
    for k in range(1, size):
        b = lead[k, 0]
        for m_ in range(n_adversaries):
            b += lead[k, 1 + m_] * grievances[s.adversaries[judge, m_]]
        best = max(best, b)
    squares = 0.0
    for m_ in range(n_adversaries):
        squares += grievances[s.adversaries[judge, m_]] ** 2
    best += LEAD_SLACK * p.actor[w, judge, RECIPROCITY] * squares
    hold = s.menus[actor, 0]
    situation = situation_of(s, p, st, w, actor, judge, deniability)
    most = changing_ceiling(situation, s.crossings_at[s.crossings_at.size - 1])
    rung = s.action_rung[hold]
    own = add_changing_terms(0.0, situation, hold, rung, s.crossings_at[rung], s.on_host_soil[hold])
    lead_most = best + most - own + LEAD_SLACK * (abs(most) + abs(own))
    return surely_first(lead_most, p.actor[w, judge, RATIONALITY], size, uniform)


@_inline
def scored_pick(s, p, st, w, actor, judge, ready, uniform, scratch):
    """The menu index of the logit draw at ``uniform``, from the scored menu of ``actor`` as ``judge`` sees it."""
    size = s.menu_size[actor]
    values, prob, rationality = scratch.utility, scratch.probability, p.actor[w, judge, RATIONALITY]
    answered = scratch.answered[judge]
    if not scratch.answered_today[judge]:  # a patron's grievances are scaled once a day, for it and its proxies
        scale_grievances(s, p, st, w, judge, answered)
        scratch.answered_today[judge] = True
    scored(s, p, st, w, actor, judge, values, answered)
    if surely_first(largest_lead(values, size), rationality, size, uniform):
        k = 0  # the exact path below would pick it too, at the cost of every act's exponential
    else:
        probabilities(values, rationality, size, prob, SAMPLING_CUTOFF)
        if not ready:
            restrict(prob, size, s.menu_below_force[actor])
        k = pick(prob, size, uniform)
    return k


@_inline
def choose(s, p, st, w, actor, u, scratch):
    """One actor's act in world ``w``: ``(menu index, action, accident)``.

    ``u`` holds the actor's uniforms of the day (``DRAW_*``): whether a militia follows its
    patron today, whether the actor is ready for force, the logit pick, the accident.
    """
    judge = actor
    if s.patron[actor] >= 0 and follows_patron(
        u[DRAW_PATRON], held_control(p.actor[w, actor, CONTROL], st.lost[w, actor])
    ):
        judge = s.patron[actor]
    ready = is_ready(u[DRAW_READY], p.ready[w, actor])
    if hold_is_certain(s, p, st, w, actor, judge, u[DRAW_PICK]):
        k = 0  # the scored path would pick it too, at the cost of scoring the menu
    else:
        k = scored_pick(s, p, st, w, actor, judge, ready, u[DRAW_PICK], scratch)
    rung = s.action_rung[s.menus[actor, k]]
    destination = s.slip_to[actor, k]
    accident = u[DRAW_SLIP] < slip_probability(p.globals[w, ACCIDENT_PROBABILITY], rung, s.accident_level, destination)
    if accident:
        k = destination
    return k, s.menus[actor, k], accident


@_inline
def resolve(
    s,
    p,
    st,
    w,
    n_acts,
    actors,
    actions,
    targets,
    killed,
    wounded,
    seen_killed,
    seen_wounded,
    uniforms,
    event,
    count_deaths,
    scratch,
):
    """Apply one day's acts in world ``w`` together: harm, attribution, red lines, signals, grievance.

    ``uniforms`` are the world's uniforms of the day (``DRAWS_PER_ACTOR`` per act): act ``q``'s
    perception noise comes from its actor's; empty for acts seen without noise (replayed events).
    ``event`` (``EVENT_FIELDS``) is what a replayed event adds to its act (zeros for simulated acts).
    """
    n = s.patron.size
    increase = scratch.increase
    discharge = scratch.discharge
    flags = scratch.flags
    for a in range(n):
        for b in range(n):
            increase[a, b] = 0.0
            discharge[a, b] = 0.0
        flags[0, a] = False
        flags[1, a] = False
        flags[2, a] = False
        flags[3, a] = False
        scratch.vowed[a] = -1
    noise_sd = p.globals[w, PERCEPTION_NOISE]
    wound_weight = p.globals[w, WOUND_WEIGHT]
    truce_declared = False
    fought = False
    for q in range(n_acts):
        i = actors[q]
        k = actions[q]
        rung = realised_rung(s.action_rung[k], s.lethal_rung[k], killed[q])
        target = targets[q]
        patron = s.patron[i]
        proxy_share = attributed_share(p.actor[w, i, DENIABILITY])
        if target >= 0 or s.has_victims[k]:
            noise = 1.0
            if uniforms.size > 0 and noise_sd > 0.0:
                u = uniforms[q * DRAWS_PER_ACTOR + DRAW_NOISE :]
                noise = perception_factor(standard_normal(u[0], u[1]), noise_sd)
            for j in range(n):
                if j == i or not (target == j or s.co_victims[k, j]):
                    continue
                suffered = noise * harm(
                    p.action[w, k, HARM_BASE],
                    p.actor[w, j, CASUALTY_SENSITIVITY],
                    p.action[w, k, TARGET_VALUE],
                    seen_killed[q],
                    seen_wounded[q],
                    wound_weight,
                )
                if target == j:
                    suffered = damaged(suffered, event[EV_DAMAGE])
                nominal = p.nominal[w, k, j]
                increase[j, i] += suffered
                discharge[i, j] += nominal
                if patron >= 0:
                    increase[j, patron] += proxy_share * suffered
                    discharge[patron, j] += proxy_share * nominal
                if s.patron[j] >= 0:
                    increase[s.patron[j], i] += p.actor[w, j, SOLIDARITY] * suffered
                    if s.kills_commanders[k] or event[EV_COMMANDERS] != 0.0:
                        st.lost[w, j] = decapitated(st.lost[w, j], p.actor[w, j, DECAPITATION])
                if s.n_allies[j] > 0:
                    for a in range(n):
                        if s.allies[j, a] and a != i:
                            increase[a, i] += felt_by_ally(p.actor[w, a, ALLY_SOLIDARITY], suffered)
                if s.adversary[j, i] and s.has_red_line[j] and crosses_red_line(seen_killed[q], s.red_line_killed[j]):
                    flags[0, j] = True
                if s.adversary[j, i] and seen_killed[q] > 0:
                    flags[3, j] = True
                if count_deaths and target == j:
                    st.killed[w, j] += killed[q]
        if target >= 0:
            st.host[w, target] = pressed_by(st.host[w, target], p.action[w, k, ADDS_HOST_PRESSURE])
        if answers_red_line(rung, st.respond[w, i]):
            st.pending[w, i] = 0.0
        vow = s.vows[k] if event[EV_VOW] == 0.0 else int(event[EV_VOW]) - 1
        if vow >= 0:
            scratch.vowed[i] = vow
        if s.has_red_line[i] and (s.declares[k] or event[EV_DECLARES] != 0.0):
            st.active[w, i] = True
        force = rung >= s.force_level and s.is_state[i]
        signal = s.offramp[k] or event[EV_OFFRAMP] != 0.0
        truce_declared |= s.ceasefire[k] or event[EV_CEASEFIRE] != 0.0
        fought |= rung >= s.force_level
        st.last[w, i] = k
        st.since[w, i] = 0.0
        if target >= 0:
            if event[EV_ORDER] != 0.0:
                st.order[w, target] = ordered(int(event[EV_ORDER]), event[EV_ORDER_DAYS], st.order[w, target])
            else:
                st.order[w, target] = ordered(s.orders[k], s.order_days[k], st.order[w, target])
        for m_ in range(s.n_adversaries[i]):
            j = s.adversaries[i, m_]
            flags[1, j] |= force
            flags[2, j] |= signal
        if rung > st.peak[w]:
            st.peak[w] = rung
    st.ceasefire[w] = ceasefire_after(st.ceasefire[w], truce_declared, fought)
    for j in range(n):
        if flags[0, j] and st.active[w, j]:
            st.pending[w, j] = 1.0
            st.respond[w, j] = s.respond_level[j]
        if scratch.vowed[j] >= 0:
            st.pending[w, j] = 1.0
            st.respond[w, j] = scratch.vowed[j]
        belief = update_belief(st.belief[w, j], flags[1, j], flags[2, j])
        st.belief[w, j] = breached(belief, p.actor[w, j, OFFRAMP_FRAGILITY], flags[3, j])
        for b in range(n):
            st.grievance[w, j, b] = settle(st.grievance[w, j, b], increase[j, b], discharge[j, b])


@_inline
def pass_days(p, st, w, days):
    """Let ``days`` quiet days pass in world ``w``: grievances and obligations decay, beliefs fade."""
    signal = p.signal_decay[w] ** days
    for a in range(st.pending.shape[1]):
        factor = p.decay[w, a] ** days
        for b in range(st.pending.shape[1]):
            st.grievance[w, a, b] *= factor
        st.pending[w, a] *= factor
        st.lost[w, a] *= factor
        st.belief[w, a] *= signal
        st.order[w, a] = run_down(st.order[w, a], days)
        st.since[w, a] += days


@_jit
def end_of_days(p, st, days):
    """Let ``days`` quiet days pass in every world."""
    p = borrow_worlds(p)
    st = borrow_state(st)
    for w in range(st.peak.size):
        pass_days(p, st, w, days)


@_jit
def simulate_days(s, p, st, log, scratch, first, last, detail, uniforms):
    """Simulate days ``first`` to ``last - 1`` (0-based) in every world, day by day.

    ``uniforms[day - first, world]`` holds the world's uniforms of the day (see
    :func:`draws_per_day`), drawn day by day and world by world, so simulating the days in one
    call or one call per day gives the same numbers. Each day every world chooses, draws
    casualties, resolves and lets the day pass.
    """
    s = borrow_structure(s)
    p = borrow_worlds(p)
    st = borrow_state(st)
    log = borrow_log(log)
    scratch = borrow_scratch(scratch)
    uniforms = borrowed(uniforms)
    n = s.patron.size
    n_worlds = st.peak.size
    n_acts = s.strategic.size
    actors = s.strategic
    actions, targets, killed, wounded, accident = (
        scratch.actions,
        scratch.targets,
        scratch.killed,
        scratch.wounded,
        scratch.accident,
    )
    for day in range(first, last):
        for w in range(n_worlds):
            today = uniforms[day - first, w]
            scratch.answered_today[:] = False  # the state changes from day to day and world to world
            for q in range(n_acts):
                u = today[q * DRAWS_PER_ACTOR : (q + 1) * DRAWS_PER_ACTOR]
                _, actions[q], accident[q] = choose(s, p, st, w, actors[q], u, scratch)
                targets[q] = s.action_target[actions[q]]
                k = actions[q]
                killed[q] = draw_casualties(u[DRAW_KILLED], p.killed_mean[w, k], p.dispersion[w, k])
                wounded[q] = draw_casualties(u[DRAW_WOUNDED], p.wounded_mean[w, k], p.dispersion[w, k])
            before = st.peak[w]
            resolve(
                s,
                p,
                st,
                w,
                n_acts,
                actors,
                actions,
                targets,
                killed,
                wounded,
                killed,
                wounded,
                today,
                scratch.event,
                True,
                scratch,
            )
            st.crossings[w] += s.crossings_at[st.peak[w]] - s.crossings_at[before]
            for q in range(n_acts):
                i = actors[q]
                k = actions[q]
                log.rungs[i, day, w] = realised_rung(s.action_rung[k], s.lethal_rung[k], killed[q])
                if detail:
                    log.action[i, day, w] = k
                    log.target[i, day, w] = targets[q]
                    log.killed[i, day, w] = killed[q]
                    log.wounded[i, day, w] = wounded[q]
                    log.accident[i, day, w] = accident[q]
            if detail:
                for i in range(n):
                    log.grievance[i, day, w] = st.grievance[w, i].max()
            pass_days(p, st, w, 1)


@_jit
def replay_event(s, p, st, scratch, actor, action, target, killed, wounded, seen_killed, seen_wounded, event):
    """Apply one documented act, as recorded and without noise, in every world (``event``: its fields)."""
    s = borrow_structure(s)
    p = borrow_worlds(p)
    st = borrow_state(st)
    scratch = borrow_scratch(scratch)
    event = borrowed(event)
    one = np.empty(1, np.int64)
    actors, actions, targets = one.copy(), one.copy(), one.copy()
    actors[0], actions[0], targets[0] = actor, action, target
    k_, w_, sk, sw = one.copy(), one.copy(), one.copy(), one.copy()
    k_[0], w_[0], sk[0], sw[0] = killed, wounded, seen_killed, seen_wounded
    unseen = np.empty(0)  # no perception noise
    for w in range(st.peak.size):
        resolve(s, p, st, w, 1, actors, actions, targets, k_, w_, sk, sw, unseen, event, False, scratch)


@_jit
def replay_record(s, p, st, scratch, days, entries, candidates, events, fields, effects, amounts, of_kind, chance):
    """Replay a documented record in every world and read the act probabilities of each covered actor-day.

    ``days[d] = (first entry, first event, days it lasts)`` of step ``d`` (one extra row closes
    the last step): a step is one day a rule covers or with documented events, or a run of
    quiet days that passes at once.
    ``entries[e] = (actor, recorded level, first candidate, number of candidates)``: an
    actor-day covered by a record rule; the candidates ``candidates[c]`` (menu indices) are the
    acts the documented act of that day could have been (none on a day without one).
    ``events[v] = (actor, action, target, killed, wounded, seen killed, seen wounded, first
    effect)``, ``fields[v]`` what the event adds to its act (``EVENT_FIELDS``), and
    ``effects``/``amounts`` the host-pressure effects (actor, amount); one extra row of
    ``events`` closes the last event's effects.

    Fills ``of_kind[e, w]``, the probability of an act at or above the recorded level, and
    ``chance[c, w]``, the probability of each candidate act, both read in the state at the
    start of the day; then the day's events are applied and the day passes.
    """
    s = borrow_structure(s)
    p = borrow_worlds(p)
    st = borrow_state(st)
    scratch = borrow_scratch(scratch)
    row = np.empty(s.menus.shape[1])
    one = np.empty(1, np.int64)
    actors, actions, targets = one.copy(), one.copy(), one.copy()
    k_, w_, sk, sw = one.copy(), one.copy(), one.copy(), one.copy()
    unseen = np.empty(0)  # no perception noise
    for w in range(st.peak.size):
        for d in range(days.shape[0] - 1):
            for e in range(days[d, 0], days[d + 1, 0]):
                actor = entries[e, 0]
                act_mixture(s, p, st, scratch, w, actor, row)
                total = 0.0
                for k in range(s.menu_size[actor]):
                    if s.action_rung[s.menus[actor, k]] >= entries[e, 1]:
                        total += row[k]
                of_kind[e, w] = total
                for c in range(entries[e, 2], entries[e, 2] + entries[e, 3]):
                    chance[c, w] = row[candidates[c]]
            for v in range(days[d, 1], days[d + 1, 1]):
                actors[0], actions[0], targets[0] = events[v, 0], events[v, 1], events[v, 2]
                k_[0], w_[0], sk[0], sw[0] = events[v, 3], events[v, 4], events[v, 5], events[v, 6]
                resolve(
                    s, p, st, w, 1, actors, actions, targets, k_, w_, sk, sw, unseen, fields[v], False, scratch,
                )  # fmt: skip
                for f in range(events[v, 7], events[v + 1, 7]):
                    st.host[w, effects[f]] += amounts[f]
            pass_days(p, st, w, days[d, 2])


@_jit
def tally_days(rungs, start, n_levels):
    """Per-day counts of a finished run's worlds: ``(on each rung, by highest rung so far, crisis peak)``.

    ``rungs[actor, day, world]`` is each actor's realised rung, ``start[world]`` the crisis's
    highest rung when the simulation started. Returns counts of worlds, by level:
    ``(n_actors, horizon, n_levels)`` on the rung that day; ``(n_actors, horizon, n_levels)``
    by the actor's highest rung from day 1 to that day; ``(horizon + 1, n_levels)`` by the
    crisis's highest rung so far, history included (row 0: before the first simulated day).
    """
    n, horizon, n_worlds = rungs.shape
    on_rung = np.zeros((n, horizon, n_levels), np.int64)
    reached = np.zeros((n, horizon, n_levels), np.int64)
    crisis = np.zeros((horizon + 1, n_levels), np.int64)
    best = np.zeros((n, n_worlds), np.int64)
    peak = start.astype(np.int64)
    for w in range(n_worlds):
        crisis[0, peak[w]] += 1
    for d in range(horizon):
        for i in range(n):
            for w in range(n_worlds):
                r = rungs[i, d, w]
                on_rung[i, d, r] += 1
                if r > best[i, w]:
                    best[i, w] = r
                reached[i, d, best[i, w]] += 1
                if r > peak[w]:
                    peak[w] = r
        for w in range(n_worlds):
            crisis[d + 1, peak[w]] += 1
    return on_rung, reached, crisis


config.CACHE_DIR = _previous_cache_dir
