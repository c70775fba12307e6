"""Goodness of fit and residual diagnostics of a fitted cost curve.

Reported so that a reader can tell a trustworthy curve from a poor one: R^2 (share of the
cost variance the curve explains), the robust residual scale, autocorrelation (Durbin-Watson
and lag-1 correlation: bootstrap intervals assume it is short-range), skewness and excess
kurtosis with the Jarque-Bera normality p-value (prediction intervals assume roughly normal
noise), the share of outliers beyond three robust standard deviations, and whether the
residual spread grows with the fitted cost (heteroscedasticity, Spearman rank correlation).
"""

from __future__ import annotations

import numpy as np


def r_squared(cost: np.ndarray, fitted: np.ndarray) -> float:
    """1 - RSS / TSS on the caller's cost (unweighted)."""
    resid = cost - fitted
    tss = float(np.sum((cost - cost.mean()) ** 2))
    if tss <= 0:
        return float("nan")
    return 1.0 - float(resid @ resid) / tss


def residual_diagnostics(
    residuals: np.ndarray, fitted: np.ndarray, sigma: float
) -> dict[str, float]:
    """Diagnostics of residuals (USD per period) in time order; see the module docstring."""
    from scipy import stats

    r = np.asarray(residuals, dtype=float)
    n = r.size
    dr = np.diff(r)
    ss = float(r @ r)
    out: dict[str, float] = {
        "sigma": float(sigma),
        "durbin_watson": float(dr @ dr / ss) if ss > 0 else float("nan"),
        "lag1_autocorrelation": float("nan"),
        "skewness": float("nan"),
        "excess_kurtosis": float("nan"),
        "jarque_bera_p": float("nan"),
        "outlier_share": float(np.mean(np.abs(r - np.median(r)) > 3 * sigma)) if sigma > 0 else 0.0,
        "heteroscedasticity_rho": float("nan"),
        "heteroscedasticity_p": float("nan"),
    }
    if n >= 3 and np.std(r) > 0:
        rc = r - r.mean()
        m2 = float(rc @ rc) / n
        m3, m4 = float(np.mean(rc**3)), float(np.mean(rc**4))
        skew, kurt = m3 / m2**1.5, m4 / m2**2 - 3.0
        jb = n / 6.0 * (skew**2 + kurt**2 / 4.0)
        out["lag1_autocorrelation"] = float(rc[1:] @ rc[:-1] / (n * m2))
        out["skewness"] = skew
        out["excess_kurtosis"] = kurt
        out["jarque_bera_p"] = float(stats.chi2.sf(jb, 2))
        if np.std(fitted) > 0:
            rho = _spearman(np.abs(r), fitted)
            t = rho * np.sqrt(max(n - 2, 1) / max(1e-300, 1 - rho * rho))
            out["heteroscedasticity_rho"] = rho
            out["heteroscedasticity_p"] = float(2 * stats.t.sf(abs(t), max(n - 2, 1)))
    return out


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman rank correlation (average ranks for ties)."""
    from scipy import stats

    ra, rb = stats.rankdata(a), stats.rankdata(b)
    ra, rb = ra - ra.mean(), rb - rb.mean()
    den = float(np.sqrt((ra @ ra) * (rb @ rb)))
    return float(ra @ rb / den) if den > 0 else float("nan")
