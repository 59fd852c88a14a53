"""Optimizer / lr-scheduler configurations for the training-parity property.

Each entry trains the same small model (same weights, same data) for a few steps on both
sides; parameters, gradients, optimizer state and the learning rate must agree after every step.
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance.registry.spec import FLOAT


@dataclass(frozen=True)
class OptimSpec:
    name: str
    """Unique id used in test ids, e.g. ``optim.SGD.nesterov``."""
    ctor: str
    """Optimizer source after ``torch.``; ``PARAMS`` stands for ``model.parameters()``."""
    scheduler: str | None = None
    """Scheduler source after ``torch.``; ``OPT`` stands for the optimizer."""
    dtypes: tuple[str, ...] = FLOAT

    @property
    def op(self) -> str:
        """Canonical name (``--ops``): ``optim.<Class>``."""
        return self.ctor.split("(", 1)[0]


_STEP = "optim.lr_scheduler.StepLR(OPT, step_size=2, gamma=0.5)"
_COS = "optim.lr_scheduler.CosineAnnealingLR(OPT, T_max=4)"

OPTIMIZERS: tuple[OptimSpec, ...] = (
    OptimSpec("optim.SGD", "optim.SGD(PARAMS, lr=0.1)"),
    OptimSpec("optim.SGD.momentum", "optim.SGD(PARAMS, lr=0.1, momentum=0.9, dampening=0.1)", _STEP),
    OptimSpec("optim.SGD.nesterov", "optim.SGD(PARAMS, lr=0.05, momentum=0.8, nesterov=True)", _COS),
    OptimSpec("optim.SGD.weight_decay", "optim.SGD(PARAMS, lr=0.1, weight_decay=0.01)",
              "optim.lr_scheduler.LambdaLR(OPT, lambda epoch: 0.9 ** epoch)"),
    OptimSpec("optim.SGD.maximize", "optim.SGD(PARAMS, lr=0.1, momentum=0.5, maximize=True)"),
    OptimSpec("optim.Adam", "optim.Adam(PARAMS, lr=0.01)", _STEP),
    OptimSpec("optim.Adam.weight_decay", "optim.Adam(PARAMS, lr=0.01, betas=(0.8, 0.9), weight_decay=0.1)"),
    OptimSpec("optim.Adam.amsgrad", "optim.Adam(PARAMS, lr=0.01, amsgrad=True)", _COS),
    OptimSpec("optim.AdamW", "optim.AdamW(PARAMS, lr=0.01, weight_decay=0.1)", _COS),
    OptimSpec("optim.AdamW.amsgrad", "optim.AdamW(PARAMS, lr=0.01, amsgrad=True, maximize=True)"),
    OptimSpec("optim.RMSprop", "optim.RMSprop(PARAMS, lr=0.01)", _STEP),
    OptimSpec("optim.RMSprop.centered", "optim.RMSprop(PARAMS, lr=0.01, momentum=0.5, centered=True, "
              "weight_decay=0.01)", "optim.lr_scheduler.MultiStepLR(OPT, milestones=[1, 2], gamma=0.5)"),
    OptimSpec("optim.Adagrad", "optim.Adagrad(PARAMS, lr=0.1)", _COS),
    OptimSpec("optim.Adagrad.decay", "optim.Adagrad(PARAMS, lr=0.1, lr_decay=0.01, weight_decay=0.01, "
              "initial_accumulator_value=0.1)", "optim.lr_scheduler.ExponentialLR(OPT, gamma=0.8)"),
)

SCHEDULERS = tuple(sorted({s.scheduler.split("(", 1)[0].rsplit(".", 1)[1] for s in OPTIMIZERS if s.scheduler}))
"""Scheduler classes some configuration uses (coverage)."""
