"""In-place ops as torch does them: compute out of place, then write into ``self``.

Writing bumps the shared version counter and rebases ``self`` onto the new node. Where
the node saved ``self`` as an input, it gets a snapshot of the old value instead (torch
clones ``original_self`` in that case), and a saved output becomes ``self``'s new version.
"""

from __future__ import annotations

from typing import Any

from .. import _dtype as D
from .._backend import of as backend_of
from .._tensor import Tensor
from ..autograd.grad_mode import state as _grad_state
from ..autograd.graph import _SavedInput, _SavedOutput


def check_inplace(self: Tensor) -> None:
    """Refuse to modify a leaf that requires grad while grad mode records."""
    if self._base is not None and _grad_state.enabled and self.__dict__.get("_no_grad_view"):
        raise RuntimeError(_NO_GRAD_VIEW)
    if _grad_state.enabled and self._grad_fn is None and self._requires_grad:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    if self._inference and not _grad_state.inference:
        raise RuntimeError("Inplace update to inference tensor outside InferenceMode is not allowed.You can "
                           "make a clone to get a normal tensor before doing inplace update.See "
                           "https://github.com/pytorch/rfcs/pull/17 for more details.")


_NO_GRAD_VIEW = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. Given that "
    "this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both "
    "the view and the inplace either both inside the no_grad block (if you don't want the inplace to be "
    "tracked) or both outside (if you want the inplace to be tracked).")


def check_cast(result: D.dtype, self: Tensor) -> None:
    if result is not self._dtype and not D.can_cast(result, self._dtype):
        raise RuntimeError(f"result type {result._short} can't be cast to the desired output type "
                           f"{self._dtype._short}")


def commit(self: Tensor, result: Tensor) -> Tensor:
    """Write ``result`` (an out-of-place result computed from ``self``) into ``self``."""
    check_cast(result._dtype, self)
    if result._data.shape != self._data.shape:
        raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
                           f"{list(result._data.shape)}")
    node = result._grad_fn
    if node is not None and node._saved:
        node._saved = tuple(_snapshot(s, self) for s in node._saved)
    xp = backend_of(self._data)
    if not self._data.flags.writeable:
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to "
                           "a single memory location. Please clone() the tensor before performing the "
                           "operation.")
    with xp.errstate(all="ignore"):
        xp.copyto(self._data, result._data, casting="unsafe")
    self._vc[0] += 1
    if node is not None:
        self._grad_fn, self._out_nr = node, 0
        if node._saved:
            for s in node._saved:
                if type(s) is _SavedOutput:
                    s.data, s.vc, s.version, s.base = self._data, self._vc, self._vc[0], self._base
    return self


def _snapshot(saved: Any, self: Tensor) -> Any:
    if type(saved) is _SavedInput and saved.tensor is self:
        old = Tensor._make(backend_of(self._data).copy(self._data), self._dtype)
        old._grad_fn, old._out_nr, old._requires_grad = self._grad_fn, self._out_nr, self._requires_grad
        return _SavedInput(old)
    return saved
