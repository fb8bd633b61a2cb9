"""The base class of optimizers, :class:`Optimizer`: parameter groups, state, ``zero_grad``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from .._validation import check_positive
from ..nn import Parameter

ParamsT = Iterable[Parameter] | Iterable[dict[str, Any]]


def _check_ordered(params: Any) -> None:
    if isinstance(params, (set, frozenset)):
        raise TypeError(
            "params must be an ordered collection (a list), not a set: the order of a set "
            "changes between runs, and with it the order of updates."
        )


class Optimizer:
    r"""Base class of optimizers, as ``torch.optim.Optimizer``.

    Parameters
    ----------
    params : iterable of Parameter, or iterable of dict
        The parameters to optimize, e.g. ``model.parameters()``; or parameter groups, dicts
        with a ``"params"`` entry and any hyperparameters that override `defaults` for that
        group (e.g. ``[{"params": body, "lr": 0.01}, {"params": head}]``).
    defaults : dict
        The hyperparameters of every group that does not set its own.

    Attributes
    ----------
    param_groups : list of dict
        One dict per group: ``"params"`` (a list of Parameter) and every hyperparameter.
    state : dict
        Per-parameter state, keyed by the :class:`~nncourse.nn.Parameter` object.
    defaults : dict
        The hyperparameters given to the constructor.

    Raises
    ------
    TypeError
        If `params` is a single Parameter or a set, or holds something other than Parameters.
    ValueError
        If `params` is empty, a parameter appears twice, or a hyperparameter is invalid.

    Examples
    --------
    Parameter groups give parts of a model their own hyperparameters; what a group does not set
    comes from the defaults, and the training loop (or a schedule) may change it later:

    >>> from nncourse.nn import Linear
    >>> from nncourse.optim import SGD
    >>> body, head = Linear(4, 3, rng=0), Linear(3, 2, rng=1)
    >>> groups = [{"params": body.parameters(), "lr": 0.01}, {"params": head.parameters()}]
    >>> optimizer = SGD(groups, lr=0.1, momentum=0.9)
    >>> [(group["lr"], group["momentum"]) for group in optimizer.param_groups]
    [(0.01, 0.9), (0.1, 0.9)]
    >>> optimizer.param_groups[1]["lr"] /= 10  # what a learning-rate schedule does
    >>> optimizer.param_groups[1]["lr"]
    0.01

    A new optimizer passes its hyperparameters to ``Optimizer.__init__`` and implements
    ``step()``; here sign descent, :math:`\theta \leftarrow \theta - \gamma \operatorname{sign}(g)`:

    >>> import numpy as np
    >>> class SignDescent(Optimizer):
    ...     def __init__(self, params, lr):
    ...         super().__init__(params, {"lr": lr})  # lr >= 0 is checked by the base class
    ...     def step(self, closure=None):
    ...         for group in self.param_groups:
    ...             for p in group["params"]:
    ...                 p.data -= group["lr"] * np.sign(p.grad)
    >>> from nncourse.nn import Parameter
    >>> w = Parameter([3.0, -1.0])
    >>> optimizer = SignDescent([w], lr=0.5)
    >>> w.grad += [10.0, -0.1]  # the size of the gradient does not matter, only its sign
    >>> optimizer.step()
    >>> w.data
    array([ 2.5, -0.5])
    """

    _nonnegative: tuple[str, ...] = ("lr",)  # the hyperparameters that must be >= 0

    def __init__(self, params: ParamsT, defaults: dict[str, Any]):
        self.defaults = dict(defaults)
        self._check_hyperparameters(self.defaults)
        # as PyTorch's: a parameter's state dict is created empty on first use
        self.state: defaultdict[Parameter, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, (Parameter, dict)):
            raise TypeError(
                "params must be an iterable of Parameters or of dicts (parameter groups); got a "
                f"single {type(params).__name__}. Wrap it in a list: [params]."
            )
        _check_ordered(params)
        groups = list(params)
        if not groups:
            raise ValueError("params is empty: the optimizer got no parameters to optimize.")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        """Raise ValueError for an invalid hyperparameter: one named in ``_nonnegative`` below 0.

        An optimizer with further rules (Nesterov's conditions, Adam's betas) overrides this.
        """
        for name in self._nonnegative:
            check_positive(group[name], name, strict=False)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters, e.g. a layer unfrozen during fine-tuning.

        Hyperparameters missing from `param_group` are taken from ``defaults``; the caller's
        dict is not modified.
        """
        if not isinstance(param_group, dict):
            kind = type(param_group).__name__
            raise TypeError(f"param_group must be a dict with a 'params' entry; got a {kind}.")
        if "params" not in param_group:
            raise ValueError("param_group must have a 'params' entry listing its Parameters.")
        params = param_group["params"]
        _check_ordered(params)
        params = [params] if isinstance(params, Parameter) else list(params)
        for p in params:
            if not isinstance(p, Parameter):
                kind = type(p).__name__
                raise TypeError(
                    f"optimizers update Parameters only; params holds an object of type {kind}."
                )
        ids = {id(p) for p in params}
        if len(ids) != len(params):
            raise ValueError("param_group lists the same Parameter more than once.")
        if ids & {id(p) for group in self.param_groups for p in group["params"]}:
            raise ValueError("some Parameters appear in more than one parameter group.")
        group = {"params": params, **self.defaults}
        group.update((key, value) for key, value in param_group.items() if key != "params")
        self._check_hyperparameters(group)
        self.param_groups.append(group)

    def zero_grad(self) -> None:
        """Reset the gradient of every parameter to zeros (PyTorch's default sets it to None)."""
        for group in self.param_groups:
            for p in group["params"]:
                p.zero_grad()

    def step(self, closure: Callable[[], float] | None = None) -> float | None:
        """Update every parameter once from its ``.grad``; return ``closure()`` if given.

        As in PyTorch, the closure (which may recompute the loss and the gradients) runs before
        the update. Each optimizer writes its algorithm here.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement step()")

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {key}: {group[key]}" for key in sorted(group) if key != "params")
        return "\n".join([*lines, ")"])
