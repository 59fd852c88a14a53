"""The Tensor: a backend array plus autograd bookkeeping.

Only state and autograd plumbing live here; ops are plain functions in ``_ops`` that are
installed as methods by ``reference_impl/__init__.py`` (see ``_ops.methods``).
"""

from __future__ import annotations

import copy
import warnings
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from . import _dtype as D
from . import autograd as _autograd
from ._backend import of as _backend_of
from ._warn import warn_once
from .autograd import graph as _graph
from .autograd.grad_mode import state as _grad_state
from .autograd.graph import RemovableHandle, _HookDict

_NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute "
    "won't be populated during autograd.backward(). If you indeed want the .grad field to be populated "
    "for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor "
    "by mistake, make sure you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 "
    "for more information. (Triggered internally at "
    "/__w/pytorch/pytorch/build/aten/src/ATen/core/TensorBody.h:493.)")
_SCALAR_WARNING = (
    "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
    "Consider using tensor.detach() first. (Triggered internally at "
    "/__w/pytorch/pytorch/torch/csrc/autograd/generated/python_variable_methods.cpp:822.)")
_GRAD_DTYPE_NAMES = {"float16": "c10::Half", "float32": "float", "float64": "double", "int64": "long int",
                     "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
                     "bool": "bool", "complex64": "c10::complex<float>",
                     "complex128": "c10::complex<double>"}


class Size(tuple):
    """torch.Size: a tuple that prints as ``torch.Size([2, 3])``."""

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n


class Tensor:
    __slots__ = ("_data", "_dtype", "_grad_fn", "_vc", "_base", "_inference", "_attr_v", "__weakref__", "__dict__")
    # Fields most tensors never set default here and live in the instance ``__dict__`` once set, so
    # that ``_make`` (every op's result) fills five slots.
    _requires_grad = _retains_grad = False
    _out_nr = 0
    _grad = _acc = _hooks = _post_hooks = None
    # torch's efficient ZeroTensor (sgn's gradient for a real input): immutable; set by the few
    # places that make one, so ordinary tensors pay nothing
    _zerotensor = False

    @staticmethod
    def _make(data: Any, dtype: D.dtype) -> Tensor:
        """The fast constructor every op uses: no checks, no copies."""
        t = object.__new__(Tensor)
        t._data = data
        t._dtype = dtype
        t._grad_fn = t._base = None
        t._vc = [0]
        t._inference = _grad_state.inference
        return t

    def __new__(cls, *args: Any, **kwargs: Any) -> Tensor:
        from ._ops.creation import legacy_tensor

        return legacy_tensor(cls, *args, **kwargs)

    # --- basic properties ----------------------------------------------------------
    @property
    def dtype(self) -> D.dtype:
        return self._dtype

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None) -> Size | int:
        if dim is None:
            return Size(self._data.shape)
        from ._ops.shape import wrap_dim

        return self._data.shape[wrap_dim(dim, self._data.ndim)]

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

    def element_size(self) -> int:
        return self._dtype.itemsize

    def is_floating_point(self) -> bool:
        return self._dtype.is_floating_point

    def is_complex(self) -> bool:
        return self._dtype.is_complex

    def is_inference(self) -> bool:
        return self._inference

    @property
    def device(self) -> Any:
        from ._device import of_backend

        return of_backend(_backend_of(self._data))

    @property
    def is_cuda(self) -> bool:
        return _backend_of(self._data).device_name != "cpu"

    @property
    def _version(self) -> int:
        if self._inference and "_counted" not in self.__dict__:
            raise RuntimeError("Inference tensors do not track version counter.")
        return self._vc[0]

    @property
    def _backend(self) -> Any:
        return _backend_of(self._data)

    # --- autograd state ------------------------------------------------------------
    # A view's ``_attr_v`` is the version at which its history was last set; when the base
    # (or another view of it) is written in place, the history is rebuilt on next use
    # (``_ops.inplace.refresh_view``), as torch's VariableHooks::grad_fn does.
    @property
    def grad_fn(self) -> Any:
        if self._base is not None and self._vc[0] != self._attr_v:
            _graph.refresh_view(self)
        return self._grad_fn

    @property
    def is_leaf(self) -> bool:
        if self._base is not None and self._vc[0] != self._attr_v:
            _graph.refresh_view(self)
        return self._grad_fn is None

    @property
    def requires_grad(self) -> bool:
        if self._requires_grad or self._grad_fn is not None:
            return True
        return _graph._stale_view(self)

    @requires_grad.setter
    def requires_grad(self, value: Any) -> None:
        if type(value) is not bool:
            raise RuntimeError("requires_grad must be a bool")
        if self._grad_fn is not None:
            raise RuntimeError(_NON_LEAF_FLAG if not value else "you can only change requires_grad flags of "
                               "leaf variables.")
        if value and not (self._dtype.is_floating_point or self._dtype.is_complex):
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        if value and self._inference and not _grad_state.inference:
            raise RuntimeError("Setting requires_grad=True on inference tensor outside InferenceMode is not "
                               "allowed.")
        self._requires_grad = value

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if type(requires_grad) is not bool:
            raise TypeError("requires_grad_(): argument 'requires_grad' (position 1) must be bool, not "
                            f"{type(requires_grad).__name__}")
        if self._grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(_NON_LEAF_FLAG)
            return self
        if requires_grad and not (self._dtype.is_floating_point or self._dtype.is_complex):
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        if requires_grad and self._inference and not _grad_state.inference:
            raise RuntimeError("Setting requires_grad=True on inference tensor outside InferenceMode is not "
                               "allowed.")
        self._requires_grad = requires_grad
        return self

    @property
    def grad(self) -> Tensor | None:
        if self._grad_fn is not None and not self._retains_grad and self._grad is None:
            warnings.warn(_NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError("assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value._dtype is not self._dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_GRAD_DTYPE_NAMES[value._dtype.name]}' to "
                    f"a tensor with grad_dtype '{self._dtype._short}'. The gradient must match the tensor's "
                    "grad_dtype (defaults to the tensor's dtype). You can set the tensor's grad_dtype "
                    "attribute with a specific dtype, or None to allow any dtype. Set grad_dtype with "
                    "caution. Diverging the dtypes of a tensor and its gradient may break downstream "
                    "systems that assume they match.")
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value._data.shape)}' to a tensor of "
                    f"size '{list(self._data.shape)}'. Please ensure that the gradient and the tensor are "
                    "the same size")
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def retain_grad(self) -> None:
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        node = self.grad_fn
        if node is None or self._retains_grad:
            return
        self._retains_grad = True
        if node._retain is None:
            node._retain = {}
            node._hooked = True
        node._retain[self._out_nr] = weakref.ref(self)

    def register_hook(self, hook: Callable) -> RemovableHandle:
        """hook(grad) runs when this tensor's gradient is computed; a non-None return replaces it."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        node = self.grad_fn
        if node is None:  # leaf: its AccumulateGrad reads the tensor's own hooks
            if self._hooks is None:
                self._hooks = _HookDict()
            hooks = self._hooks
        else:
            if node._tensor_hooks is None:
                node._tensor_hooks = {}
                node._hooked = True
            hooks = node._tensor_hooks.setdefault(self._out_nr, _HookDict())
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def register_post_accumulate_grad_hook(self, hook: Callable) -> RemovableHandle:
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if self._post_hooks is None:
            self._post_hooks = _HookDict()
        handle = RemovableHandle(self._post_hooks)
        self._post_hooks[handle.id] = hook
        return handle

    def backward(self, gradient: Tensor | None = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        _autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self) -> Tensor:
        """A new leaf sharing data and version counter, cut off from the graph."""
        t = Tensor._make(self._data, self._dtype)
        t._vc = self._vc
        t._inference = self._inference
        if self._inference and not _grad_state.inference:
            # torch: ADInplaceOrView, which would share the counter, skips inference tensors, so
            # detach's shallow copy keeps its own fresh, enabled counter (in-place writes are allowed)
            t._vc = [0]
            t.__dict__["_counted"] = True
        return t

    def detach_(self) -> Tensor:
        if self._base is not None and self._grad_fn is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead. If you are using "
                               "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view "
                               "is set as True, gradients are views of DDP buckets, and hence detach_() "
                               "cannot be called on these gradients. To fix this error, please refer to "
                               "the Optimizer.zero_grad() function in torch/optim/optimizer.py as the "
                               "solution.")
        self._grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self) -> Tensor:
        t = Tensor._make(self._data, self._dtype)
        return t

    @data.setter
    def data(self, value: Tensor) -> None:
        self._data = value._data
        self._dtype = value._dtype

    @property
    def _is_view_(self) -> bool:
        return self._base is not None

    def _is_view(self) -> bool:
        return self._base is not None

    # --- conversion to Python --------------------------------------------------------
    def numpy(self, *, force: bool = False) -> Any:
        xp = _backend_of(self._data)
        if xp.device_name != "cpu" and not force:
            raise TypeError(f"can't convert {xp.device_name} device type tensor to numpy. Use Tensor.cpu() to "
                            "copy the tensor to host memory first.")
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                               "instead.")
        return _backend_of(self._data).to_numpy(self._data)

    def tolist(self) -> Any:
        return _backend_of(self._data).tolist(self._data)

    def item(self) -> Any:
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return _backend_of(self._data).item(self._data)

    def _scalar(self, kind: type) -> Any:
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        if self.requires_grad and kind is not int:  # TORCH_WARN_ONCE in __float__/__complex__, not __int__
            warn_once(_SCALAR_WARNING, stacklevel=3)
        return kind(self.item())

    def __float__(self) -> float:
        return self._scalar(float)

    def __int__(self) -> int:
        return self._scalar(int)

    def __complex__(self) -> complex:
        return self._scalar(complex)

    def __index__(self) -> int:
        if self._dtype.is_floating_point or self._dtype.is_complex or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with no values is ambiguous" if self._data.size == 0
                               else "Boolean value of Tensor with more than one value is ambiguous")
        return bool(self.item())

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self, *, tensor_contents: Any = None) -> str:
        from ._repr import tensor_repr

        return tensor_repr(self)

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0 and spec:
            return self.item().__format__(spec)
        return repr(self)

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        a = self.numpy(force=not self.is_cuda)  # torch refuses to hand out device memory
        return a if dtype is None else a.astype(dtype)

    def __deepcopy__(self, memo: dict) -> Tensor:
        """torch's Tensor.__deepcopy__: leaves only; a copy of the memory (views copied in one deepcopy
        keep sharing it, with their layout), requires_grad, a deep copy of ``.grad`` and of the
        attributes a user set on the tensor."""
        if not self.is_leaf:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at "
                "the moment.  If you were attempting to deepcopy a module, this may be because of a "
                "torch.nn.utils.weight_norm usage, see https://github.com/pytorch/pytorch/pull/103001")
        if id(self) in memo:
            return memo[id(self)]
        new = Tensor._make(_copy_memory(self._data, memo), self._dtype)
        new.__class__ = type(self)
        new._vc[0] = 1  # torch set_()s a new tensor to the copied storage: one version, a counter of its own
        if self.requires_grad:
            new._requires_grad = True
        if self._grad is not None:
            new._grad = copy.deepcopy(self._grad, memo)
        for key, value in self.__dict__.items():
            if key not in _INTERNAL_ATTRS:
                new.__dict__[key] = copy.deepcopy(value, memo)
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, proto: int) -> Any:
        xp = _backend_of(self._data)
        return (_rebuild, (self.numpy(force=True).copy(), self._dtype.name, self.requires_grad, xp.name,
                           xp.device_name))


# Tensor fields that live in the instance __dict__ once set (see the class defaults): not user attributes
_INTERNAL_ATTRS = frozenset({"_requires_grad", "_retains_grad", "_out_nr", "_grad", "_acc", "_hooks", "_post_hooks",
                             "_zerotensor", "_view_meta", "_counted"})


def _copy_memory(data: Any, memo: dict) -> Any:
    """A copy of ``data`` for deepcopy. Views of one buffer copied in the same deepcopy share the copy
    of that buffer (torch deep-copies the storage once per memo) and keep their strides."""
    if type(data) is not np.ndarray:
        return data.deepcopy_sharing(memo)  # a torch-backend buffer
    root = data
    while isinstance(root.base, np.ndarray):
        root = root.base
    key = ("storage", id(root))
    copied = memo.get(key)
    if copied is None:
        copied = memo[key] = root.copy(order="K")
        memo.setdefault(id(memo), []).append(root)  # keep ``root`` alive: copy's own convention for memo keys
    if copied.strides != root.strides:  # ("K" keeps a C or F buffer's strides; anything else is copied)
        return data.copy(order="K")
    offset = data.__array_interface__["data"][0] - root.__array_interface__["data"][0]
    return np.ndarray(data.shape, data.dtype, buffer=copied, offset=offset, strides=data.strides)


def _rebuild(array: Any, dtype_name: str, requires_grad: bool, backend: str = "numpy",
             device: str = "cpu") -> Tensor:
    if backend != "numpy":  # a torch-backend buffer comes back on its device
        from ._backend import torch_backend

        array = torch_backend.for_device(device).asarray(array)
    t = Tensor._make(array, D._by_name(dtype_name))
    t._requires_grad = requires_grad
    return t


_NON_LEAF_FLAG = ("you can only change requires_grad flags of leaf variables. If you want to use a "
                  "computed variable in a subgraph that doesn't require differentiation use var_no_grad = "
                  "var.detach().")
