"""What several test modules share: the digits network and the error state of extreme-value tests.

Test modules import it as `from helpers import ...`: pytest puts `tests/` on the import path of
the modules it collects there.
"""

import importlib.util
import sys
from pathlib import Path

import numpy as np

from nncourse import nn

# For `np.errstate(**RAISE)`: overflow, invalid operations and division by zero raise an error;
# underflow to 0 is allowed.
RAISE = {"over": "raise", "invalid": "raise", "divide": "raise"}


def digits_mlp(rng: np.random.Generator, hidden: tuple[int, int] = (128, 64)) -> nn.Sequential:
    """The digits classifier: 8x8 = 64 pixels, two ReLU hidden layers, 10 class scores."""
    return nn.Sequential(
        nn.Linear(64, hidden[0], rng=rng),
        nn.ReLU(),
        nn.Linear(hidden[0], hidden[1], rng=rng),
        nn.ReLU(),
        nn.Linear(hidden[1], 10, rng=rng),
    )


def load_module(path: Path):
    """Import a file that is not on the path (a Sphinx extension, a script) as a module."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(path.stem, module)
    spec.loader.exec_module(module)
    return module
