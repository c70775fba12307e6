"""Scaling ceilings: the Universal Scalability Law fitted to load tests or production.

``usl`` fits the law (its arithmetic in ``usl_solve``), ``loadtest`` reads CSV / k6 /
Locust results into (load, throughput) points, ``ceiling`` turns a fit into a cost curve and
a ceiling date against a load forecast, ``explain`` says in words what the coefficients mean.
"""

from forecaster.scaling.usl import USLModel
from forecaster.scaling.usl_solve import check_measurements, usl_throughput

__all__ = ["USLModel", "check_measurements", "usl_throughput"]
