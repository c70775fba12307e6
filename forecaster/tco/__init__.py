"""Total cost of ownership under named scenarios.

``scenarios.py`` reads the scenario TOML file; ``projection.py`` forecasts each workload's
load and pushes the load paths through its fitted cost curve by Monte Carlo (parameter and
load uncertainty together); ``arithmetic.py`` applies a scenario to the cost samples and
computes monthly bands, cumulative TCO, NPV and the break-even month.
"""
