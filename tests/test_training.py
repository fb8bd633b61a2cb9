"""Training the digits MLP end to end: reproducible to the last bit, and accurate."""

import numpy as np
import pytest
from helpers import digits_mlp

from nncourse import data, nn, optim

pytest.importorskip("sklearn")


def train(X, y, seed: int, epochs: int, hidden=(128, 64), dropout: float = 0.0):
    """Seeded training loop; returns the model and the mean loss of each epoch."""
    rng = np.random.default_rng(seed)
    model = digits_mlp(rng, hidden)
    if dropout:
        model = nn.Sequential(*model[:2], nn.Dropout(dropout, rng=rng), *model[2:])
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    losses = []
    for _ in range(epochs):
        model.train()
        batch_losses = []
        for X_batch, y_batch in data.minibatches(X, y, 32, rng):
            optimizer.zero_grad()
            batch_losses.append(criterion(model(X_batch), y_batch))
            model.backward(criterion.backward())
            optimizer.step()
        losses.append(float(np.mean(batch_losses)))
    return model.eval(), losses


@pytest.fixture(scope="module")
def digits():
    X, y = data.load_digits()
    return data.train_val_test_split(X, y, (0.6, 0.2, 0.2), rng=0)


def test_training_twice_with_the_same_seed_gives_identical_parameters(digits):
    (X, y), _, _ = digits
    X, y = X[:400], y[:400]
    first, first_losses = train(X, y, seed=7, epochs=2, hidden=(32, 16), dropout=0.2)
    second, second_losses = train(X, y, seed=7, epochs=2, hidden=(32, 16), dropout=0.2)
    assert first_losses == second_losses
    for (name, a), (_, b) in zip(first.named_parameters(), second.named_parameters(), strict=True):
        assert np.array_equal(a.data, b.data), name  # bit for bit
    other, _ = train(X, y, seed=8, epochs=2, hidden=(32, 16), dropout=0.2)
    assert not np.array_equal(other[0].weight.data, first[0].weight.data)


def test_mlp_reaches_95_percent_test_accuracy_within_30_epochs(digits):
    (X_train, y_train), (X_val, y_val), (X_test, y_test) = digits
    model, losses = train(X_train, y_train, seed=0, epochs=30)
    assert model.num_parameters() == 64 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10
    assert losses[-1] < 0.1 * losses[0]
    assert data.accuracy(model(X_val), y_val) >= 0.95
    assert data.accuracy(model(X_test), y_test) >= 0.95
