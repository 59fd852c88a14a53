"""Property 8: training parity. The same Linear-ReLU-Linear model (identical weights) and data
are trained for a few steps by every optimizer configuration (with a scheduler where listed):
loss, gradients, parameters, per-parameter optimizer state and the learning rate must agree
after every step."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st

from conformance.nn_build import build_module, draw_input, draw_params, var_name, with_dtype
from conformance.params import op_params
from conformance.program import Backward, Code, Program
from conformance.registry.optim import OPTIMIZERS

STEPS = 3
# float32 optimizer state compounds rounding over the steps, and divisions by sqrt(v) + eps
# (RMSprop centered, Adam) amplify a one-ulp difference of the operation order: 10x the value
# tolerances there; float64 keeps them exact.
SCALE = {"float32": 10.0, "float64": 1.0}
MODEL = "nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))"


def _model_ctor(dtype: str) -> str:
    ctor = MODEL
    if dtype != "float32":
        ctor = ctor.replace("Linear(3, 4)", with_dtype("Linear(3, 4)", dtype))
        ctor = ctor.replace("Linear(4, 2)", with_dtype("Linear(4, 2)", dtype))
    return ctor


@pytest.mark.parametrize("spec,dtype", op_params("training", OPTIMIZERS, ("float32", "float64")))
def test_training(spec, dtype, conformance):
    @conformance.given(st.data())
    def run(data):
        steps = [draw_input(data, "x", (5, 3), "real", dtype, False),
                 draw_input(data, "t", (5, 2), "real", dtype, False),
                 *build_module("model", _model_ctor(dtype), dtype, draw_params(data, MODEL, dtype, "small"))]
        params = [s.out for s in steps if isinstance(s, Code) and s.leaf]
        steps.append(Code("opt", "torch." + spec.ctor.replace("PARAMS", "model.parameters()"), reads=("model",)))
        if spec.scheduler:
            steps.append(Code("sched", "torch." + spec.scheduler.replace("OPT", "opt"), reads=("opt",)))
        steps.append(Code("loss_fn", "torch.nn.MSELoss()"))
        for k in range(STEPS):
            loss = f"loss_{k}"
            steps += [Code(None, "opt.zero_grad()", reads=("opt",)),
                      Code(loss, "loss_fn(model(x), t)", reads=("loss_fn", "model", "x", "t")),
                      Backward(loss),
                      Code(None, "opt.step()", reads=("opt",))]
            if spec.scheduler:
                steps.append(Code(None, "sched.step()", reads=("sched",)))
            steps.append(Code(f"w_{k}", f"[p.detach().clone() for p in ({', '.join(params)},)]", reads=tuple(params)))
            steps += [Code(var_name(f"state_{k}", p), f"sorted((key, v.clone() if torch.is_tensor(v) else v) "
                           f"for key, v in opt.state[{p}].items())", reads=("opt", p)) for p in params]
            steps.append(Code(f"lr_{k}", "opt.param_groups[0]['lr']", reads=("opt",)))
        conformance.check(Program(tuple(steps)), scale=SCALE[dtype])

    run()
