"""default_collate / default_convert: torch's batch structure rules.

A list of samples becomes one batched value per field: tensors are stacked, numbers become
tensors (Python floats as float64), tuples of fields come back as a *list*, dicts keep keys.
"""

from __future__ import annotations

import collections.abc as abc
from typing import Any

from ... import _dtype as D
from ..._backend import numpy_backend as _np_backend
from ..._ops import creation
from ..._tensor import Tensor

_ERR = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
_NUMPY_TYPE = _np_backend.ndarray


def _is_numpy(x: Any) -> bool:
    return type(x).__module__ == "numpy"


def _stack(batch: list) -> Tensor:
    from ... import stack

    return stack(batch, 0)


def default_collate(batch: list) -> Any:
    elem = batch[0]
    elem_type = type(elem)
    if isinstance(elem, Tensor):
        return _stack(batch)
    if _is_numpy(elem) and elem_type.__name__ not in ("str_", "bytes_"):
        if elem_type.__name__ in ("ndarray", "memmap"):
            if elem.dtype.kind in "SaUO":
                raise TypeError(_ERR.format(elem.dtype))
            return default_collate([creation.as_tensor(b) for b in batch])
        if elem.shape == ():
            return creation.as_tensor(_np_backend.asarray(batch))
    if isinstance(elem, float):
        return creation.tensor(batch, dtype=D.float64)
    if isinstance(elem, int):
        return creation.tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, abc.Mapping):
        collated = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            return elem_type(collated) if elem_type is not dict else collated
        except TypeError:
            return collated
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return elem_type(*(default_collate(list(samples)) for samples in zip(*batch)))
    if isinstance(elem, abc.Sequence):
        it = iter(batch)
        elem_size = len(next(it))
        if not all(len(e) == elem_size for e in it):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))
        if isinstance(elem, tuple):
            return [default_collate(list(samples)) for samples in transposed]
        try:
            return elem_type([default_collate(list(samples)) for samples in transposed])
        except TypeError:
            return [default_collate(list(samples)) for samples in transposed]
    raise TypeError(_ERR.format(elem_type))


def default_convert(data: Any) -> Any:
    """Without auto-batching: NumPy arrays become tensors, containers are converted recursively."""
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if _is_numpy(data) and elem_type.__name__ not in ("str_", "bytes_"):
        if elem_type.__name__ == "ndarray" and data.dtype.kind in "SaUO":
            return data
        return creation.as_tensor(data)
    if isinstance(data, abc.Mapping):
        converted = {key: default_convert(data[key]) for key in data}
        return converted if elem_type is dict else elem_type(converted)
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            return elem_type([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data
