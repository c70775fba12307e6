"""Cloud cost and scaling forecaster: fits cloud cost against load, not only time.

The engine (this package) never imports dash. Public entry points live in the
submodules: ``forecaster.ingest`` (billing ingestion), ``forecaster.store``
(the local Parquet store), ``forecaster.sample`` (the bundled sample data).
"""

__version__ = "0.1.0"
