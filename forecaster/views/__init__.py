"""Plain-data views for the thin layers (dashboard, exports): the engine's results shaped as
tables with fixed column names. Pure functions over ``forecaster``; nothing here imports dash.

- ``workloads``: fit every workload's cost curve over a time window; summary and findings
  tables; the fitted curve with its band over a load grid.
- ``overview``: the monthly organic versus waste split; open and closed billing periods.
- ``review``: the month-over-month bridge over workloads and unclaimed services.
- ``export``: formula-safe CSV and the review pack (a zip of CSV tables).
- ``store``: the Data page's tables (partitions, restatements, load series, problems).
"""
