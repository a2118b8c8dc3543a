"""The Spark backend gives the clusters DuckDB gives (one local-mode session, stopped after)."""

import dataclasses
import os
import shutil

import pytest

from niaga.registry.linkage import BUSINESS_SPEC, link
from niaga.registry.linkage.evaluate import pairwise_scores


def _phone_em_rule():
    from splink import block_on

    return [block_on("phone_key")]


# Every Splink step is several Spark jobs with a second of overhead each; one EM session
# instead of two keeps this test near half a minute while still training on Spark.
SPEC = dataclasses.replace(BUSINESS_SPEC, em_blocking_rules=_phone_em_rule)


@pytest.fixture(scope="module")
def spark():
    if shutil.which("java") is None:
        if os.environ.get("CI"):
            pytest.fail("Java is required for the Spark linkage test in CI")
        pytest.skip("Java is not installed")
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    session = (
        SparkSession.builder.master("local[2]")
        .appName("niaga-linkage-test")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        # A short-lived JVM spends its time compiling; the quick compiler is enough here.
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_spark_clusters_agree_with_duckdb(spark, roster_400):
    frame = roster_400.drop(columns=["true_entity"]).head(240)
    on_duckdb = link(frame, spec=SPEC)
    on_spark = link(frame, engine="spark", spark_session=spark, spec=SPEC)

    assert on_spark.diagnostics["trained"] is True
    assert on_spark.diagnostics["em_sessions"] == 1
    assert on_spark.diagnostics["engine"] == "spark"
    assert sorted(on_spark.clusters.record_id) == sorted(frame.record_id)
    both = on_spark.clusters.merge(on_duckdb.clusters, on="record_id", suffixes=("_s", "_d"))
    agreement = pairwise_scores(both.cluster_id_s, both.cluster_id_d)
    assert agreement.f1 >= 0.97, agreement
    assert set(on_spark.pairs.method) <= set(on_duckdb.pairs.method) | {"probabilistic"}
