"""The speed benchmark measures what it claims: nncourse and its NumPy floor train the same model.

Timings are not tested (they depend on the machine); the computation is.
"""

import importlib.util
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_mlp.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_mlp", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_nncourse_and_the_floor_train_the_same_network(bench):
    run = bench.measure(seed=0, n_epochs=5)
    assert run["logits_difference"] < 1e-11  # same weights, batches and arithmetic up to rounding
    assert run["accuracy"] == run["floor_accuracy"] > 0.9
    assert min(run["cpu"], run["floor_cpu"], run["wall"], run["floor_wall"]) > 0


def test_a_worker_process_reports_the_same_training(bench):
    (worker,) = bench.measure_in_fresh_processes(seed=0, n_epochs=5, n_processes=1)
    here = bench.measure(seed=0, n_epochs=5)
    for key in ("n_train", "n_test", "accuracy", "floor_accuracy"):
        assert worker[key] == here[key], key
    assert worker["logits_difference"] < 1e-11  # the worker runs one BLAS thread, this may not
