"""torch's dtype objects and its type-promotion rules (not NumPy's).

Promotion follows c10's ResultTypeState: operands are sorted into three priority
classes (dimensioned tensors > zero-dim tensors > Python scalars) and a lower class
only matters when it belongs to a higher *category* (bool < integer < floating < complex).
"""

from __future__ import annotations

import numpy as np

_BOOL, _INT, _FLOAT, _COMPLEX = range(4)


class dtype:
    """A torch dtype: prints as ``torch.float32``; compares by identity."""

    __slots__ = ("name", "np", "itemsize", "is_floating_point", "is_complex", "is_signed", "_differentiable",
                 "_category", "_legacy", "_short", "_rank")

    def __init__(self, name: str, np_dtype: type, category: int, legacy: str, short: str, rank: int):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.itemsize = self.np.itemsize
        self._category = category
        self.is_floating_point = category == _FLOAT
        self.is_complex = category == _COMPLEX
        self._differentiable = category >= _FLOAT  # results of these dtypes get a grad_fn
        self.is_signed = name not in ("bool", "uint8")
        self._legacy = legacy  # "FloatTensor", used in version-counter messages
        self._short = short  # "Float", used in casting messages
        self._rank = rank  # order inside a category

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def to_real(self) -> dtype:
        return {"complex64": float32, "complex128": float64}.get(self.name, self)

    def to_complex(self) -> dtype:
        return {"float16": complex64, "float32": complex64, "float64": complex128}.get(self.name, self)

    def __reduce__(self):
        return (_by_name, (self.name,))


bool_ = dtype("bool", np.bool_, _BOOL, "BoolTensor", "Bool", 0)
uint8 = dtype("uint8", np.uint8, _INT, "ByteTensor", "Byte", 1)
int8 = dtype("int8", np.int8, _INT, "CharTensor", "Char", 1)
int16 = dtype("int16", np.int16, _INT, "ShortTensor", "Short", 2)
int32 = dtype("int32", np.int32, _INT, "IntTensor", "Int", 3)
int64 = dtype("int64", np.int64, _INT, "LongTensor", "Long", 4)
float16 = dtype("float16", np.float16, _FLOAT, "HalfTensor", "Half", 1)
float32 = dtype("float32", np.float32, _FLOAT, "FloatTensor", "Float", 2)
float64 = dtype("float64", np.float64, _FLOAT, "DoubleTensor", "Double", 3)
complex64 = dtype("complex64", np.complex64, _COMPLEX, "ComplexFloatTensor", "ComplexFloat", 2)
complex128 = dtype("complex128", np.complex128, _COMPLEX, "ComplexDoubleTensor", "ComplexDouble", 3)

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64, complex64, complex128)
_BY_NP = {d.np: d for d in ALL}
_NAMES = {d.name: d for d in ALL}


def _by_name(name: str) -> dtype:
    return _NAMES[name]


def from_numpy_dtype(np_dtype: np.dtype) -> dtype:
    try:
        return _BY_NP[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).name}. The only supported types "
            "are: float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint8, "
            "and bool."
        ) from None


_default = [float32]


def get_default_dtype() -> dtype:
    return _default[0]


def set_default_dtype(d: dtype) -> None:
    if not isinstance(d, dtype):
        raise TypeError("invalid dtype object: only floating-point types are supported as the default type")
    if d not in (float16, float32, float64):
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = d


def default_complex_dtype() -> dtype:
    return complex128 if _default[0] is float64 else complex64


def promote_types(a: dtype, b: dtype) -> dtype:
    """torch.promote_types: the smallest dtype both can be cast to without losing category."""
    if a is b:
        return a
    ca, cb = a._category, b._category
    if ca != cb:
        hi, lo = (a, b) if ca > cb else (b, a)
        if hi._category == _COMPLEX and lo._category == _FLOAT:
            return complex128 if lo is float64 or hi is complex128 else hi
        return hi
    if ca == _INT:
        if uint8 in (a, b):  # uint8 with a signed type needs the next wider signed type
            other = b if a is uint8 else a
            return int16 if other is int8 else other
        return a if a._rank > b._rank else b
    return a if a._rank > b._rank else b


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher._category == _COMPLEX:
        return higher
    if lower._category == _COMPLEX:
        return higher.to_complex() if higher._category == _FLOAT else lower
    if higher._category == _FLOAT:
        return higher
    if higher is bool_ or lower._category == _FLOAT:
        return promote_types(higher, lower)
    return higher


def scalar_dtype(value: object) -> dtype:
    """The dtype a Python scalar participates with (already mapped to the defaults)."""
    if isinstance(value, bool):
        return bool_
    if isinstance(value, int):
        return int64
    if isinstance(value, float):
        return _default[0]
    if isinstance(value, complex):
        return default_complex_dtype()
    raise TypeError(f"unsupported scalar {type(value).__name__}")


def result_dtype(*operands: object) -> dtype:
    """Result dtype of an op over tensors and Python scalars, as torch computes it."""
    if len(operands) == 2:  # fast paths: same-dtype tensors, floating tensor with a real scalar
        a, b = operands
        da = getattr(a, "_dtype", None)
        db = getattr(b, "_dtype", None)
        if da is db and da is not None:
            return da
        if db is None and da is not None and da._category >= _FLOAT and (type(b) is float or type(b) is int):
            return da
    dim = zero = wrapped = None
    for x in operands:
        d = getattr(x, "_dtype", None)
        if d is None:
            wrapped = scalar_dtype(x) if wrapped is None else promote_types(wrapped, scalar_dtype(x))
        elif x._data.ndim:
            dim = d if dim is None else promote_types(dim, d)
        else:
            zero = d if zero is None else promote_types(zero, d)
    return _combine(dim, _combine(zero, wrapped))


def can_cast(from_: dtype, to: dtype) -> bool:
    """torch.can_cast: no complex->real, no floating->integral, no non-bool->bool."""
    fc, tc = from_._category, to._category
    if fc == _COMPLEX and tc != _COMPLEX:
        return False
    if fc == _FLOAT and tc < _FLOAT:
        return False
    return not (fc != _BOOL and tc == _BOOL)
