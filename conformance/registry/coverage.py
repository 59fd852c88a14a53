"""Which public ops an implementation exposes, and which of them the registry does not cover.

Public ops are derived from the implementation module itself: callables in its namespace,
in ``nn.functional``, and public ``Tensor`` methods and properties. The exclusion lists below
name what is *not* an op (constructors, predicates, autograd plumbing, random sampling, ...),
each with the reason. A name bound to the very same object as a covered op (``arccos is
acos``) counts as covered: it cannot behave differently in the implementation.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Iterable

from conformance.registry.spec import OpSpec

# namespace functions that are not ops under test -> why
EXCLUDED_FUNCTIONS: dict[str, str] = {
    **{n: "tensor constructor: every program creates its leaves with it"
       for n in ("tensor", "as_tensor", "from_numpy", "zeros", "ones", "empty", "full", "eye", "arange",
                 "linspace", "zeros_like", "ones_like", "empty_like", "full_like")},
    **{n: "random sampling: no deterministic value to compare"
       for n in ("rand", "randn", "randint", "randperm", "rand_like", "randn_like", "randint_like", "normal",
                 "bernoulli", "multinomial", "manual_seed", "seed", "initial_seed", "get_rng_state",
                 "set_rng_state")},
    **{n: "grad-mode / global state: exercised as program steps, not as ops"
       for n in ("no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
                 "is_inference_mode_enabled", "set_default_dtype", "get_default_dtype", "set_printoptions",
                 "get_printoptions", "printoptions", "set_warn_always", "is_warn_always_enabled",
                 "get_backend", "set_backend")},
    **{n: "predicate / metadata query returning a Python value, not a tensor op"
       for n in ("is_tensor", "is_complex", "is_conj", "is_floating_point", "numel", "can_cast", "promote_types",
                 "result_type")},
    **{n: "complex views need complex inputs; complex dtypes are outside this suite"
       for n in ("view_as_real", "view_as_complex")},
}

# Tensor methods that are not ops under test -> why
EXCLUDED_METHODS: dict[str, str] = {
    **{n: "autograd plumbing: exercised as program steps (backward, hooks, detach, grads)"
       for n in ("backward", "register_hook", "register_post_accumulate_grad_hook", "retain_grad",
                 "requires_grad_", "detach", "detach_")},
    **{n: "metadata / conversion to Python or NumPy, not a tensor op"
       for n in ("dim", "ndimension", "nelement", "numel", "size", "element_size", "item", "tolist", "numpy",
                 "is_complex", "is_conj", "is_floating_point", "is_inference", "is_contiguous", "stride",
                 "storage_offset", "data_ptr", "type", "new_tensor", "new_zeros", "new_ones", "new_empty",
                 "new_full", "cpu", "cuda")},
    **{n: "random sampling: no deterministic value to compare"
       for n in ("bernoulli", "bernoulli_", "normal_", "uniform_", "multinomial", "random_", "exponential_")},
}

# Tensor properties that are not ops -> why
EXCLUDED_PROPERTIES: dict[str, str] = {
    n: "autograd state / metadata: observed on every value, not an op"
    for n in ("data", "device", "dtype", "grad", "grad_fn", "is_cuda", "is_leaf", "ndim", "requires_grad",
              "retains_grad", "shape", "layout", "names", "is_sparse", "itemsize", "nbytes", "output_nr",
              "_version")
}

EXCLUDED_NN_FUNCTIONAL: dict[str, str] = {
    "Any": "typing re-export, not a function",
}


def _functions(ns: object, excluded: dict[str, str]) -> dict[str, object]:
    out = {}
    for name in dir(ns):
        if name.startswith("_") or name in excluded:
            continue
        obj = getattr(ns, name)
        if callable(obj) and not inspect.isclass(obj) and not isinstance(obj, types.ModuleType):
            out[name] = obj
    return out


def public_ops(impl: types.ModuleType) -> dict[tuple[str, str], object]:
    """(kind, name) -> object for every public op; kind is function, nn.functional, method, property."""
    out: dict[tuple[str, str], object] = {}
    for name, obj in _functions(impl, EXCLUDED_FUNCTIONS).items():
        out[("function", name)] = obj
    nnf = getattr(getattr(impl, "nn", None), "functional", None)
    if nnf is not None:
        for name, obj in _functions(nnf, EXCLUDED_NN_FUNCTIONAL).items():
            out[("nn.functional", name)] = obj
    tensor = impl.Tensor
    for name in dir(tensor):
        if name.startswith("_"):
            continue
        raw = inspect.getattr_static(tensor, name)
        if isinstance(raw, property):
            if name not in EXCLUDED_PROPERTIES:
                out[("property", name)] = raw
        elif callable(getattr(tensor, name)) and name not in EXCLUDED_METHODS:
            out[("method", name)] = getattr(tensor, name)
    return out


def covered(specs: Iterable[OpSpec]) -> set[tuple[str, str]]:
    """(kind, name) pairs the registry exercises."""
    out = set()
    for s in specs:
        if s.variant == "function":
            if s.target.startswith("nn.functional."):
                out.add(("nn.functional", s.target.removeprefix("nn.functional.")))
            else:
                out.add(("function", s.target))
        elif s.variant in ("method", "inplace"):
            out.add(("method", s.target))
        elif s.variant == "property":
            out.add(("property", s.target))
    return out


def uncovered(impl: types.ModuleType, specs: Iterable[OpSpec]) -> list[str]:
    """Public ops of ``impl`` with no registry entry (and not an alias of a covered one)."""
    ops = public_ops(impl)
    cov = covered(specs)
    covered_objs = {id(obj) for key, obj in ops.items() if key in cov}
    missing = [f"{kind} {name}" for (kind, name), obj in sorted(ops.items())
               if (kind, name) not in cov and id(obj) not in covered_objs]
    return missing


# nn classes / optimizers / schedulers that are not checked by nn_modules or training -> why
EXCLUDED_NN_CLASSES: dict[str, str] = {
    **{n: "container or base class: checked by the module_semantics property (registration, order, flags)"
       for n in ("Module", "Sequential", "ModuleList", "ModuleDict")},
    **{n: "tensor subclass, not a module: checked by module_semantics (parameter / buffer registration)"
       for n in ("Parameter", "Buffer")},
    "Optimizer": "base class: every concrete optimizer has a training configuration",
    "LRScheduler": "base class: every concrete scheduler is used by some training configuration",
}


def _classes(ns: object) -> set[str]:
    return {n for n in dir(ns) if not n.startswith("_") and inspect.isclass(getattr(ns, n))
            and getattr(getattr(ns, n), "__module__", "").split(".")[0] == getattr(ns, "__name__", "").split(".")[0]}


def uncovered_nn(impl: types.ModuleType, module_ops: Iterable[str], optim_ops: Iterable[str],
                 schedulers: Iterable[str]) -> list[str]:
    """Public classes of ``impl.nn`` / ``impl.optim`` / ``impl.optim.lr_scheduler`` with no entry.

    ``module_ops`` are ``nn.<Class>`` names (nn_modules entries), ``optim_ops`` ``optim.<Class>``
    names (training configurations), ``schedulers`` scheduler class names.
    """
    have = set(module_ops) | set(optim_ops) | {f"optim.lr_scheduler.{s}" for s in schedulers}
    out = []
    for prefix, ns in (("nn", getattr(impl, "nn", None)), ("optim", getattr(impl, "optim", None)),
                       ("optim.lr_scheduler", getattr(getattr(impl, "optim", None), "lr_scheduler", None))):
        if ns is None:
            continue
        for cls in sorted(_classes(ns)):
            if cls not in EXCLUDED_NN_CLASSES and f"{prefix}.{cls}" not in have:
                out.append(f"{prefix}.{cls}")
    return out
