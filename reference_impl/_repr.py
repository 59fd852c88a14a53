"""``repr(tensor)`` exactly as torch 2.13's ``torch/_tensor_str.py`` prints it, on NumPy.

The algorithm (one formatter per tensor deciding int/scientific mode and a common column
width from the nonzero finite values, summarisation past ``threshold`` elements, line
wrapping at ``linewidth``, suffixes) is torch's; only the array work is NumPy's.
Values are formatted as Python floats/ints (``tolist``), as torch does.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from . import _dtype as D


@dataclasses.dataclass
class _PrinterOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrinterOptions()


def set_printoptions(precision: int | None = None, threshold: float | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None, profile: str | None = None,
                     sci_mode: bool | None = None) -> None:
    """torch.set_printoptions: same options, same profiles, same quirk that sci_mode always resets."""
    if profile is not None:
        defaults = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80), "full": (4, math.inf, 3, 80)}
        if profile in defaults:
            (PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems,
             PRINT_OPTS.linewidth) = defaults[profile]
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs: Any) -> Iterator[None]:
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Formatter:
    """Decides int mode / scientific mode and the column width for one (real) array."""

    def __init__(self, a: np.ndarray) -> None:
        self.floating = a.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = a.reshape(-1)
        if not self.floating:
            for v in flat.tolist():
                self.max_width = max(self.max_width, len(f"{v}"))
            return
        vals = flat[np.isfinite(flat) & (flat != 0)]
        if vals.size == 0:
            return
        absvals = np.abs(vals).astype(np.float64)
        lo, hi = absvals.min(), absvals.max()
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        p = PRINT_OPTS.precision
        if PRINT_OPTS.sci_mode is None:
            with np.errstate(over="ignore"):
                self.sci_mode = bool(hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4)
        else:
            self.sci_mode = PRINT_OPTS.sci_mode
        pyvals = vals.tolist()
        if self.sci_mode:
            width = max(len(f"{v:.{p}e}") for v in pyvals)
        elif self.int_mode:
            width = max(len(f"{v:.0f}") for v in pyvals) + 1
        else:
            width = max(len(f"{v:.{p}f}") for v in pyvals)
        self.max_width = max(self.max_width, width)

    def format(self, value: Any) -> str:
        if self.floating:
            p = PRINT_OPTS.precision
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{p}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{p}f}"
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


def _complex_str(value: complex, f1: _Formatter, f2: _Formatter) -> str:
    real_str = f1.format(value.real)
    imag_str = (f2.format(value.imag) + "j").lstrip()
    if imag_str[0] in "+-":  # handles negative numbers, +0.0, -0.0
        return real_str + imag_str
    return real_str + "+" + imag_str


def _val(value: Any, f1: _Formatter, f2: _Formatter | None) -> str:
    return f1.format(value) if f2 is None else _complex_str(value, f1, f2)


def _vector_str(a: np.ndarray, indent: int, summarize: bool, f1: _Formatter, f2: _Formatter | None) -> str:
    element_length = f1.max_width + 2
    if f2 is not None:
        element_length += f2.max_width + 1
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))
    edge = PRINT_OPTS.edgeitems
    if summarize and not edge:
        data = ["..."]
    elif summarize and a.shape[0] > 2 * edge:
        data = ([_val(v, f1, f2) for v in a[:edge].tolist()] + [" ..."]
                + [_val(v, f1, f2) for v in a[-edge:].tolist()])
    else:
        data = [_val(v, f1, f2) for v in a.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str_with_formatter(a: np.ndarray, indent: int, summarize: bool, f1: _Formatter,
                               f2: _Formatter | None) -> str:
    dim = a.ndim
    if dim == 0:
        return _val(a.item(), f1, f2)
    if dim == 1:
        return _vector_str(a, indent, summarize, f1, f2)
    edge = PRINT_OPTS.edgeitems
    if summarize and a.shape[0] > 2 * edge:
        slices = ([_tensor_str_with_formatter(a[i], indent + 1, summarize, f1, f2) for i in range(edge)]
                  + ["..."]
                  + [_tensor_str_with_formatter(a[i], indent + 1, summarize, f1, f2)
                     for i in range(a.shape[0] - edge, a.shape[0])])
    else:
        slices = [_tensor_str_with_formatter(a[i], indent + 1, summarize, f1, f2) for i in range(a.shape[0])]
    return "[" + ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(slices) + "]"


def _summarized(a: np.ndarray) -> np.ndarray:
    """The elements a summarised print shows (they alone decide the formatter)."""
    edge = PRINT_OPTS.edgeitems
    if a.ndim == 0:
        return a
    if a.ndim == 1:
        return np.concatenate((a[:edge], a[-edge:])) if a.shape[0] > 2 * edge else a
    if not edge:
        return np.empty((0,) * a.ndim, a.dtype)
    rows = range(a.shape[0])
    if a.shape[0] > 2 * edge:
        rows = list(range(edge)) + list(range(a.shape[0] - edge, a.shape[0]))
    return np.stack([_summarized(a[i]) for i in rows])


def _tensor_str(a: np.ndarray, indent: int) -> str:
    if a.size == 0:
        return "[]"
    summarize = a.size > PRINT_OPTS.threshold
    if a.dtype.kind == "c":
        f1 = _Formatter(_summarized(a.real) if summarize else a.real)
        f2 = _Formatter(_summarized(a.imag) if summarize else a.imag)
        return _tensor_str_with_formatter(a, indent, summarize, f1, f2)
    formatter = _Formatter(_summarized(a) if summarize else a)
    return _tensor_str_with_formatter(a, indent, summarize, formatter, None)


def _add_suffixes(tensor_str: str, suffixes: list, indent: int) -> str:
    parts = [tensor_str]
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def tensor_repr(t: Any) -> str:
    """torch's ``_str_intern`` for a plain strided CPU tensor."""
    prefix = "tensor("
    indent = len(prefix)
    a = np.asarray(t._backend.to_numpy(t._data))
    dt = t._dtype
    suffixes = [f"device='{t.device}'"] if t.is_cuda else []  # torch names non-CPU devices first
    default = D.get_default_dtype()
    if a.size == 0:
        if a.ndim != 1:
            suffixes.append("size=" + str(tuple(a.shape)))
        if dt is not default:
            suffixes.append(f"dtype={dt}")
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append("size=" + str(tuple(a.shape)))
        if dt not in (default, D.default_complex_dtype(), D.int64, D.bool_):
            suffixes.append(f"dtype={dt}")
        body = _tensor_str(a, indent)
    if t._grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(t._grad_fn).__name__}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)


FUNCTIONS = {"set_printoptions": set_printoptions, "get_printoptions": get_printoptions,
             "printoptions": printoptions}
METHODS: dict = {}
