"""``torch.nn`` layers and losses: one entry per module configuration.

The nn property builds each module in both namespaces from the same constructor source, then
overwrites every parameter with the same generated values (so random init never matters),
calls it on generated inputs and backpropagates a generated gradient: forward values,
``grad_fn`` names and the gradients of inputs *and* parameters must agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance.registry.spec import FLOAT

Input = tuple[tuple[int, ...], str]
"""(shape, domain): a value domain of ``strategies.values.DOMAINS``, or ``index:N`` for int64
class indices in ``[0, N)`` (targets, embedding lookups), which never require grad."""


@dataclass(frozen=True)
class ModuleSpec:
    """How to build and call one module configuration."""

    name: str
    """Unique id used in test ids, e.g. ``nn.Linear``, ``nn.MSELoss.sum``."""
    ctor: str
    """Constructor source after ``torch.``, e.g. ``nn.Linear(3, 4)``."""
    inputs: tuple[Input, ...]
    grad_inputs: tuple[int, ...] = (0,)
    """Which inputs require grad."""
    factory: bool = False
    """The constructor takes ``dtype=`` (modules with parameters or buffers)."""
    mode: str | None = None
    """``train`` / ``eval``: called before the forward (None: a fresh module, i.e. train)."""
    buffers: tuple[str, ...] = ()
    """Buffers read back after the forward (running statistics)."""
    dtypes: tuple[str, ...] = FLOAT

    @property
    def op(self) -> str:
        """Canonical name (``--ops`` filtering, coverage): ``nn.<Class>``."""
        return "nn." + self.ctor.split("(", 1)[0].removeprefix("nn.")

    @property
    def cls(self) -> str:
        return self.op.removeprefix("nn.")


def _m(name: str, ctor: str, *inputs: Input, **kw: object) -> ModuleSpec:
    return ModuleSpec(name=f"nn.{name}", ctor=f"nn.{ctor}", inputs=inputs, **kw)  # type: ignore[arg-type]


X = ((2, 3), "real")
_BN = ("running_mean", "running_var", "num_batches_tracked")

LAYERS: tuple[ModuleSpec, ...] = (
    _m("Linear", "Linear(3, 4)", X, factory=True),
    _m("Linear.nobias", "Linear(3, 4, bias=False)", X, factory=True),
    _m("Bilinear", "Bilinear(2, 3, 4)", ((2, 2), "real"), X, grad_inputs=(0, 1), factory=True),
    _m("Identity", "Identity()", X),
    _m("Flatten", "Flatten()", ((2, 3, 2), "real")),
    _m("Flatten.dims", "Flatten(0, 1)", ((2, 3, 2), "real")),
    _m("Unflatten", "Unflatten(1, (2, 3))", ((2, 6), "real")),
    _m("Dropout.eval", "Dropout(0.5)", X, mode="eval"),
    _m("Dropout.p0", "Dropout(0.0)", X, mode="train"),
    _m("ReLU", "ReLU()", ((2, 3), "nonzero")),
    _m("LeakyReLU", "LeakyReLU(0.2)", ((2, 3), "nonzero")),
    _m("ELU", "ELU(alpha=0.5)", ((2, 3), "nonzero")),
    _m("GELU", "GELU()", X),
    _m("GELU.tanh", "GELU(approximate='tanh')", X),
    _m("SiLU", "SiLU()", X),
    _m("Tanh", "Tanh()", X),
    _m("Sigmoid", "Sigmoid()", X),
    _m("Softplus", "Softplus(beta=2, threshold=1)", X),
    _m("Softmax", "Softmax(dim=1)", X),
    _m("LogSoftmax", "LogSoftmax(dim=-1)", X),
    _m("Embedding", "Embedding(5, 3)", ((2, 3), "index:5"), grad_inputs=(), factory=True),
    _m("Embedding.padding_idx", "Embedding(5, 3, padding_idx=0)", ((2, 3), "index:5"), grad_inputs=(),
       factory=True),
    _m("LayerNorm", "LayerNorm(3)", X, factory=True),
    _m("LayerNorm.2d", "LayerNorm((2, 3), elementwise_affine=True)", ((4, 2, 3), "real"), factory=True),
    _m("BatchNorm1d.train", "BatchNorm1d(3)", ((4, 3), "real"), factory=True, mode="train", buffers=_BN),
    _m("BatchNorm1d.train3d", "BatchNorm1d(3, momentum=0.3)", ((4, 3, 2), "real"), factory=True, mode="train",
       buffers=_BN),
    _m("BatchNorm1d.eval", "BatchNorm1d(3)", ((4, 3), "real"), factory=True, mode="eval", buffers=_BN),
    _m("Conv1d", "Conv1d(2, 3, 3)", ((2, 2, 5), "real"), factory=True),
    _m("Conv1d.stride_pad", "Conv1d(2, 4, 2, stride=2, padding=1, bias=False)", ((1, 2, 5), "real"),
       factory=True),
    _m("Conv2d", "Conv2d(2, 3, 3)", ((1, 2, 4, 4), "real"), factory=True),
    _m("Conv2d.stride_pad", "Conv2d(1, 2, (2, 3), stride=2, padding=1)", ((2, 1, 4, 5), "real"), factory=True),
)

REDUCTIONS = ("mean", "sum", "none")


def _loss(cls: str, *inputs: Input, variant: str = "", extra: str = "", grad_inputs: tuple[int, ...] = (0,),
          reductions: tuple[str, ...] = REDUCTIONS) -> tuple[ModuleSpec, ...]:
    """One entry per reduction: ``nn.<cls>[.<variant>].<reduction>``."""
    prefix = f"{cls}.{variant}" if variant else cls
    return tuple(_m(f"{prefix}.{r}", f"{cls}(reduction='{r}'{extra})", *inputs, grad_inputs=grad_inputs)
                 for r in reductions)


_PAIR = (((3, 2), "real"), ((3, 2), "real"))
LOSSES: tuple[ModuleSpec, ...] = (
    *_loss("MSELoss", *_PAIR, grad_inputs=(0, 1)),
    *_loss("L1Loss", *_PAIR, grad_inputs=(0, 1)),
    *_loss("SmoothL1Loss", *_PAIR, extra=", beta=0.5", grad_inputs=(0, 1)),
    *_loss("HuberLoss", *_PAIR, extra=", delta=0.7", grad_inputs=(0, 1)),
    *_loss("CrossEntropyLoss", ((3, 4), "real"), ((3,), "index:4")),
    *_loss("CrossEntropyLoss", ((3, 4), "real"), ((3,), "index:4"), variant="smoothing", extra=", label_smoothing=0.1"),
    *_loss("NLLLoss", ((3, 4), "real"), ((3,), "index:4")),
    *_loss("BCELoss", ((3, 2), "prob"), ((3, 2), "prob")),
    *_loss("BCEWithLogitsLoss", ((3, 2), "real"), ((3, 2), "prob")),
    *_loss("KLDivLoss", ((3, 2), "low"), ((3, 2), "prob"), grad_inputs=(0, 1),
           reductions=REDUCTIONS + ("batchmean",)),
    *_loss("KLDivLoss", ((3, 2), "low"), ((3, 2), "low"), variant="log_target", extra=", log_target=True",
           grad_inputs=(0, 1), reductions=("mean", "sum")),
)


MODULES: tuple[ModuleSpec, ...] = LAYERS + LOSSES
_NAMES = [m.name for m in MODULES]
if len(set(_NAMES)) != len(_NAMES):
    raise ValueError(f"duplicate nn module entries: {sorted({n for n in _NAMES if _NAMES.count(n) > 1})}")
