"""Bad input gives a clear error naming the problem."""

from __future__ import annotations

import math

import numpy as np
import pytest

from forecaster.errors import CannotFit, ForecasterError, InputError
from forecaster.scaling import USLModel


@pytest.mark.parametrize(
    ("load", "throughput", "error", "words"),
    [
        ([1, 2, 4], [10, 18, 30], InputError, ["only 3 distinct load", "4 or more"]),
        ([1, 1, 2, 2, 4, 4], [10, 11, 18, 19, 30, 31], InputError, ["only 3 distinct", "1, 2, 4"]),
        ([1, 2, 4, 8], [10, 0, 30, 40], InputError, ["throughput 0", "load 2", "positive"]),
        ([1, 2, 4, 8], [10, 18, -3, 40], InputError, ["throughput -3", "load 4", "negative"]),
        ([1, 2, 4, 8], [10, math.nan, 30, 40], InputError, ["missing or not finite", "row 2"]),
        ([0, 2, 4, 8], [10, 18, 30, 40], InputError, ["load 0", "not positive"]),
        ([1, 2, 4, 8], [10, 18, 30], InputError, ["4 loads but 3 throughput"]),
        ([1, 2, 4, 8], [40, 40, 40, 40], CannotFit, ["never rises above 40", "lowest load 1"]),
        ([1, 2, 4, 8], [40, 30, 20, 10], CannotFit, ["never rises"]),
    ],
    ids=[
        "three-loads",
        "three-loads-repeated",
        "zero-throughput",
        "negative-throughput",
        "nan",
        "zero-load",
        "length-mismatch",
        "flat",
        "falling",
    ],
)
def test_bad_measurements_are_rejected_with_a_named_problem(load, throughput, error, words):
    with pytest.raises(error) as info:
        USLModel().fit(load, throughput, source="run-42.csv")
    message = str(info.value)
    assert message.startswith("run-42.csv: ")
    for word in words:
        assert word in message


def test_errors_are_forecaster_errors_so_the_cli_prints_them():
    assert issubclass(InputError, ForecasterError) and issubclass(CannotFit, ForecasterError)


def test_predict_before_fit_says_so():
    from forecaster.errors import NotFittedError

    with pytest.raises(NotFittedError, match="not fitted"):
        USLModel().predict([1, 2])


@pytest.mark.parametrize("confidence", [0.0, 1.0, 95])
def test_confidence_outside_zero_one_is_rejected(confidence):
    with pytest.raises(InputError, match="confidence"):
        USLModel(confidence=confidence).fit([1, 2, 4, 8], [10, 18, 30, 40])


def test_four_distinct_loads_is_enough():
    model = USLModel().fit([1, 2, 4, 8], np.array([10, 18, 30, 40.0]))
    assert model.dof_ == 1
