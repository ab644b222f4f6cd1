"""Proportionality on a relative scale: answers are judged by their ratio to the provocation.

Reciprocity (:mod:`escalation.mechanisms.grievance`) compares the harm an act stands for with
the grievance it answers. On the absolute scale (``proportionality`` 1) the cost of a gap is
the same at any size, so one scale of grievance, set in effect by the largest provocation,
decides which answers are worth their fear and firebreak costs: a provocation smaller than
the killing of 3 January was almost never answered. On a relative scale the comparison is of
``b(x) = ((1 + x) ** lam - 1) / lam`` (Box-Cox of ``1 + x``; ``lam`` = ``proportionality``):
at ``lam = 0`` it is ``log(1 + x)``, and answering 5 harm units with 10 costs as much as
answering 50 with 100. The record shows answers in proportion at every size: strikes on a
militia for one contractor's death (A05 -> A06, O3), a telegraphed missile strike for a
commander's killing (A10 -> A16).
"""

from __future__ import annotations

import numpy as np

from escalation.parameters import Parameter

PARAMETERS = (
    Parameter(
        "proportionality",
        "global",
        0.0,
        1.0,
        1.0,
        "beta(a=1, b=1)",
        "Whether answers scale in difference or in ratio is not documented: uniform on [0, 1].",
        "Scale on which answers are compared with grievances: 1 absolute harm, 0 its logarithm (ratios).",
        mechanism="proportionality",
    ),
)

# the values at which this mechanism does nothing (answers compared in absolute harm), for escalation fit --ablation
NEUTRAL = {"proportionality": 1.0}
# where fit --ablation tries it when a corpus has it switched off (with the registry's prior)
TRIAL = {"proportionality": 0.5}


def scaled(harm: float, proportionality: float) -> float:
    """``((1 + harm) ** lam - 1) / lam`` (``log1p(harm)`` at ``lam = 0``; ``harm`` itself at ``lam = 1``)."""
    if proportionality >= 1.0 or harm == 0.0:
        return harm
    log = np.log1p(harm)
    z = proportionality * log
    if z < 1e-5:  # lam -> 0: the series log * (1 + z/2 + z**2/6), exact to rounding, never 0/0
        return log * (1.0 + z / 2.0 + z * z / 6.0)
    return np.expm1(z) / proportionality
