r"""Threshold logic units (McCulloch–Pitts neurons), logic gates, and the perceptron rule.

A threshold logic unit with weights :math:`w` and bias :math:`b` outputs

.. math:: y = U(w \cdot x + b), \qquad
          U(z) = \begin{cases} 1 & z > 0 \\ U(0) & z = 0 \\ 0 & z < 0 \end{cases}

with the course's convention :math:`U(0) = 1` (the ``at_zero`` argument changes it). With that
convention ``AND = TLU([1, 1], -2)``: the unit fires exactly when both inputs are 1, because the
net input is then exactly 0. PyTorch has no threshold unit; :func:`torch.heaviside` is the same
step with its ``values`` argument playing the role of ``at_zero``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_float_array, check_positive, check_size, is_finite_number
from .activations import step

__all__ = [
    "AND",
    "NAND",
    "NOR",
    "NOT",
    "OR",
    "TLU",
    "XNOR",
    "XOR",
    "PerceptronResult",
    "TLUNetwork",
    "from_truth_table",
    "is_linearly_separable",
    "perceptron_fit",
    "separating_unit",
    "truth_table",
]


def _check_at_zero(at_zero: float) -> float:
    if at_zero not in (0, 1) or isinstance(at_zero, bool):
        raise ValueError(f"at_zero must be 0 or 1 (the unit's output U(0)); got {at_zero!r}.")
    return float(at_zero)


def _as_binary_inputs(x: ArrayLike, n_inputs: int) -> np.ndarray:
    """`x` as a float64 array of 0s and 1s, shape ``(n_inputs,)`` or ``(N, n_inputs)``."""
    array = np.asarray(x)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"x must hold 0s and 1s; got dtype {array.dtype}.")
    if array.ndim not in (1, 2) or array.shape[-1] != n_inputs:
        raise ValueError(
            f"x has shape {array.shape}, expected ({n_inputs},) for one input pattern or "
            f"(N, {n_inputs}) for N patterns."
        )
    if not np.isin(array, (0, 1)).all():
        raise ValueError(
            "x must contain only 0 and 1 (a threshold unit reads binary inputs); "
            "for real-valued inputs use .predict(x)."
        )
    return array.astype(np.float64)


def _as_binary_labels(y: ArrayLike, n_samples: int, name: str = "y") -> np.ndarray:
    labels = np.asarray(y)
    if labels.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold 0/1 labels; got dtype {labels.dtype}.")
    if labels.shape != (n_samples,):
        raise ValueError(
            f"{name} has shape {labels.shape}, expected ({n_samples},) to match X's rows."
        )
    if not np.isin(labels, (0, 1)).all():
        raise ValueError(f"{name} must contain only the labels 0 and 1.")
    return labels.astype(np.int64)


def _as_feature_matrix(X: ArrayLike) -> np.ndarray:
    X = as_float_array(X, "X").astype(np.float64)
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(
            f"X must have shape (n_samples, n_features) with at least one of each; got {X.shape}."
        )
    return X


def _format_numbers(values: np.ndarray) -> str:
    return "[" + ", ".join(f"{v:g}" for v in values) + "]"


def _single_row_to_int(output: np.ndarray, x: np.ndarray) -> np.ndarray | int:
    return int(output[0]) if x.ndim == 1 else output


class TLU:
    r"""A threshold logic unit :math:`y = U(w \cdot x + b)` with :math:`U(0) = ` ``at_zero``.

    .. math:: y = \begin{cases} 1 & w \cdot x + b > 0 \\ \texttt{at\_zero} & w \cdot x + b = 0 \\
              0 & w \cdot x + b < 0 \end{cases}

    The step follows :func:`torch.heaviside` with ``values=at_zero``; unlike it, the output is
    an integer 0/1, as a logic gate's is. With real-valued weights the net input reaches exactly
    0 only when the arithmetic is exact (small integers, halves), so ``at_zero`` matters for
    hand-built gates, hardly for learned units. A unit is immutable: its weights are read-only.

    Parameters
    ----------
    weights : array_like
        One weight per input, shape ``(n_inputs,)``.
    bias : float
        The bias :math:`b` (minus the threshold :math:`\theta`: the unit fires when
        :math:`w \cdot x \ge \theta` with ``at_zero=1``).
    at_zero : {1, 0}, default 1
        The output when the net input is exactly 0.
    name : str, optional
        Shown by ``repr``, e.g. ``"AND"``.

    Examples
    --------
    >>> unit = TLU([1, 1], -2)
    >>> unit([[0, 0], [0, 1], [1, 0], [1, 1]])
    array([0, 0, 0, 1])
    >>> unit([1, 1])
    1
    >>> TLU([1, 1], -2, at_zero=0)([1, 1])
    0
    >>> unit
    TLU(weights=[1, 1], bias=-2)
    """

    def __init__(
        self, weights: ArrayLike, bias: float, at_zero: float = 1.0, name: str | None = None
    ):
        weights = as_float_array(weights, "weights").astype(np.float64)
        if weights.ndim != 1 or weights.size == 0:
            raise ValueError(
                f"weights must be a 1-D array with one weight per input; got shape {weights.shape}."
            )
        if not is_finite_number(bias):
            raise ValueError(f"bias must be a finite number; got {bias!r}.")
        self.weights = weights
        self.weights.setflags(write=False)  # shared by networks and gates: nobody may change it
        self.bias = float(bias)
        self.at_zero = _check_at_zero(at_zero)
        self.name = name

    @property
    def n_inputs(self) -> int:
        return self.weights.size

    def net_input(self, x: ArrayLike) -> np.ndarray:
        r"""The net input :math:`w \cdot x + b` for real-valued `x` of shape ``(N, n_inputs)``."""
        x = as_float_array(x, "x").astype(np.float64)
        if x.ndim not in (1, 2) or x.shape[-1] != self.n_inputs:
            raise ValueError(
                f"x has shape {x.shape}, expected ({self.n_inputs},) or (N, {self.n_inputs})."
            )
        return x @ self.weights + self.bias

    def predict(self, x: ArrayLike) -> np.ndarray | int:
        """The unit's 0/1 output for real-valued inputs (e.g. points learned by the perceptron)."""
        x = np.asarray(x)
        output = step(np.atleast_1d(self.net_input(x)), at_zero=self.at_zero).astype(np.int64)
        return _single_row_to_int(output, x)

    def __call__(self, x: ArrayLike) -> np.ndarray | int:
        """The unit's output for binary inputs: ``(N,)`` integers, or one ``int`` for one row."""
        return self.predict(_as_binary_inputs(x, self.n_inputs))

    def __repr__(self) -> str:
        text = f"weights={_format_numbers(self.weights)}, bias={self.bias:g}"
        if self.at_zero != 1.0:
            text += f", at_zero={self.at_zero:g}"
        if self.name is not None:
            text += f", name={self.name!r}"
        return f"TLU({text})"


class TLUNetwork:
    r"""A feed-forward network of threshold units, evaluated layer by layer.

    With :math:`h^{(0)} = x` and layer :math:`k` holding the units :math:`(w_j, b_j)`,

    .. math:: h^{(k)}_j = U\big(w_j \cdot h^{(k-1)} + b_j\big),

    each unit with its own :math:`U(0)` (its ``at_zero``); the output is the last layer's
    :math:`h`. Two layers compute any Boolean function (see :func:`from_truth_table`); a single
    unit computes only the linearly separable ones, so XOR below needs its hidden layer.

    Parameters
    ----------
    layers : sequence of sequence of TLU
        ``layers[0]`` reads the network's inputs; every unit of ``layers[k]`` reads the outputs of
        ``layers[k - 1]`` in order, so it has ``len(layers[k - 1])`` weights. A bare :class:`TLU`
        counts as a layer of one unit.

    Notes
    -----
    Called on ``(N, n_inputs)`` binary inputs the network returns ``(N,)`` integers when the last
    layer has one unit, ``(N, n_outputs)`` otherwise; a single row ``(n_inputs,)`` gives one
    ``int`` (or an ``(n_outputs,)`` array).

    Examples
    --------
    XOR as (x1 OR x2) AND (x1 NAND x2):

    >>> net = TLUNetwork([[TLU([1, 1], -1), TLU([-1, -1], 1)], [TLU([1, 1], -2)]])
    >>> net([[0, 0], [0, 1], [1, 0], [1, 1]])
    array([0, 1, 1, 0])
    >>> net.layer_outputs([1, 1])[0]  # the hidden layer: OR fires, NAND does not
    array([[1, 0]])
    >>> net
    TLUNetwork(
      layer 1: [TLU(weights=[1, 1], bias=-1), TLU(weights=[-1, -1], bias=1)]
      layer 2: [TLU(weights=[1, 1], bias=-2)]
    )
    """

    def __init__(self, layers: Sequence[Sequence[TLU] | TLU], name: str | None = None):
        if isinstance(layers, TLU) or not isinstance(layers, Sequence) or len(layers) == 0:
            raise TypeError("layers must be a non-empty list of layers, each a list of TLU units.")
        self.layers = [self._check_layer(layer, k) for k, layer in enumerate(layers)]
        for k in range(1, len(self.layers)):
            width = len(self.layers[k - 1])
            for j, unit in enumerate(self.layers[k]):
                if unit.n_inputs != width:
                    raise ValueError(
                        f"unit {j} of layer {k + 1} has {unit.n_inputs} weights, expected {width}: "
                        f"one per unit of layer {k}."
                    )
        self.name = name

    @staticmethod
    def _check_layer(layer: Sequence[TLU] | TLU, k: int) -> list[TLU]:
        units = [layer] if isinstance(layer, TLU) else list(layer)
        if not units or not all(isinstance(unit, TLU) for unit in units):
            raise TypeError(f"layer {k + 1} must be a non-empty list of TLU units; got {layer!r}.")
        widths = {unit.n_inputs for unit in units}
        if len(widths) != 1:
            raise ValueError(
                f"the units of layer {k + 1} read different numbers of inputs {sorted(widths)}; "
                "all units of a layer read the same inputs."
            )
        return units

    @property
    def n_inputs(self) -> int:
        return self.layers[0][0].n_inputs

    @property
    def n_outputs(self) -> int:
        return len(self.layers[-1])

    def layer_outputs(self, x: ArrayLike) -> list[np.ndarray]:
        """The 0/1 outputs of every layer, each ``(N, units in that layer)``, for binary `x`."""
        activity = np.atleast_2d(_as_binary_inputs(x, self.n_inputs))
        outputs = []
        for layer in self.layers:
            weights = np.stack([unit.weights for unit in layer], axis=1)  # (inputs, units)
            biases = np.array([unit.bias for unit in layer])
            at_zero = np.array([unit.at_zero for unit in layer])
            net = activity @ weights + biases
            # np.where rather than one step call: each unit may have its own at_zero
            activity = np.where(net == 0, at_zero, step(net)).astype(np.int64)
            outputs.append(activity)
        return outputs

    def __call__(self, x: ArrayLike) -> np.ndarray | int:
        x = np.asarray(x)
        output = self.layer_outputs(x)[-1]
        if self.n_outputs == 1:
            return _single_row_to_int(output[:, 0], x)
        return output[0] if x.ndim == 1 else output

    def __repr__(self) -> str:
        lines = [
            f"  layer {k + 1}: [" + ", ".join(repr(unit) for unit in layer) + "]"
            for k, layer in enumerate(self.layers)
        ]
        header = "TLUNetwork(" if self.name is None else f"TLUNetwork(name={self.name!r},"
        return header + "\n" + "\n".join(lines) + "\n)"


AND = TLU([1, 1], -2, name="AND")
OR = TLU([1, 1], -1, name="OR")
NOT = TLU([-1], 0, name="NOT")
NAND = TLU([-1, -1], 1, name="NAND")
NOR = TLU([-1, -1], 0, name="NOR")
XOR = TLUNetwork([[OR, NAND], [AND]], name="XOR")  # x1 XOR x2 = (x1 OR x2) AND NOT (x1 AND x2)
XNOR = TLUNetwork([[AND, NOR], [OR]], name="XNOR")  # both 1, or both 0


def truth_table(n_inputs: int) -> np.ndarray:
    r"""All :math:`2^n` binary input rows in standard order: row :math:`i` is :math:`i` in binary.

    The first input is the most significant digit, as in a printed truth table.

    Parameters
    ----------
    n_inputs : int
        Number of inputs :math:`n \ge 1`.

    Returns
    -------
    ndarray
        ``(2**n_inputs, n_inputs)`` int64 array of 0s and 1s.

    Examples
    --------
    >>> truth_table(2)
    array([[0, 0],
           [0, 1],
           [1, 0],
           [1, 1]])
    """
    n_inputs = check_size(n_inputs, "n_inputs")
    shifts = np.arange(n_inputs - 1, -1, -1)  # the first input is the most significant bit
    return (np.arange(2**n_inputs)[:, None] >> shifts) & 1


def from_truth_table(outputs: ArrayLike) -> TLUNetwork:
    r"""A two-layer threshold network computing any Boolean function, by sum of products.

    Every row :math:`r` with output 1 gets a hidden *minterm* unit that fires on that row only:

    .. math:: m_r(x) = U\Big(\sum_{j: r_j = 1} x_j - \sum_{j: r_j = 0} x_j - \lvert r \rvert\Big),

    whose net input is 0 at :math:`x = r` and at most :math:`-1` elsewhere (:math:`\lvert r \rvert`
    counts the ones of :math:`r`). The output unit is an OR of the minterms,
    :math:`y = U(\sum_r m_r - 1)`. The constant-false function has no minterm; its network gets a
    single hidden unit that never fires. The constant-true function gets all :math:`2^n` minterms,
    as the construction prescribes. All units use :math:`U(0) = 1`.

    Parameters
    ----------
    outputs : array_like
        The output column of the truth table, length :math:`2^n` (:math:`n \ge 1`), in the order
        of :func:`truth_table`: entry :math:`i` is the output for the binary digits of :math:`i`.

    Returns
    -------
    TLUNetwork
        Hidden layer of minterm units, output layer of one OR unit.

    Examples
    --------
    >>> xor = from_truth_table([0, 1, 1, 0])
    >>> xor(truth_table(2))
    array([0, 1, 1, 0])
    >>> xor
    TLUNetwork(
      layer 1: [TLU(weights=[-1, 1], bias=-1), TLU(weights=[1, -1], bias=-1)]
      layer 2: [TLU(weights=[1, 1], bias=-1)]
    )
    """
    outputs = np.asarray(outputs)
    n_rows = outputs.size
    if outputs.ndim != 1 or n_rows < 2 or n_rows & (n_rows - 1):
        raise ValueError(
            f"outputs must be a 1-D column of length 2**n with n >= 1; got shape {outputs.shape}."
        )
    labels = _as_binary_labels(outputs, n_rows, name="outputs")
    n_inputs = n_rows.bit_length() - 1
    true_rows = truth_table(n_inputs)[labels == 1]
    if true_rows.size == 0:
        hidden = [TLU(np.zeros(n_inputs), -1, name="never")]
    else:
        hidden = [TLU(2 * row - 1, -row.sum()) for row in true_rows]
    return TLUNetwork([hidden, [TLU(np.ones(len(hidden)), -1)]])


@dataclass(frozen=True)
class PerceptronResult:
    """Outcome of :func:`perceptron_fit`: the learned unit and the history of its mistakes.

    The errors per epoch are the learning curve of the perceptron rule. On separable data they
    reach 0 after finitely many epochs (``converged``, if `max_epochs` allows it); on data that
    no unit separates they never do, and the run stops at `max_epochs`.

    Attributes
    ----------
    unit : TLU
        The learned unit (its state after the last epoch).
    converged : bool
        True when an epoch made no mistake: the unit classifies every training sample correctly.
    epochs : int
        Number of epochs run, the last error-free one included.
    errors : list of int
        Number of misclassified samples (weight updates) in each epoch.

    Examples
    --------
    Learning AND from its truth table:

    >>> result = perceptron_fit(truth_table(2), [0, 0, 0, 1])
    >>> result.unit, result.converged
    (TLU(weights=[2, 1], bias=-3), True)
    >>> result.epochs == len(result.errors), result.errors  # one count per epoch, 0 last
    (True, [2, 3, 3, 2, 1, 0])
    >>> result.unit(truth_table(2))  # the learned unit reproduces the table
    array([0, 0, 0, 1])
    >>> perceptron_fit(truth_table(2), [0, 1, 1, 0], max_epochs=5).errors  # XOR: never 0
    [3, 3, 4, 4, 4]
    """

    unit: TLU
    converged: bool
    epochs: int
    errors: list[int] = field(default_factory=list)


def perceptron_fit(
    X: ArrayLike,
    y: ArrayLike,
    lr: float = 1.0,
    max_epochs: int = 100,
    at_zero: float = 1.0,
    rng: np.random.Generator | None = None,
) -> PerceptronResult:
    r"""Rosenblatt's perceptron rule, one sample at a time, from zero weights.

    For each sample :math:`(x, t)` in turn, with prediction :math:`\hat y = U(w \cdot x + b)`:

    .. math:: w \leftarrow w + \eta\,(t - \hat y)\,x, \qquad b \leftarrow b + \eta\,(t - \hat y)

    An epoch visits every sample once; training stops after the first epoch without a mistake
    (converged) or after `max_epochs` (not converged). On linearly separable data the rule stops
    after finitely many updates (Novikoff's theorem); on XOR it never does, and the result says so.
    PyTorch has no perceptron; the rule is the classical one. From zero weights the learning rate
    only rescales :math:`(w, b)`, so the sequence of predictions does not depend on it.

    Parameters
    ----------
    X : array_like
        ``(n_samples, n_features)`` real inputs.
    y : array_like
        ``(n_samples,)`` targets in {0, 1}.
    lr : float, default 1.0
        Learning rate :math:`\eta > 0`.
    max_epochs : int, default 100
        Upper bound on the number of epochs.
    at_zero : {1, 0}, default 1
        The step's value at 0, for training and for the returned unit.
    rng : numpy.random.Generator, optional
        If given, the samples are visited in a new random order each epoch; otherwise in order.

    Returns
    -------
    PerceptronResult
        ``unit``, ``converged``, ``epochs`` and ``errors`` per epoch.

    Examples
    --------
    >>> result = perceptron_fit(truth_table(2), [0, 0, 0, 1])
    >>> result.converged, result.epochs, result.errors
    (True, 6, [2, 3, 3, 2, 1, 0])
    >>> result.unit
    TLU(weights=[2, 1], bias=-3)
    >>> perceptron_fit(truth_table(2), [0, 1, 1, 0], max_epochs=50).converged
    False
    """
    X = _as_feature_matrix(X)
    targets = _as_binary_labels(y, X.shape[0])
    check_positive(lr, "lr")
    max_epochs = check_size(max_epochs, "max_epochs")
    at_zero = _check_at_zero(at_zero)
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator or None; got {type(rng).__name__}.")
    weights, bias = np.zeros(X.shape[1]), 0.0
    errors: list[int] = []
    while len(errors) < max_epochs and (not errors or errors[-1] > 0):
        order = np.arange(X.shape[0]) if rng is None else rng.permutation(X.shape[0])
        mistakes = 0
        for i in order:  # the rule is sequential: each update changes the next prediction
            prediction = float(step(X[i] @ weights + bias, at_zero=at_zero))
            update = lr * (targets[i] - prediction)
            if update:
                weights = weights + update * X[i]
                bias += update
                mistakes += 1
        errors.append(mistakes)
    return PerceptronResult(
        unit=TLU(weights, bias, at_zero=at_zero),
        converged=errors[-1] == 0,
        epochs=len(errors),
        errors=errors,
    )


def separating_unit(X: ArrayLike, y: ArrayLike) -> TLU | None:
    r"""A threshold unit that classifies every sample correctly, or None if none exists.

    Solves the feasibility linear program (with SciPy's :func:`scipy.optimize.linprog`, HiGHS)

    .. math:: \text{find } w, b \quad \text{with} \quad (2 y_i - 1)(w \cdot x_i + b) \ge 1
              \quad \text{for every } i.

    Because :math:`(w, b)` can be scaled, the margin 1 is no restriction: the program is feasible
    exactly when some hyperplane separates the two classes strictly, and then the unit
    :math:`U(w \cdot x + b)` reproduces `y` whatever :math:`U(0)` is. HiGHS decides feasibility
    up to its tolerance (about 1e-7), exact for the small integer problems of the course.

    Parameters
    ----------
    X : array_like
        ``(n_samples, n_features)`` inputs, real-valued or binary.
    y : array_like
        ``(n_samples,)`` labels in {0, 1}: the unit must output ``y[i]`` on row ``X[i]``.

    Returns
    -------
    TLU or None
        A unit with weights :math:`w` and bias :math:`b` from the linear program, or None when
        the program is infeasible: no hyperplane separates the two classes.

    Examples
    --------
    >>> unit = separating_unit(truth_table(2), [0, 1, 1, 1])
    >>> unit(truth_table(2))
    array([0, 1, 1, 1])
    >>> separating_unit(truth_table(2), [0, 1, 1, 0]) is None
    True
    """
    from scipy.optimize import linprog  # deferred: importing nncourse stays light

    X = _as_feature_matrix(X)
    signs = 2.0 * _as_binary_labels(y, X.shape[0]) - 1.0
    augmented = np.hstack([X, np.ones((X.shape[0], 1))])  # the bias is a weight on a constant 1
    result = linprog(
        c=np.zeros(augmented.shape[1]),
        A_ub=-signs[:, None] * augmented,  # -s_i (w.x_i + b) <= -1
        b_ub=-np.ones(X.shape[0]),
        bounds=(None, None),
        method="highs",
    )
    if result.status == 2:
        return None
    if result.status != 0:
        raise RuntimeError(f"linprog could not decide separability: {result.message}")
    return TLU(result.x[:-1], result.x[-1])


def is_linearly_separable(X: ArrayLike, y: ArrayLike) -> bool:
    r"""Whether one threshold unit can classify `X` as `y`: decided by a linear program.

    True exactly when the linear program of :func:`separating_unit` is feasible,

    .. math:: \exists\, w, b: \quad (2 y_i - 1)(w \cdot x_i + b) \ge 1 \quad \forall i.

    Unlike :func:`perceptron_fit`, which can only report that it has not converged yet, this
    decides the question, in both directions.

    Parameters
    ----------
    X : array_like
        ``(n_samples, n_features)`` points, as for :func:`separating_unit`.
    y : array_like
        ``(n_samples,)`` class of each point, 0 or 1.

    Returns
    -------
    bool
        True when some hyperplane has every 1 strictly on one side and every 0 on the other.

    Examples
    --------
    >>> is_linearly_separable(truth_table(2), [0, 0, 0, 1])
    True
    >>> is_linearly_separable(truth_table(2), [0, 1, 1, 0])
    False
    """
    return separating_unit(X, y) is not None
