"""Optimizer base: param_groups, defaults, per-parameter state, state_dict round trips.

Updates run at array level in the parameter's dtype (Python float hyper-parameters act
as scalars of that dtype, as in torch's CPU kernels) and bump the version counters of
what they write, like torch's in-place ops under no_grad.
"""

from __future__ import annotations

import copy
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from .. import _dtype as D
from .._ops._util import wrap
from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad
from ..nn.modules.module import typename, zero_grad_of


class _RequiredParameter:
    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def check_non_negative(*checks: tuple) -> None:
    """torch's constructor checks, in its order: ``("learning rate", lr)`` -> "Invalid learning rate: -1"."""
    for label, value in checks:
        if not 0.0 <= value:
            raise ValueError(f"Invalid {label}: {value}")


def write(t: Tensor, data: Any) -> None:
    """Store ``data`` into ``t`` in place (an in-place op under no_grad)."""
    t._backend.copyto(t._data, data, casting="unsafe")
    t._vc[0] += 1


def zeros_like(p: Tensor, value: float = 0.0) -> Tensor:
    xp = p._backend
    return wrap(xp.full(p._data.shape, value, dtype=p._data.dtype), p._dtype)


def step_tensor(value: float = 0.0) -> Tensor:
    """torch keeps ``state['step']`` as a float32 scalar tensor."""
    return wrap(D.float32.np.type(value), D.float32)


class Optimizer:
    """Base class; subclasses implement ``step``."""

    def __init__(self, params: Any, defaults: dict) -> None:
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or "
                            f"dicts, but got {typename(params)}")
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __getstate__(self) -> dict:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        s = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += "\n"
            s += f"Parameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    s += f"    {key}: {group[key]}\n"
        return s + ")"

    def add_param_group(self, param_group: dict) -> None:
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the "
                            "ordering of tensors in sets will change between runs. Please use a list "
                            "instead.")
        else:
            param_group["params"] = list(params)
        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is " +
                                typename(param))
            if not self.defaults.get("differentiable", None) and not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter "
                                 f"{name}")
            param_group.setdefault(name, default)
        params = param_group["params"]
        if len(params) != len({id(p) for p in params}):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this "
                          "will cause an error; see github.com/pytorch/pytorch/issues/40967 for more "
                          "information",
                          stacklevel=3)
        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
        if not seen.isdisjoint(id(p) for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                zero_grad_of(p, set_to_none)

    def _closure_loss(self, closure: Callable | None) -> Any:
        if closure is None:
            return None
        with enable_grad():
            return closure()

    def step(self, closure: Callable | None = None) -> Any:
        raise NotImplementedError

    # --- state_dict -----------------------------------------------------------------------
    def state_dict(self) -> dict:
        """{'state': {index: state}, 'param_groups': [group with params as indices]} (tensors shared)."""
        mappings: dict = {}
        start = 0
        groups = []
        for group in self.param_groups:
            for i, p in enumerate(group["params"], start):
                mappings.setdefault(id(p), i)
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [mappings[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {mappings[id(k)]: v for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        # Like torch: groups are deep-copied, state tensors are shared unless a cast is needed.
        groups = self.param_groups
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                             "optimizer's group")
        id_map = {old: p for g, s in zip(groups, saved_groups) for old, p in zip(s["params"], g["params"])}
        state: defaultdict = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = {key: _cast(param, value, key) for key, value in v.items()}
            else:
                state[k] = v
        new_groups = []
        for g, s in zip(groups, saved_groups):
            s = dict(s)
            s["params"] = g["params"]
            new_groups.append(s)
        self.__setstate__({"state": state, "param_groups": new_groups})


def _cast(param: Tensor, value: Any, key: Any) -> Any:
    """State tensors follow a floating parameter's dtype; 'step' stays as saved (torch's policy)."""
    if isinstance(value, Tensor):
        return value.to(param.dtype) if key != "step" and param.is_floating_point() else value
    if isinstance(value, dict):
        return {k: _cast(param, v, k) for k, v in value.items()}
    if isinstance(value, Iterable) and not isinstance(value, str):
        return type(value)(_cast(param, v, None) for v in value)
    return value


def params_with_grad(group: dict) -> Iterable[Tensor]:
    return [p for p in group["params"] if p._grad is not None]
