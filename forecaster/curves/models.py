"""The cost-versus-load model family: linear, power and capacity-step.

All three are ``cost = F + v * z(load; theta)`` with a load feature ``z``:

- linear: ``z = L`` (theta is the fixed exponent 1);
- power: ``z = L ** k`` with the exponent k in ``k_bounds`` (default 0.5..3); k > 1 means cost
  grows faster than load (a diseconomy of scale), k < 1 an economy of scale;
- step: ``z = ceil(L / C)``: capacity is bought in units that each carry C load units and
  cost v per period (instances behind an autoscaler, shards, licence tiers). The average
  slope is v / C per load unit.

With v >= 0 and k > 0 every curve is non-decreasing in load. Functions here work on
*normalized* load ``x = L / load_scale`` so that the grids and solvers are well scaled;
``CostCurve`` converts to and from the caller's units.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

ModelName = Literal["linear", "power", "step"]
MODELS: tuple[ModelName, ...] = ("linear", "power", "step")

#: Curve parameters each model estimates besides the drift and the residual scale:
#: linear (F, v), power (F, v, k), step (F, v, C).
N_CURVE_PARAMS: dict[str, int] = {"linear": 2, "power": 3, "step": 3}

#: Spacing of the exponent grid before parabolic refinement.
K_STEP = 0.05
#: Number of capacity values tried for the step model (geometric grid).
N_CAPACITIES = 160
#: The step model is only tried with between 2 and this many capacity levels in the data.
MAX_STEP_LEVELS = 15


def features(model: str, x: np.ndarray, theta: np.ndarray | float) -> np.ndarray:
    """The load feature z for normalized load ``x`` and shape value(s) ``theta``.

    ``x`` (n,) with a scalar theta gives (n,); with theta (K,) gives (n, K); ``x`` (n,) with
    theta (B, 1) gives (B, n).
    """
    theta = np.asarray(theta, dtype=float)
    xx = x[:, None] if theta.ndim == 1 else x
    if model == "linear":
        return np.broadcast_to(xx, np.broadcast_shapes(xx.shape, theta.shape)).astype(float)
    if model == "power":
        return np.power(xx, theta)
    if model == "step":
        return np.ceil(xx / theta)
    raise ValueError(f"unknown model {model!r}; expected one of {MODELS}")


def curve(model: str, F: np.ndarray, v: np.ndarray, theta: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Curve value F + v * z(x; theta); parameters broadcast against ``x``."""
    return F + v * features(model, x, theta)


def theta_grid(model: str, x: np.ndarray, k_bounds: tuple[float, float]) -> np.ndarray:
    """Shape values to profile: the exponents for power, the capacities for step."""
    if model == "linear":
        return np.array([1.0])
    if model == "power":
        lo, hi = k_bounds
        n = int(round((hi - lo) / K_STEP)) + 1
        return np.linspace(lo, hi, n)
    if model == "step":
        return step_capacity_grid(x)
    raise ValueError(f"unknown model {model!r}; expected one of {MODELS}")


def step_capacity_grid(x: np.ndarray) -> np.ndarray:
    """Capacities C giving 2..MAX_STEP_LEVELS distinct capacity levels over the observed load.

    Few levels only: a step model with many tiny steps is a linear model with a saw-tooth
    that can chase noise; capacity steps that matter for cost are few and wide.
    """
    lo, hi = float(np.min(x)), float(np.max(x))
    if hi <= 0 or hi - lo <= 0:
        return np.array([])
    grid = np.geomspace((hi - lo) / (MAX_STEP_LEVELS + 1), hi, N_CAPACITIES)
    levels = np.ceil(hi / grid) - np.ceil(lo / grid) + 1
    return grid[(levels >= 2) & (levels <= MAX_STEP_LEVELS)]


def n_params(model: str, drift: bool) -> int:
    """Parameters counted by AICc: the curve's, the drift's and the residual scale."""
    return N_CURVE_PARAMS[model] + int(drift) + 1


def aicc(criterion: float, n: int, p: int) -> float:
    """Small-sample Akaike criterion from a (robust) residual sum of squares ``criterion``."""
    if n - p - 1 <= 0 or criterion <= 0:
        return float("inf") if criterion > 0 or n - p - 1 <= 0 else float("-inf")
    return n * float(np.log(criterion / n)) + 2 * p + 2 * p * (p + 1) / (n - p - 1)
