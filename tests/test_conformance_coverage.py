"""Registry coverage: every public op of the implementation has an entry; entries are sound."""

from __future__ import annotations

import pytest
import torch

from conformance.registry import MODULES, OPTIMIZERS, REGISTRY, get
from conformance.registry.coverage import public_ops, uncovered, uncovered_nn
from conformance.registry.optim import SCHEDULERS
from conformance.strategies.cases import CASES
from conformance.strategies.values import DOMAINS

# The ops the original issue asked for, by canonical name: none may silently disappear.
ISSUE_OPS = """add sub rsub mul div floor_divide remainder neg pow reciprocal square abs sign sqrt rsqrt exp exp2
log log2 log10 log1p expm1 sin cos tan asin acos atan atan2 sinh cosh tanh sigmoid relu clamp clamp_min clamp_max
maximum minimum where lerp floor ceil round trunc frac eq ne lt le gt ge logical_and logical_or logical_xor
logical_not bitwise_not bitwise_and bitwise_or bitwise_xor isnan isinf isfinite sum mean prod max min amax amin
argmax argmin var std norm logsumexp cumsum cumprod all any matmul mm bmm dot mv outer t T mT view reshape flatten
unflatten squeeze unsqueeze expand expand_as repeat transpose permute contiguous clone cat stack split chunk narrow
flip getitem gather scatter index_select masked_fill to float double half long int bool type_as softmax
log_softmax gelu silu elu leaky_relu softplus linear mse_loss l1_loss smooth_l1_loss nll_loss cross_entropy
binary_cross_entropy binary_cross_entropy_with_logits""".split()


def test_every_public_op_of_the_implementation_has_a_registry_entry():
    impl = pytest.importorskip("reference_impl")
    assert len(public_ops(impl)) > 100  # the derivation itself works
    missing = uncovered(impl, REGISTRY)
    assert not missing, "public ops without a registry entry (add one, or exclude a non-op with a reason " \
                        f"in conformance/registry/coverage.py): {missing}"


def test_torch_itself_is_mostly_out_of_scope_but_derivable():
    ops = public_ops(torch)
    assert ("function", "exp") in ops and ("method", "exp_") in ops


def test_issue_ops_are_all_registered():
    ops = {s.op for s in REGISTRY}
    assert not [o for o in ISSUE_OPS if o not in ops]


def test_variants_present_for_core_ops():
    for name in ("exp", "exp.method", "exp_.inplace", "mul.op", "mul_.inplace", "pow.scalar_base_op",
                 "pow.scalar_exp", "clamp_tensor", "max_dim", "getitem.basic", "getitem.advanced"):
        assert get(name)


@pytest.mark.parametrize("spec", REGISTRY, ids=lambda s: s.name)
def test_entry_is_well_formed(spec):
    assert spec.case in CASES
    assert all(d in DOMAINS for d in spec.inputs)
    assert spec.dtypes and (spec.tol_scale == 1.0 or spec.tol_reason)
    assert spec.variant != "inplace" or spec.target.endswith("_")


# The layers and losses the nn issue asked for: none may silently disappear.
ISSUE_MODULES = """Linear Bilinear Identity Flatten Unflatten Dropout ReLU LeakyReLU ELU GELU SiLU Tanh Sigmoid Softplus
Softmax LogSoftmax Embedding LayerNorm BatchNorm1d Conv1d Conv2d MSELoss L1Loss SmoothL1Loss HuberLoss
CrossEntropyLoss NLLLoss BCELoss BCEWithLogitsLoss KLDivLoss""".split()


def test_every_nn_class_optimizer_and_scheduler_of_the_implementation_has_an_entry():
    impl = pytest.importorskip("reference_impl")
    missing = uncovered_nn(impl, [m.op for m in MODULES], [o.op for o in OPTIMIZERS], SCHEDULERS)
    assert not missing, ("nn / optim classes without an nn_modules entry or training configuration (add one, "
                         f"or exclude a non-module with a reason in conformance/registry/coverage.py): {missing}")


def test_nn_coverage_derivation_sees_torch_classes():
    missing = uncovered_nn(torch, [m.op for m in MODULES], [o.op for o in OPTIMIZERS], SCHEDULERS)
    assert "nn.Conv3d" in missing and "optim.LBFGS" in missing and "nn.Linear" not in missing


def test_issue_modules_have_entries_with_every_reduction():
    ops = {m.op for m in MODULES}
    assert not [c for c in ISSUE_MODULES if f"nn.{c}" not in ops]
    for loss in [c for c in ISSUE_MODULES if c.endswith("Loss")]:
        ctors = [m.ctor for m in MODULES if m.op == f"nn.{loss}"]
        for red in ("mean", "sum", "none"):
            assert any(f"reduction='{red}'" in c for c in ctors), (loss, red)
    assert any("eval" == m.mode for m in MODULES if m.op == "nn.BatchNorm1d")
    assert any("train" == m.mode for m in MODULES if m.op == "nn.BatchNorm1d")


def test_module_entries_construct_under_torch():
    for m in MODULES:
        module = eval("torch." + m.ctor, {"torch": torch})
        assert isinstance(module, torch.nn.Module), m.name
