"""The model's mechanisms, one module each, in the order a simulated day uses them.

Every module holds, for one mechanism: its parameters (declared once, read by the registry
in :mod:`escalation.parameters`), its utility term, and its updates after a day's acts and at
the end of the day. The functions are plain arithmetic on numbers (and small arrays), so
they run as they are from Python, and :mod:`escalation.model.kernel` compiles the very same
functions with numba for the simulation and the likelihood: each rule has one implementation.

To add a mechanism: write its module here, list it in ``MECHANISMS``, call its functions
from the kernel, and document it in ``docs/model.md`` (its parameter table is generated).
A utility term that changes during a run also needs a ceiling (its largest value for any act,
given the state), added to the bound of ``kernel.hold_is_certain``; the property test of that
bound fails without it.
A module may declare ``NEUTRAL``, the parameter values at which it does nothing, and
``TRIAL``, values at which to try it: ``escalation fit --ablation`` refits the corpus with the
mechanism switched off (or, where the corpus has it off, on) and reports what it buys.
"""

from escalation.mechanisms import (
    accidents,
    alliances,
    campaign,
    casualties,
    ceasefire,
    choice,
    fear,
    grievance,
    offramp,
    offramp_breach,
    orders,
    persistence,
    preparation,
    pressure,
    proportionality,
    proxies,
    red_lines,
)

MECHANISMS = (
    choice,
    grievance,
    proportionality,
    fear,
    casualties,
    red_lines,
    pressure,
    proxies,
    alliances,
    orders,
    offramp,
    offramp_breach,
    ceasefire,
    persistence,
    preparation,
    campaign,
    accidents,
)

__all__ = ["MECHANISMS", *(m.__name__.rsplit(".", 1)[1] for m in MECHANISMS)]
