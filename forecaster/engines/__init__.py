"""Where the billing rollup runs: ``local`` (polars, today's ingest), ``spark`` (PySpark, any
SparkSession) and ``athena`` (boto3). One definition of the rollup
(:mod:`forecaster.engines.rollup`), one SQL generator (:mod:`forecaster.engines.sql`), one
commit path into the store (:mod:`forecaster.engines.commit`)."""

ENGINES = ("local", "spark")
