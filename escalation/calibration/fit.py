"""Fit the model to a corpus of records: maximum a posteriori, then posterior draws with emcee.

The posterior is ``prior(theta) * prod_episodes L_e(theta)``, with the registry's priors (or a
scenario's ``priors:``) and the exact likelihood of each documented record
(:mod:`escalation.likelihood`). Both steps evaluate many parameter vectors in one call, as
worlds of one model: the optimiser's finite-difference gradient is one call of ``d + 1``
worlds, and each emcee step one call of all walkers.

The sampler is emcee's affine-invariant ensemble with differential-evolution moves: the
likelihood is a replay through the compiled kernel, with no gradient to hand to NUTS, and an
ensemble needs none; evaluating the whole ensemble at once is what makes it fast here.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from escalation.calibration.corpus import Corpus, LogPosterior
from escalation.calibration.diagnostics import effective_sample_size, split_rhat
from escalation.calibration.predictive import predictive_checks
from escalation.calibration.space import FreeParameter, free_parameters
from escalation.errors import RunError
from escalation.io import FIT_FILE, POSTERIOR_FILE, atomic_write, atomic_write_text, dumps
from escalation.io import load_posterior as load_posterior  # re-exported: read a fit's draws from here too
from escalation.version import __version__

_STEP = 1e-4  # forward-difference step on the unconstrained scale
_BAD = 1e12  # the objective where the posterior is zero


@dataclass
class FitResult:
    """What :func:`fit` found: the MAP, the posterior draws and their diagnostics."""

    corpus: list[str]
    free: list[FreeParameter]
    map_u: np.ndarray
    draws_u: np.ndarray  # (n_draws, n_free)
    chain_u: np.ndarray  # (n_kept_steps, n_walkers, n_free): the kept part of the chains
    loglik_map: dict[str, float]
    loglik_judgement: dict[str, float]
    log_posterior_draws: np.ndarray
    settings: dict[str, Any]
    diagnostics: dict[str, Any] = field(default_factory=dict)
    checks: dict[str, Any] = field(default_factory=dict)  # baselines, leave-one-out scores, ablations
    predictive: pd.DataFrame | None = None  # posterior predictive checks of the stylised facts
    corpus_scenarios: list[Any] = field(default_factory=list, repr=False)  # the Scenario objects
    path: Path | None = None

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.free]

    @property
    def map(self) -> dict[str, float]:
        """Maximum a posteriori values, by full parameter name."""
        return {p.name: float(p.to_x(self.map_u[j])) for j, p in enumerate(self.free)}

    @property
    def draws(self) -> pd.DataFrame:
        """Posterior draws: a row per draw, a column per free parameter (constrained values)."""
        return pd.DataFrame({p.name: p.to_x(self.draws_u[:, j]) for j, p in enumerate(self.free)})

    def parameter_table(self) -> pd.DataFrame:
        """Per parameter: judgement value, prior, MAP, posterior mean, sd, 95% interval, R-hat, ESS.

        ``informed`` says whether the record moved the parameter: its posterior sd on the
        unconstrained scale is below 70% of the prior's, or its posterior mean moved by more
        than half a prior sd. Otherwise the posterior is (close to) the prior.
        """
        rng = np.random.default_rng(0)
        rows = []
        draws = self.draws
        rhat = split_rhat(self.chain_u)
        ess = effective_sample_size(self.chain_u)
        for j, p in enumerate(self.free):
            x = draws[p.name].to_numpy()
            prior_u = p.to_u(p.draw(rng, 4000))
            u = self.draws_u[:, j]
            shrink = float(np.std(u) / np.std(prior_u)) if np.std(prior_u) > 0 else math.nan
            shift = float(abs(np.mean(u) - np.mean(prior_u)) / np.std(prior_u)) if np.std(prior_u) > 0 else math.nan
            dist = p.frozen()
            rows.append(
                {
                    "parameter": p.name,
                    "judgement": p.value,
                    "prior": str(p.prior),
                    "prior_mean": float(dist.mean()),
                    "prior_sd": float(dist.std()),
                    "map": float(p.to_x(self.map_u[j])),
                    "mean": float(np.mean(x)),
                    "sd": float(np.std(x, ddof=1)) if len(x) > 1 else math.nan,
                    "q2.5": float(np.quantile(x, 0.025)),
                    "q97.5": float(np.quantile(x, 0.975)),
                    "rhat": float(rhat[j]),
                    "ess": float(ess[j]),
                    "sd_ratio": shrink,
                    "shift": shift,
                    "informed": bool(shrink < 0.7 or shift > 0.5),
                    "scenarios": len(p.scenarios),
                }
            )
        return pd.DataFrame(rows)

    def to_json(self) -> dict[str, Any]:
        table = self.parameter_table()

        def clean(value: Any) -> Any:
            if isinstance(value, float) and not math.isfinite(value):
                return None
            return value

        return {
            "format": 1,
            "escalation": __version__,
            "corpus": self.corpus,
            "settings": self.settings,
            "map": self.map,
            "loglik": {
                "map": {k: clean(v) for k, v in self.loglik_map.items()},
                "map_total": clean(sum(self.loglik_map.values())),
                "judgement": {k: clean(v) for k, v in self.loglik_judgement.items()},
                "judgement_total": clean(sum(self.loglik_judgement.values())),
            },
            "diagnostics": self.diagnostics,
            "checks": {**self.checks, **self._predictive_json()},
            "parameters": [{k: clean(v) for k, v in row.items()} for row in table.to_dict(orient="records")],
            "informed": [r["parameter"] for r in table.to_dict(orient="records") if r["informed"]],
            "prior_only": [r["parameter"] for r in table.to_dict(orient="records") if not r["informed"]],
        }

    def _predictive_json(self) -> dict[str, Any]:
        if self.predictive is None:
            return {}
        rows = self.predictive.drop(columns="simulated").to_dict(orient="records")

        def clean(value: Any) -> Any:
            return None if isinstance(value, float) and not math.isfinite(value) else value

        return {"predictive": [{k: clean(v) for k, v in row.items()} for row in rows]}

    def save(self, folder: str | os.PathLike[str], figures: bool = True) -> Path:
        """Write ``posterior.parquet``, ``fit.json`` and (with ``figures``) ``marginals.png``,
        ``surprise.png``, ``surprise.csv``, ``predictive.png`` and ``predictive.csv`` into
        ``folder``, each file atomically."""
        from escalation.calibration.figures import plot_marginals, plot_predictive, plot_surprise, surprise_table

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        frame = self.draws
        frame.insert(0, "draw", np.arange(len(frame), dtype=np.int64))
        frame["log_posterior"] = self.log_posterior_draws
        atomic_write(folder / POSTERIOR_FILE, lambda tmp: frame.to_parquet(tmp, index=False))
        atomic_write_text(folder / FIT_FILE, dumps(self.to_json(), indent=1))
        if figures and self.corpus_scenarios:
            from escalation.plots.style import save_figure

            atomic_write_text(folder / "surprise.csv", surprise_table(self).to_csv(index=False))
            save_figure(plot_marginals(self), folder / "marginals.png")
            save_figure(plot_surprise(self), folder / "surprise.png")
        if figures and self.predictive is not None:
            from escalation.plots.style import save_figure

            table = self.predictive.drop(columns="simulated")
            atomic_write_text(folder / "predictive.csv", table.to_csv(index=False))
            save_figure(plot_predictive(self.predictive), folder / "predictive.png")
        self.path = folder
        return folder


def _objective(posterior: LogPosterior) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
    """Negative log posterior and its forward-difference gradient, in one vectorised call."""
    d = posterior.dim

    def value_and_gradient(u: np.ndarray) -> tuple[float, np.ndarray]:
        points = np.repeat(u[None, :], d + 1, axis=0)
        points[1:] += _STEP * np.eye(d)
        values = posterior(points)
        if not np.isfinite(values[0]):
            return _BAD, np.zeros(d)
        gradient = np.where(np.isfinite(values[1:]), (values[1:] - values[0]) / _STEP, 0.0)
        return float(-values[0]), -gradient

    return value_and_gradient


def _prior_starts(posterior: LogPosterior, free: list[FreeParameter], n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` optimiser starts drawn from the priors, each with a finite posterior (drawn again where not).

    A draw far in a prior's tail can make a documented act's probability underflow to 0; the
    optimiser could not move from there. At most 20 rounds of draws; fewer starts if they fail.
    """
    found: list[np.ndarray] = []
    for _ in range(20):
        if len(found) >= n:
            break
        batch = np.array([p.to_u(p.draw(rng, 2 * (n - len(found)))) for p in free]).T
        finite = np.isfinite(posterior(batch))
        found += list(batch[finite])
    return np.array(found[:n]).reshape(-1, len(free))


def find_map(posterior: LogPosterior, starts: np.ndarray, max_iterations: int = 200) -> tuple[np.ndarray, list[dict]]:
    """Maximise the posterior from each start (rows of ``starts``, unconstrained); the best and a log."""
    from scipy import optimize

    objective = _objective(posterior)
    best, log = None, []
    for k, start in enumerate(starts):
        result = optimize.minimize(objective, start, jac=True, method="L-BFGS-B", options={"maxiter": max_iterations})
        log.append(
            {
                "start": k,
                "log_posterior": float(-result.fun),
                "iterations": int(result.nit),
                "converged": bool(result.success),
            }
        )
        if best is None or result.fun < best.fun:
            best = result
    assert best is not None
    return np.asarray(best.x), log


def fit(
    scenarios: Sequence[Any] | Corpus,
    *,
    params: Sequence[str] | None = None,
    draws: int = 1000,
    walkers: int | None = None,
    steps: int = 3000,
    burn: float = 0.5,
    starts: int = 3,
    seed: int = 0,
    out: str | os.PathLike[str] | None = None,
    progress: bool = False,
    leave_one_out: bool = False,
    ablation: bool = False,
    predictive_draws: bool = True,
) -> FitResult:
    """Calibrate the free parameters to the records of ``scenarios`` (files or Scenario objects).

    ``params``: names or shell patterns of the parameters to free (default: globals and the
    strategic actors' parameters, see :func:`~escalation.calibration.space.free_parameters`).
    The MAP is the best of ``starts`` L-BFGS-B runs (from the judgement values, then from prior
    draws); emcee then runs ``walkers`` chains (default ``2 * n_free + 2``) for ``steps`` steps
    from a small ball around the MAP, discards the first ``burn`` share, and keeps ``draws``
    evenly spaced draws. The same ``seed`` gives the same result.

    ``checks`` of the result compare, per record, the acts part of the log-likelihood (no
    casualty terms) of the model at the judgement values and at the MAP with simple baselines
    (:mod:`escalation.calibration.baselines`); with ``leave_one_out``, each record is also
    scored at the MAP of the other records (one optimiser start each), a plug-in estimate of
    how well the fitted model forecasts a crisis it was not fitted to. With ``ablation``, each
    mechanism that declares neutral values is switched off and the corpus refitted
    (:mod:`escalation.calibration.ablation`): what it buys in log-likelihood, and out of sample
    with ``leave_one_out``. With ``predictive_draws``, the stylised facts of the records are
    checked against simulations from the posterior
    (:func:`~escalation.calibration.predictive.predictive_checks`).
    """
    import emcee

    if draws < 1 or steps < 2 or starts < 1:
        raise RunError("fit: draws and starts must be at least 1 and steps at least 2")
    if not 0 <= burn < 1:
        raise RunError(f"fit: burn must be at least 0 and below 1, got {burn}")
    corpus = scenarios if isinstance(scenarios, Corpus) else Corpus(scenarios)
    free = free_parameters(corpus.scenarios, params)
    if not free:
        raise RunError("fit: no free parameter (every prior is fixed)")
    posterior = LogPosterior(corpus, free)
    d = len(free)
    n_walkers = walkers or 2 * d + 2
    if n_walkers < 2 * d or n_walkers % 2:
        raise RunError(f"fit: walkers must be even and at least twice the {d} free parameters, got {n_walkers}")
    rng = np.random.default_rng(seed)
    started = time.perf_counter()

    judgement = np.array([p.to_u(p.value) for p in free])
    prior_starts = _prior_starts(posterior, free, starts - 1, rng)
    map_u, map_log = find_map(posterior, np.vstack([judgement[None], prior_starts]))
    map_seconds = time.perf_counter() - started

    ball = map_u[None, :] + 1e-3 * rng.standard_normal((n_walkers, d))
    moves = [(emcee.moves.DEMove(), 0.8), (emcee.moves.DESnookerMove(), 0.2)]
    sampler = emcee.EnsembleSampler(n_walkers, d, posterior, vectorize=True, moves=moves)
    sampler.random_state = np.random.RandomState(int(rng.integers(2**31))).get_state()
    sampler.run_mcmc(ball, steps, progress=progress)
    chain = sampler.get_chain()  # (steps, walkers, d)
    log_prob = sampler.get_log_prob()
    kept = chain[int(burn * steps) :]
    kept_log_prob = log_prob[int(burn * steps) :]
    flat = kept.reshape(-1, d)
    pick = np.linspace(0, len(flat) - 1, draws).round().astype(int)

    _, at_map = posterior.parts(map_u)
    _, at_judgement = posterior.parts(judgement)
    settings = {
        "params": list(params) if params is not None else None,
        "free": [p.name for p in free],
        "draws": draws,
        "walkers": n_walkers,
        "steps": steps,
        "burn": burn,
        "starts": starts,
        "seed": seed,
        "sampler": "emcee EnsembleSampler, DEMove 0.8 + DESnookerMove 0.2",
    }
    diagnostics = {
        "map_starts": map_log,
        "acceptance": float(np.mean(sampler.acceptance_fraction)),
        "max_rhat": float(np.nanmax(split_rhat(kept))),
        "min_ess": float(np.nanmin(effective_sample_size(kept))),
        "evaluations": posterior.evaluations,
        "seconds": {"map": round(map_seconds, 2), "total": round(time.perf_counter() - started, 2)},
    }
    loglik_map = dict(zip(corpus.names, at_map[:, 0].tolist(), strict=True))
    checks = _checks(corpus, free, map_u, judgement, loglik_map, leave_one_out, ablation)
    posterior_draws = pd.DataFrame({p.name: p.to_x(flat[pick][:, j]) for j, p in enumerate(free)})
    predictive = predictive_checks(corpus, posterior_draws, seed=seed) if predictive_draws else None
    result = FitResult(
        corpus=corpus.names,
        free=free,
        map_u=map_u,
        draws_u=flat[pick],
        chain_u=kept,
        loglik_map=loglik_map,
        loglik_judgement=dict(zip(corpus.names, at_judgement[:, 0].tolist(), strict=True)),
        log_posterior_draws=kept_log_prob.reshape(-1)[pick],
        settings=settings,
        diagnostics=diagnostics,
        checks=checks,
        predictive=predictive,
        corpus_scenarios=corpus.scenarios,
    )
    if out is not None:
        result.save(out)
    return result


def _checks(
    corpus: Corpus,
    free: list[FreeParameter],
    map_u: np.ndarray,
    judgement: np.ndarray,
    loglik_map: dict[str, float],
    leave_one_out: bool,
    ablation: bool,
) -> dict[str, Any]:
    """Baselines against the model per record, and optionally leave-one-record-out scores and mechanism ablations."""
    from escalation.calibration.baselines import baseline_table, model_acts_loglik

    def values(u: np.ndarray, scenario: Any) -> dict[str, float]:
        known = corpus.parameter_names(scenario)
        return {p.name: float(p.to_x(u[j])) for j, p in enumerate(free) if p.name in known}

    acts = {
        "model_judgement": {
            r.scenario.name: model_acts_loglik(r, values(judgement, r.scenario)) for r in corpus.records
        },
        "model_map": {r.scenario.name: model_acts_loglik(r, values(map_u, r.scenario)) for r in corpus.records},
    }
    checks: dict[str, Any] = {
        "acts_loglik": {
            **{k: {"records": v, "total": sum(v.values())} for k, v in acts.items()},
            **baseline_table(corpus.records),
        }
    }
    if leave_one_out and len(corpus.records) > 1:
        from escalation.calibration.ablation import held_out_loglik
        from escalation.calibration.ablation import leave_one_out as fitted_without

        held_values = fitted_without(corpus, free, {p.name: p.value for p in free})
        held_loglik = held_out_loglik(corpus, held_values)
        held = {
            record.scenario.name: {
                "loglik": held_loglik[record.scenario.name],
                "acts_loglik": model_acts_loglik(record, held_values[record.scenario.name]),
                "loglik_judgement": float(record.totals(values(judgement, record.scenario))[0]),
            }
            for record in corpus.records
        }
        checks["leave_one_out"] = {
            "records": held,
            "total": sum(h["loglik"] for h in held.values()),
            "acts_total": sum(h["acts_loglik"] for h in held.values()),
            "method": "each record scored at the MAP of the others (one start, the judgement values)",
        }
    if ablation:
        from escalation.calibration.ablation import mechanism_gains

        loo = checks.get("leave_one_out")
        checks["mechanisms"] = mechanism_gains(
            corpus,
            free,
            map_u,
            loglik_map,
            {k: v["loglik"] for k, v in loo["records"].items()} if loo else None,
        )
    return checks
