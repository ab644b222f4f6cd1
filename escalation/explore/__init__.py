"""The explorer: a local browser app (``escalation explore``) to move parameters and see the odds.

:mod:`~escalation.explore.choices` says what the controls offer (scenarios, branch points,
key parameters and their slider ranges), :mod:`~escalation.explore.exploration` computes what
the page shows (a study, its figures, one world's trace), :mod:`~escalation.explore.app` is
the Solara page and :mod:`~escalation.explore.server` starts it. Only the last two need the
``explore`` extra (Solara); nothing in the core library imports them.
"""
