"""Calibration to documented records: the parameter space, the corpus, the fit, synthetic records.

``escalation fit`` and :func:`escalation.calibration.fit.fit` find the MAP and posterior draws;
``escalation run --posterior DIR`` puts the draws into every answer.
"""
