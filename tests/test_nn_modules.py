"""nn: Parameter, Module semantics, layers, losses, init and clip_grad against torch."""

from __future__ import annotations

import math
import warnings
from collections import OrderedDict
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import reference_impl
from tests.helpers import SETTINGS, assert_same, assert_same_graph


def seeded(lib: Any, module: Any, seed: int = 0) -> Any:
    """Give ``module`` the same deterministic parameters in both libraries (init RNGs differ)."""
    rng = np.random.RandomState(seed)
    low = {"running_var": 0.5}  # variances must stay positive
    state = {k: lib.tensor(rng.uniform(low.get(k.split(".")[-1], -0.5), 1.5, tuple(v.shape)).astype("f4"))
             if v.is_floating_point() else v for k, v in module.state_dict().items()}
    module.load_state_dict(state)
    return module


def data(lib: Any, *shape: int, seed: int = 1, requires_grad: bool = True) -> Any:
    arr = np.random.RandomState(seed).randn(*shape).astype(np.float32)
    return lib.tensor(arr, requires_grad=requires_grad)


# --- Parameter ----------------------------------------------------------------------------
def test_parameter_repr_flags_and_int_rejection() -> None:
    assert_same(lambda lib: repr(lib.nn.Parameter(lib.tensor([1.0, 2.0]))))
    assert_same(lambda lib: repr(lib.nn.Parameter(lib.tensor([1, 2]), requires_grad=False)))
    assert_same(lambda lib: lib.nn.Parameter(lib.tensor([1, 2])), expect_error=True)

    def under_no_grad(lib: Any) -> Any:
        with lib.no_grad():
            p = lib.nn.Parameter(lib.ones(2))
        return p.requires_grad, p.is_leaf, type(p * 2).__name__, (p * 2).grad_fn, repr(lib.nn.Parameter())

    assert_same(under_no_grad)


# --- Module registration, traversal, state_dict ----------------------------------------------
class Net:
    """Builds the same custom module class in either library."""

    @staticmethod
    def make(lib: Any) -> Any:
        class Block(lib.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.lin = lib.nn.Linear(3, 4)
                self.register_buffer("scale", lib.ones(4))
                self.register_buffer("tmp", lib.zeros(1), persistent=False)
                self.norm = lib.nn.BatchNorm1d(4)

            def forward(self, x: Any) -> Any:
                return self.norm(self.lin(x)) * self.scale

        class Top(lib.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.block = Block()
                self.shared = lib.nn.Linear(4, 2, bias=False)
                self.alias = self.shared
                self.extra = lib.nn.Parameter(lib.zeros(2))
                self.seq = lib.nn.Sequential(lib.nn.ReLU(), self.shared)

            def forward(self, x: Any) -> Any:
                return self.seq(self.block(x)) + self.extra

        return Top()


def test_module_traversal_order_and_dedup() -> None:
    def traverse(lib: Any) -> Any:
        m = Net.make(lib)
        return ([n for n, _ in m.named_parameters()], [n for n, _ in m.named_buffers()],
                [n for n, _ in m.named_modules()], [n for n, _ in m.named_children()],
                [n for n, _ in m.named_parameters(remove_duplicate=False)],
                [n for n, _ in m.named_modules(remove_duplicate=False)],
                [n for n, _ in m.block.named_parameters(prefix="p", recurse=False)],
                len(list(m.parameters())), len(list(m.buffers())), len(list(m.modules())),
                list(m.state_dict().keys()), list(m.state_dict(keep_vars=True).keys()),
                type(m.state_dict()).__name__, "block" in dir(m), "lin" in dir(m.block))

    assert_same(traverse)


def test_load_state_dict_round_trip_and_strict_errors() -> None:
    def round_trip(lib: Any) -> Any:
        m = seeded(lib, Net.make(lib))
        m2 = Net.make(lib)
        result = m2.load_state_dict(m.state_dict())
        return repr(result), [t for t in m2.state_dict().values()]

    assert_same(round_trip)

    def missing_unexpected(lib: Any) -> Any:
        m = Net.make(lib)
        sd = m.state_dict()
        del sd["block.lin.bias"]
        sd["block.bogus"] = lib.zeros(1)
        sd["other"] = lib.zeros(1)
        return m.load_state_dict(sd)

    assert_same(missing_unexpected, expect_error=True)

    def non_strict(lib: Any) -> Any:
        m = Net.make(lib)
        sd = m.state_dict()
        del sd["extra"]
        sd["zzz"] = lib.zeros(1)
        r = m.load_state_dict(sd, strict=False)
        return r.missing_keys, r.unexpected_keys, repr(r)

    assert_same(non_strict)

    def size_mismatch(lib: Any) -> Any:
        m = Net.make(lib)
        sd = m.state_dict()
        sd["block.lin.weight"] = lib.zeros(2, 2)
        sd["extra"] = 3.0
        return m.load_state_dict(sd)

    assert_same(size_mismatch, expect_error=True)


@pytest.mark.parametrize("case", ["tensor_as_param", "module_slot", "no_attr", "dotted_buffer", "before_init",
                                  "delattr", "not_module"])
def test_setattr_getattr_errors(case: str) -> None:
    def run(lib: Any) -> Any:
        m = lib.nn.Linear(2, 2)
        if case == "tensor_as_param":
            m.weight = lib.zeros(2, 2)
        elif case == "module_slot":
            s = lib.nn.Sequential(lib.nn.ReLU())
            s._modules["0"]  # noqa: B018
            setattr(s, "0", 5)
        elif case == "no_attr":
            return m.nothing
        elif case == "dotted_buffer":
            m.register_buffer("a.b", lib.zeros(1))
        elif case == "before_init":
            class Bad(lib.nn.Module):
                def __init__(self) -> None:
                    self.w = lib.nn.Parameter(lib.zeros(1))
            Bad()
        elif case == "delattr":
            del m.bias
            return [n for n, _ in m.named_parameters()], m.bias
        elif case == "not_module":
            lib.nn.Module().add_module("x", 3)
        return None

    assert_same(run)


def test_repr_nested_and_layers() -> None:
    def build(lib: Any) -> Any:
        nn = lib.nn
        m = nn.Sequential(OrderedDict([
            ("lin", nn.Linear(2, 3)), ("act", nn.ReLU()),
            ("inner", nn.Sequential(nn.Conv2d(1, 2, 3, padding="same"), nn.BatchNorm1d(3),
                                    nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.Tanh()]))),
            ("d", nn.ModuleDict({"a": nn.ELU(), "b": nn.Dropout(0.2)})),
            ("empty", nn.ModuleList())]))
        layers = [nn.Bilinear(2, 3, 4), nn.Embedding(5, 3, padding_idx=0), nn.LayerNorm((3,)),
                  nn.LayerNorm(3, elementwise_affine=False), nn.LeakyReLU(0.2, inplace=True), nn.GELU("tanh"),
                  nn.SiLU(), nn.Softplus(2.0), nn.Softmax(1), nn.LogSoftmax(dim=0), nn.Flatten(),
                  nn.Unflatten(1, (2, 2)), nn.Identity(), nn.Conv1d(2, 4, 3, stride=2, dilation=2, groups=2,
                                                                  bias=False),
                  nn.Conv2d(2, 2, (2, 3), padding=(1, 0)), nn.BatchNorm1d(3, affine=False, momentum=None),
                  nn.MSELoss(), nn.CrossEntropyLoss(), nn.KLDivLoss(), nn.HuberLoss(), nn.BCEWithLogitsLoss(),
                  nn.Sigmoid(), nn.ReLU(inplace=True)]
        return [repr(m)] + [repr(layer) for layer in layers]

    assert_same(build)


def test_sequential_and_container_api() -> None:
    def ops(lib: Any) -> Any:
        nn = lib.nn
        s = nn.Sequential(nn.ReLU(), nn.Tanh(), nn.Sigmoid())
        s.append(nn.Identity())
        sliced = s[1:3]
        del s[0]
        ml = nn.ModuleList([nn.ReLU()])
        ml.extend([nn.Tanh()])
        ml.insert(0, nn.Sigmoid())
        md = nn.ModuleDict([("x", nn.ReLU())])
        md["y"] = nn.Tanh()
        return (len(s), repr(s), repr(sliced), type(s[-1]).__name__, repr(ml), list(md.keys()), "y" in md,
                repr(ml[1:]), len(md))

    assert_same(ops)
    assert_same(lambda lib: lib.nn.Sequential(lib.nn.ReLU())[3], expect_error=True)
    assert_same(lambda lib: lib.nn.ModuleList([lib.nn.ReLU()])[-2], expect_error=True)


def test_modes_hooks_zero_grad_apply_to() -> None:
    def run(lib: Any) -> Any:
        m = seeded(lib, Net.make(lib))
        seen = []
        h1 = m.block.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
        m.block.register_forward_hook(lambda mod, args, out: seen.append(tuple(out.shape)) or out + 1)
        x = data(lib, 5, 3)
        y = m(x)
        y.sum().backward()
        g = m.extra.grad.clone()
        h1.remove()
        y2 = m(x)
        m.zero_grad(set_to_none=False)
        zeroed = (m.extra.grad, m.extra.grad.requires_grad)
        m.zero_grad()
        m.eval()
        modes = [mod.training for mod in m.modules()]
        names = []
        m.apply(lambda mod: names.append(type(mod).__name__))
        m.double()
        dtypes = [str(p.dtype) for p in m.parameters()] + [str(b.dtype) for b in m.buffers()]
        m.requires_grad_(False)
        flags = [p.requires_grad for p in m.parameters()]
        return y, y2, g, zeroed, m.extra.grad, modes, names, seen, dtypes, flags

    assert_same(run)
    assert_same(lambda lib: lib.nn.Linear(2, 2).to(lib.int64), expect_error=True)
    assert_same(lambda lib: lib.nn.Module()(1), expect_error=True)
    assert_same(lambda lib: lib.nn.Module().train("yes"), expect_error=True)


# --- layer forward values, gradients and graphs -----------------------------------------------
LAYERS = {
    "linear": (lambda nn: nn.Linear(3, 4), (5, 3)),
    "linear_nobias_3d": (lambda nn: nn.Linear(3, 2, bias=False), (2, 5, 3)),
    "bilinear": (lambda nn: nn.Bilinear(3, 2, 4), None),
    "relu": (lambda nn: nn.ReLU(), (4, 3)),
    "leaky": (lambda nn: nn.LeakyReLU(0.2), (4, 3)),
    "elu": (lambda nn: nn.ELU(0.5), (4, 3)),
    "gelu": (lambda nn: nn.GELU(), (4, 3)),
    "gelu_tanh": (lambda nn: nn.GELU("tanh"), (4, 3)),
    "silu": (lambda nn: nn.SiLU(), (4, 3)),
    "tanh": (lambda nn: nn.Tanh(), (4, 3)),
    "sigmoid": (lambda nn: nn.Sigmoid(), (4, 3)),
    "softplus": (lambda nn: nn.Softplus(2.0, 1.0), (4, 3)),
    "softmax": (lambda nn: nn.Softmax(dim=1), (4, 3)),
    "logsoftmax": (lambda nn: nn.LogSoftmax(dim=0), (4, 3)),
    "flatten": (lambda nn: nn.Flatten(), (2, 3, 4)),
    "flatten_mid": (lambda nn: nn.Flatten(0, 1), (2, 3, 4)),
    "unflatten": (lambda nn: nn.Unflatten(1, (2, 2)), (3, 4)),
    "identity": (lambda nn: nn.Identity(), (3,)),
    "dropout_eval": (lambda nn: nn.Dropout(0.5).eval(), (3, 4)),
    "layernorm": (lambda nn: nn.LayerNorm(4), (3, 4)),
    "layernorm_2d_nobias": (lambda nn: nn.LayerNorm((2, 4), bias=False), (3, 2, 4)),
    "layernorm_noaffine": (lambda nn: nn.LayerNorm(4, elementwise_affine=False), (3, 4)),
    "batchnorm_train": (lambda nn: nn.BatchNorm1d(3), (5, 3)),
    "batchnorm_train_3d": (lambda nn: nn.BatchNorm1d(3, momentum=None), (4, 3, 2)),
    "batchnorm_eval": (lambda nn: nn.BatchNorm1d(3).eval(), (5, 3)),
    "batchnorm_noaffine": (lambda nn: nn.BatchNorm1d(3, affine=False), (5, 3)),
    "conv1d": (lambda nn: nn.Conv1d(2, 4, 3), (2, 2, 7)),
    "conv1d_unbatched": (lambda nn: nn.Conv1d(2, 3, 2, stride=2, bias=False), (2, 7)),
    "conv1d_groups_dil": (lambda nn: nn.Conv1d(4, 6, 3, dilation=2, groups=2, padding=2), (2, 4, 9)),
    "conv2d": (lambda nn: nn.Conv2d(2, 3, 3), (2, 2, 5, 6)),
    "conv2d_stride_pad": (lambda nn: nn.Conv2d(2, 4, (2, 3), stride=(2, 1), padding=(1, 2)), (1, 2, 5, 5)),
    "conv2d_same": (lambda nn: nn.Conv2d(3, 3, 4, padding="same", dilation=(1, 2), groups=3), (2, 3, 6, 7)),
    "conv2d_valid": (lambda nn: nn.Conv2d(1, 2, 2, padding="valid"), (1, 1, 3, 3)),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_forward_backward_graph(name: str) -> None:
    make, shape = LAYERS[name]

    def run(lib: Any) -> Any:
        layer = seeded(lib, make(lib.nn))
        if shape is None:
            inputs = (data(lib, 5, 3), data(lib, 5, 2, seed=2))
        else:
            inputs = (data(lib, *shape),)
        out = layer(*inputs)
        w = data(lib, *out.shape, seed=3, requires_grad=False)
        (out * w).sum().backward()
        buffers = [b for b in layer.buffers()]
        return out, [x.grad for x in inputs], [p.grad for p in layer.parameters()], buffers

    assert_same(run, rtol=1e-4, atol=1e-5)
    outs = [make(lib.nn) for lib in (torch, reference_impl)]
    seeded(torch, outs[0])
    seeded(reference_impl, outs[1])
    ys = []
    for lib, layer in zip((torch, reference_impl), outs):
        xs = (data(lib, 5, 3), data(lib, 5, 2, seed=2)) if shape is None else (data(lib, *shape),)
        with warnings.catch_warnings():  # warnings were compared above
            warnings.simplefilter("ignore")
            ys.append(layer(*xs))
    assert_same_graph(actual=ys[1], expected=ys[0], what=name)


def test_embedding_padding_idx_grad_and_errors() -> None:
    def run(lib: Any) -> Any:
        emb = seeded(lib, lib.nn.Embedding(6, 3, padding_idx=-1))
        idx = lib.tensor([[0, 5, 2], [2, 2, 1]])
        out = emb(idx)
        (out * out).sum().backward()
        return out, emb.weight.grad, emb.padding_idx, type(out.grad_fn).__name__

    assert_same(run)
    assert_same(lambda lib: lib.nn.Embedding(3, 2)(lib.tensor([3])), expect_error=True)
    assert_same(lambda lib: lib.nn.Embedding(3, 2)(lib.tensor([1.0])), expect_error=True)
    assert_same(lambda lib: lib.nn.Embedding(3, 2, padding_idx=1).weight[1].tolist())


def test_batchnorm_running_stats_over_steps() -> None:
    def run(lib: Any) -> Any:
        bn = seeded(lib, lib.nn.BatchNorm1d(3, momentum=0.3))
        stats = []
        for i in range(3):
            bn(data(lib, 4, 3, seed=i, requires_grad=False))
            stats.append([b.clone() for b in bn.buffers()])
        bn.eval()
        return stats, bn(data(lib, 2, 3, seed=9))

    assert_same(run, rtol=1e-5, atol=1e-6)
    assert_same(lambda lib: lib.nn.BatchNorm1d(3)(lib.ones(1, 3)), expect_error=True)
    assert_same(lambda lib: lib.nn.BatchNorm1d(3)(lib.ones(1, 3, 2, 2)), expect_error=True)


@pytest.mark.parametrize("case", ["channels", "dims", "same_strided", "bad_padding", "layernorm_shape"])
def test_layer_argument_errors(case: str) -> None:
    def run(lib: Any) -> Any:
        nn = lib.nn
        if case == "channels":
            return nn.Conv2d(2, 4, 3)(lib.ones(1, 3, 5, 5))
        if case == "dims":
            return nn.Conv1d(2, 4, 3)(lib.ones(1, 2, 5, 5))
        if case == "same_strided":
            return nn.Conv2d(2, 4, 3, stride=2, padding="same")
        if case == "bad_padding":
            return nn.Conv1d(2, 4, 3, padding="full")
        return nn.LayerNorm(3)(lib.ones(2, 4))

    assert_same(run, expect_error=True)


@given(st.integers(1, 3), st.integers(1, 3), st.integers(0, 2), st.integers(1, 2), st.sampled_from([1, 2]),
       st.integers(0, 10_000))
@SETTINGS
def test_conv2d_hypothesis(kh: int, stride: int, pad: int, dil: int, groups: int, seed: int) -> None:
    def run(lib: Any) -> Any:
        layer = lib.nn.Conv2d(2, 4, (kh, 2), stride=stride, padding=pad, dilation=dil, groups=groups)
        conv = seeded(lib, layer, seed)
        x = data(lib, 2, 2, 6, 5, seed=seed)
        out = conv(x)
        (out * out).sum().backward()
        return out, x.grad, conv.weight.grad, conv.bias.grad

    assert_same(run, rtol=1e-4, atol=1e-4)


# --- losses -----------------------------------------------------------------------------
def _loss_inputs(lib: Any, kind: str) -> tuple:
    rng = np.random.RandomState(4)
    x = lib.tensor(rng.randn(4, 3).astype(np.float32), requires_grad=True)
    if kind == "class":
        return x, lib.tensor([0, 2, 1, 2])
    if kind == "prob":
        p = lib.tensor(rng.uniform(0.05, 0.95, (4, 3)).astype(np.float32), requires_grad=True)
        return p, lib.tensor(rng.uniform(0, 1, (4, 3)).astype(np.float32))
    if kind == "logprob":
        target = lib.tensor(rng.dirichlet(np.ones(3), 4).astype(np.float32))
        return lib.nn.functional.log_softmax(x, 1), target
    return x, lib.tensor(rng.randn(4, 3).astype(np.float32))


LOSSES = {
    "mse": (lambda nn, r: nn.MSELoss(reduction=r), "reg"),
    "l1": (lambda nn, r: nn.L1Loss(reduction=r), "reg"),
    "smooth_l1": (lambda nn, r: nn.SmoothL1Loss(reduction=r, beta=0.5), "reg"),
    "huber": (lambda nn, r: nn.HuberLoss(reduction=r, delta=0.7), "reg"),
    "ce": (lambda nn, r: nn.CrossEntropyLoss(reduction=r), "class"),
    "ce_weighted_smooth": (lambda nn, r: nn.CrossEntropyLoss(weight=nn.Identity()(_w(nn)), reduction=r,
                                                             label_smoothing=0.1), "class"),
    "nll_ignore": (lambda nn, r: nn.NLLLoss(reduction=r, ignore_index=1), "class"),
    "bce": (lambda nn, r: nn.BCELoss(reduction=r), "prob"),
    "bce_logits_pos": (lambda nn, r: nn.BCEWithLogitsLoss(reduction=r, pos_weight=_w(nn)), "reg"),
    "kl": (lambda nn, r: nn.KLDivLoss(reduction=r), "logprob"),
    "kl_log_target": (lambda nn, r: nn.KLDivLoss(reduction=r, log_target=True), "reglog"),
}


def _w(nn: Any) -> Any:
    lib = torch if nn is torch.nn else reference_impl
    return lib.tensor([0.5, 1.0, 2.0])


@pytest.mark.parametrize("reduction", ["none", "mean", "sum", "batchmean"])
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_values_grads_graphs(name: str, reduction: str) -> None:
    make, kind = LOSSES[name]
    if reduction == "batchmean" and not name.startswith("kl"):
        pytest.skip("batchmean is KLDivLoss-only")

    def run(lib: Any) -> Any:
        inp, target = _loss_inputs(lib, "reg" if kind == "reglog" else kind)
        leaf = inp
        if kind == "logprob":
            leaf = inp.grad_fn.next_functions[0][0].variable
        loss = make(lib.nn, reduction)(inp, target)
        loss.sum().backward()
        return loss, leaf.grad

    assert_same(run, rtol=1e-5, atol=1e-6)


# --- init -------------------------------------------------------------------------------
def test_calculate_gain_and_fans() -> None:
    def gains(lib: Any) -> Any:
        init = lib.nn.init
        names = ["linear", "conv2d", "sigmoid", "tanh", "relu", "selu"]
        fans = init._calculate_fan_in_and_fan_out(lib.zeros(4, 3, 2, 5))
        return [init.calculate_gain(n) for n in names] + [init.calculate_gain("leaky_relu", 0.2),
                                                           init.calculate_gain("leaky_relu"), fans]

    assert_same(gains)
    assert_same(lambda lib: lib.nn.init.calculate_gain("foo"), expect_error=True)
    assert_same(lambda lib: lib.nn.init.calculate_gain("leaky_relu", True), expect_error=True)
    assert_same(lambda lib: lib.nn.init.xavier_uniform_(lib.zeros(3)), expect_error=True)
    assert_same(lambda lib: lib.nn.init.kaiming_normal_(lib.zeros(3, 3), mode="fan_avg"), expect_error=True)
    assert_same(lambda lib: lib.nn.init.kaiming_uniform_(lib.zeros(0, 3)).shape)


@pytest.mark.parametrize("fn,kwargs,bound", [
    ("kaiming_uniform_", {"a": math.sqrt(5)}, math.sqrt(6 / (1 + 5)) / math.sqrt(200)),
    ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"}, math.sqrt(6) / math.sqrt(300)),
    ("xavier_uniform_", {"gain": 2.0}, 2.0 * math.sqrt(6 / 500)),
    ("uniform_", {"a": -0.3, "b": 0.1}, 0.3),
])
def test_uniform_inits_respect_bounds(fn: str, kwargs: dict, bound: float) -> None:
    w = reference_impl.nn.Parameter(reference_impl.empty(300, 200))
    out = getattr(reference_impl.nn.init, fn)(w, **kwargs)
    values = w.detach().numpy()
    assert out is w and w.grad_fn is None and w.requires_grad, f"{fn} must return the same leaf"
    assert values.min() >= -bound - 1e-7 and values.max() <= bound + 1e-7, f"{fn} exceeded bound {bound}"
    assert np.abs(values).max() > 0.9 * bound, f"{fn} does not reach its bound {bound}"


@pytest.mark.parametrize("fn,kwargs,std", [
    ("kaiming_normal_", {}, math.sqrt(2 / (1 + 0.01**2)) / math.sqrt(200)),
    ("xavier_normal_", {}, math.sqrt(2 / 500)),
    ("normal_", {"mean": 1.0, "std": 0.5}, 0.5),
])
def test_normal_inits_have_torch_std(fn: str, kwargs: dict, std: float) -> None:
    w = reference_impl.empty(300, 200)
    getattr(reference_impl.nn.init, fn)(w, **kwargs)
    values = w.numpy()
    np.testing.assert_allclose(values.std(), std, rtol=0.03, err_msg=f"{fn} std")


def test_default_layer_init_bounds_match_torch_formula() -> None:
    lin = reference_impl.nn.Linear(50, 40)
    bound = 1 / math.sqrt(50)
    for p in (lin.weight, lin.bias):
        v = p.detach().numpy()
        assert np.abs(v).max() <= bound and np.abs(v).max() > 0.8 * bound, "Linear init outside torch's bound"
    conv = reference_impl.nn.Conv2d(4, 6, 3)
    conv_max = np.abs(conv.weight.detach().numpy()).max()
    assert conv_max <= 1 / math.sqrt(36), "Conv2d init outside torch's bound"
    assert_same(lambda lib: (lib.nn.LayerNorm(3).weight, lib.nn.LayerNorm(3).bias,
                             lib.nn.BatchNorm1d(2).state_dict()))


# --- clip_grad --------------------------------------------------------------------------------
@pytest.mark.parametrize("norm_type", [2.0, 1, float("inf"), 3.0])
@pytest.mark.parametrize("max_norm", [0.1, 100.0])
def test_clip_grad_norm(norm_type: float, max_norm: float) -> None:
    def run(lib: Any) -> Any:
        m = seeded(lib, lib.nn.Linear(3, 2))
        (m(data(lib, 4, 3)) ** 2).sum().backward()
        total = lib.nn.utils.clip_grad_norm_(m.parameters(), max_norm, norm_type=norm_type)
        return total, [p.grad for p in m.parameters()]

    assert_same(run, rtol=1e-5, atol=1e-6)


def test_clip_grad_value_and_nonfinite_error() -> None:
    def run(lib: Any) -> Any:
        m = seeded(lib, lib.nn.Linear(3, 2))
        (m(data(lib, 4, 3)) ** 2).sum().backward()
        return lib.nn.utils.clip_grad_value_(m.parameters(), 0.5), [p.grad for p in m.parameters()]

    assert_same(run)

    def nonfinite(lib: Any) -> Any:
        p = lib.nn.Parameter(lib.ones(2))
        p.grad = lib.tensor([float("inf"), 1.0])
        return lib.nn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)

    assert_same(nonfinite, expect_error=True)
    assert_same(lambda lib: lib.nn.utils.clip_grad_norm_([lib.nn.Parameter(lib.ones(2))], 1.0))
