"""Backtests: how well the model forecasts crises whose outcome is known.

:func:`backtest` runs scenarios that say what really happened (``observed:``) and scores
their outcome probabilities (:mod:`~escalation.backtesting.scores`) and answer timing
(:mod:`~escalation.backtesting.paths`) against uniform, climatology and no-history forecasts.
"""

from escalation.backtesting.run import Backtest, backtest

__all__ = ["Backtest", "backtest"]
