"""The plain-language reading of the coefficients."""

from __future__ import annotations

import re

import numpy as np
import pytest

from forecaster.scaling import USLModel, usl_throughput
from forecaster.scaling.explain import describe

N = np.array([1, 2, 4, 8, 16, 32, 64, 128.0])


def sentences(text: str) -> int:
    return len(re.findall(r"[.!?](\s|$)", text))


def test_a_peak_is_described_with_where_it_is_and_why():
    text = describe(USLModel().fit(N, usl_throughput(N, 0.02, 2e-4, 10.0)), unit="users")
    assert "peaks at a load of about 70 users (throughput 209)" in text
    assert "contention sigma = 0.02" in text and "coherency kappa = 0.0002" in text
    assert sentences(text) <= 2


@pytest.mark.parametrize(
    ("sigma", "kappa", "culprit"),
    [(0.3, 1e-4, "serialization on a shared resource"), (0.001, 1e-3, "coordination between")],
)
def test_the_dominant_limit_at_the_peak_is_named(sigma, kappa, culprit):
    text = describe(USLModel().fit(N, usl_throughput(N, sigma, kappa, 10.0)))
    assert culprit in text


def test_a_peak_far_beyond_the_data_is_flagged_as_extrapolation():
    n = np.array([1, 2, 4, 8, 16.0])
    text = describe(USLModel().fit(n, usl_throughput(n, 0.01, 1e-4, 10.0)))
    assert "extrapolation" in text


def test_no_peak_describes_the_amdahl_limit():
    text = describe(USLModel().fit(N, usl_throughput(N, 0.05, 0.0, 10.0)))
    assert "Amdahl" in text and "200" in text
    assert sentences(text) <= 2


def test_linear_scaling_says_to_test_higher():
    text = describe(USLModel().fit(N, 7.0 * N))
    assert "linearly" in text and "test at higher load" in text
