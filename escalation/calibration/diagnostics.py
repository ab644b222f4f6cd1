"""Convergence diagnostics of ensemble chains: split R-hat and effective sample size."""

from __future__ import annotations

import numpy as np


def split_rhat(chain: np.ndarray) -> np.ndarray:
    """Gelman-Rubin potential scale reduction of each parameter, over split walker chains.

    ``chain``: ``(n_steps, n_walkers, n_params)``. Each walker's chain is cut in two halves and
    the halves are compared (Gelman et al., *Bayesian Data Analysis*, 3rd ed., §11.4). Walkers
    of an ensemble move together, so this is a screen, not a proof: values above about 1.05
    mean the chains have not mixed. ``nan`` with fewer than 4 steps.
    """
    n_steps = chain.shape[0] // 2
    if n_steps < 2:
        return np.full(chain.shape[-1], np.nan)
    halves = np.concatenate([chain[:n_steps], chain[n_steps : 2 * n_steps]], axis=1)  # (n, 2W, p)
    means = halves.mean(axis=0)
    within = halves.var(axis=0, ddof=1).mean(axis=0)
    between = n_steps * means.var(axis=0, ddof=1)
    pooled = (n_steps - 1) / n_steps * within + between / n_steps
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt(pooled / within)


def effective_sample_size(chain: np.ndarray) -> np.ndarray:
    """Effective number of independent draws of each parameter: ``n_steps * n_walkers / tau``.

    ``tau`` is emcee's integrated autocorrelation time (Sokal's adaptive window); with a chain
    shorter than about 50 ``tau`` the estimate is a lower bound on ``tau``, so the ESS is
    optimistic, and the fit reports the chain length beside it.
    """
    import emcee

    n_steps, n_walkers, _ = chain.shape
    if n_steps < 4:
        return np.full(chain.shape[-1], np.nan)
    tau = emcee.autocorr.integrated_time(chain, tol=0)
    return n_steps * n_walkers / np.maximum(tau, 1.0)
