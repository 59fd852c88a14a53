"""``autograd.Function``: user-defined forward/backward pairs, as torch runs them.

``MyFn.apply`` runs ``forward`` under no_grad and attaches one ``MyFnBackward`` node
(which is also the ``ctx``) to the tensor outputs. The node is an ordinary
``graph.Node`` whose ``apply`` calls the user's ``backward`` and checks what it returns
with torch's messages, so the engine runs it like any built-in node. Saved tensors go
through ``graph._save``: the same version checks and "backward a second time" errors.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from . import graph
from .engine import zeros_for
from .grad_mode import state as _grad_state


class FunctionCtx:
    """What ``forward``/``setup_context`` may call on ``ctx``."""

    def save_for_backward(self, *tensors: Any) -> None:
        self.to_save = tensors

    def save_for_forward(self, *tensors: Any) -> None:
        self.saved_for_forward = tensors

    def mark_dirty(self, *args: Any) -> None:
        self.dirty_tensors = args

    def mark_non_differentiable(self, *args: Any) -> None:
        self.non_differentiable = args

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = value


class BackwardCFunction(graph.Node, FunctionCtx):
    """Base of every ``<Name>Backward`` node; instances double as the forward's ``ctx``."""

    _forward_cls: type = None  # set on each generated subclass
    _fills_own_grads = True  # the engine leaves missing output grads as None; apply decides

    def __init__(self, next_edges: tuple, is_tensor_input: tuple, needs_input_grad: tuple) -> None:
        graph.Node.__init__(self, next_edges, None, (), ())
        self._is_tensor_input = is_tensor_input
        self.needs_input_grad = needs_input_grad
        self.to_save = None
        self.materialize_grads = True
        self.dirty_tensors = self.non_differentiable = None

    @property
    def saved_tensors(self) -> tuple:
        return self.unpack_saved() if self._saved is not None else ()

    saved_variables = saved_tensors

    def __repr__(self) -> str:
        return f"<torch.autograd.function.{type(self).__name__} object at {hex(id(self))}>"

    def apply(self, grads: list) -> tuple:
        """Run the user's backward and map its result onto this node's tensor-input edges."""
        if self.materialize_grads:
            like = next((g for g in grads if g is not None), None)
            grads = [zeros_for(m, like) if g is None and m is not None else g for g, m in zip(grads, self._meta)]
        fwd = self._forward_cls
        user_fn = fwd.vjp if fwd.vjp is not Function.vjp else fwd.backward
        if fwd.backward is not Function.backward and fwd.vjp is not Function.vjp:
            raise RuntimeError("Implementing both 'backward' and 'vjp' for a custom Function is not allowed. "
                               "You should only implement one of them.")
        result = user_fn(self, *grads)
        return self._check_result(result if type(result) is tuple else (result,))

    def _check_result(self, result: tuple) -> tuple:
        from .._tensor import Tensor

        is_tensor = self._is_tensor_input
        n_in = len(is_tensor)
        if len(result) > n_in and all(r is None for r in result[n_in:]):
            result = result[:n_in]
        if len(result) != n_in:
            raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients (expected "
                               f"{n_in}, got {len(result)})")
        out = []
        for i, (r, tensor_input) in enumerate(zip(result, is_tensor)):
            if not tensor_input:
                if r is not None:
                    raise RuntimeError(f"function {self.name()} returned a gradient different than None at "
                                       f"position {i + 1}, but the corresponding forward input was not a "
                                       "Variable")
                continue
            if r is not None and not isinstance(r, Tensor):
                raise RuntimeError(f"expected Variable or None (got {type(r).__name__})")
            out.append(r)
        return tuple(out)


class Function(FunctionCtx):
    """Subclass with static ``forward``/``backward`` (optionally ``setup_context``); call ``apply``."""

    _backward_cls: type = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._backward_cls = type(cls.__name__ + "Backward", (BackwardCFunction,), {"_forward_cls": cls})
        cls._signature = None

    @staticmethod
    def forward(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple, output: Any) -> Any:
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run forward without recording, then attach one ``<Name>Backward`` node to the outputs."""
        from .._tensor import Tensor

        node_cls = cls._backward_cls
        if node_cls is None:  # Function itself
            return cls.forward(*args, **kwargs)
        new_style = cls.setup_context is not Function.setup_context
        if new_style:
            args = _bind_defaults(cls, args, kwargs)
            kwargs = {}
        is_tensor = tuple(isinstance(a, Tensor) for a in args)
        tensors = [a for a in args if isinstance(a, Tensor)]
        requires = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        grad_on = _grad_state.enabled
        executable = grad_on and any(requires)
        ctx = node_cls(graph.edges_of(tensors) if executable else (), is_tensor, requires)
        _grad_state.enabled = False
        try:
            if new_style:
                output = cls.forward(*args)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        finally:
            _grad_state.enabled = grad_on
        return _wrap_outputs(ctx, tensors, output, executable, grad_on)


def _bind_defaults(cls: type, args: tuple, kwargs: dict) -> tuple:
    """setup_context sees every forward argument, defaults included (torch binds them)."""
    sig = cls._signature
    if sig is None:
        sig = cls._signature = inspect.signature(cls.forward)
    if not kwargs and len(args) == len(sig.parameters):
        return args
    bound = sig.bind(*args, **kwargs)
    bound.apply_defaults()
    return bound.args


def _wrap_outputs(ctx: BackwardCFunction, inputs: list, output: Any, executable: bool, grad_on: bool) -> Any:
    """Give tensor outputs their grad_fn, handle dirty / non-differentiable ones, save tensors."""
    from .._tensor import Tensor

    is_tuple = type(output) is tuple
    outs = list(output) if is_tuple else [output]
    if not is_tuple and not isinstance(output, Tensor):
        return output
    input_ids = {id(t) for t in inputs}
    dirty = {id(t) for t in (ctx.dirty_tensors or ())}
    non_diff = {id(t) for t in (ctx.non_differentiable or ())}
    out_ids = {id(o) for o in outs if isinstance(o, Tensor)}
    if dirty - out_ids:
        raise RuntimeError("Some elements marked as dirty during the forward method were not returned as "
                           "output. The inputs that are modified inplace must all be outputs of the "
                           "Function.")
    for t in ctx.dirty_tensors or ():
        if executable and t._grad_fn is None and t._requires_grad:
            raise RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.")
        t._vc[0] += 1
    meta = []
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor):
            meta.append(None)
            continue
        if id(o) in input_ids and id(o) not in dirty:  # an input returned as is: torch returns a view
            o = outs[i] = _alias(o, grad_on)
        meta.append((o._data.shape, o._dtype))
        differentiable = o._dtype.is_floating_point or o._dtype.is_complex
        if executable and differentiable and id(output if not is_tuple else output[i]) not in non_diff:
            old, old_nr = o._grad_fn, o._out_nr
            o._grad_fn, o._out_nr = ctx, i
            if o._retains_grad:  # a dirty input: its retain_grad follows it
                graph.move_retain(o, old, old_nr)
    ctx._meta = tuple(meta)
    ctx.n_outputs = len(outs)
    if executable:
        _save(ctx, tuple(o if isinstance(o, Tensor) else None for o in outs))
    ctx.to_save = None
    return tuple(outs) if is_tuple else outs[0]


def _alias(t: Any, grad_on: bool) -> Any:
    """torch's view_as(self) of an input returned unchanged (no view under no_grad)."""
    from .._ops.shape import make_view
    from .._tensor import Tensor

    if grad_on:
        return make_view(t, t._data.view())
    alias = Tensor._make(t._data, t._dtype)
    alias._vc = t._vc
    return alias


def _save(ctx: BackwardCFunction, outs: tuple) -> None:
    from .._tensor import Tensor

    to_save = ctx.to_save
    if to_save is None:
        return
    for i, t in enumerate(to_save):
        if t is not None and not isinstance(t, Tensor):
            raise TypeError(f"save_for_backward can only save variables, but argument {i} is of type "
                            f"{type(t).__name__}")
    ctx._saved = tuple(graph._save(t, outs) for t in to_save)


# ---------------------------------------------------------------------------------------
# once_differentiable: backward runs without a graph; differentiating it again errors late
# ---------------------------------------------------------------------------------------
_TWICE = "trying to differentiate twice a function that was marked with @once_differentiable"


class _DelayedError(graph.Node):
    """torch's ``Error`` node: raises only if a second backward actually reaches it."""

    __slots__ = ("n_outputs",)

    def apply(self, grads: list) -> tuple:
        raise RuntimeError(_TWICE)


_DelayedError.__name__ = _DelayedError.__qualname__ = "Error"


def once_differentiable(fn: Callable) -> Callable:
    @functools.wraps(fn)
    def wrapper(ctx: Any, *args: Any) -> Any:
        from .._tensor import Tensor

        prev = _grad_state.enabled
        _grad_state.enabled = False
        try:
            outputs = fn(ctx, *args)
        finally:
            _grad_state.enabled = prev
        if not prev or not any(isinstance(a, Tensor) and a.requires_grad for a in args):
            return outputs
        outs = outputs if type(outputs) is tuple else (outputs,)
        leaves = []
        for v in outs:
            if v is not None:
                v = v.detach()
                v._requires_grad = True
            leaves.append(v)
        node = _DelayedError(graph.edges_of(leaves), None, (),
                             tuple((v._data.shape, v._dtype) if v is not None else None for v in leaves))
        node.n_outputs = len(leaves)
        wrapped = []
        for i, v in enumerate(leaves):
            if v is not None:
                v = Tensor._make(v._data, v._dtype)
                v._grad_fn, v._out_nr = node, i
            wrapped.append(v)
        return tuple(wrapped) if type(outputs) is tuple else wrapped[0]

    return wrapper
