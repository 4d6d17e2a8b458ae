"""torch_bridge never starts a JAX backend: a subprocess where any backend start fails does all of it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import numpy as np
    import torch
    import jaxsched
    import torch_bridge
    from jaxsched.compat import torch as tp

    schedules = [
        jaxsched.warmup_cosine_decay(0.0, 1e-3, warmup_steps=50, decay_steps=900),
        jaxsched.cosine_restarts(0.1, first_period=64, period_mult=2.0),
        jaxsched.warmup_stable_decay(peak_value=0.01, warmup_steps=20, total_steps=1000, decay_steps=0.2),
        tp.OneCycleLR(0.1, total_steps=1000),
        tp.SequentialLR([tp.LinearLR(0.1, 0.1, total_iters=10), tp.MultiplicativeLR(0.1, 0.99)], [10]),
        tp.ChainedScheduler([tp.LinearLR(0.1, 0.1, total_iters=10), tp.ExponentialLR(0.1, 0.999)]),
    ]
    p = [torch.nn.Parameter(torch.zeros(2)) for _ in range(2)]
    opt = torch.optim.AdamW([{"params": [p[0]]}, {"params": [p[1]]}], lr=1e-3)
    lr = torch_bridge.ScheduleLR(opt, schedules[:2])
    wd = torch_bridge.ScheduleLR(opt, schedules[2], field="weight_decay", multiplier=True)
    b1 = torch_bridge.ScheduleLR(opt, schedules[3].momentum(), field="betas[0]")
    for _ in range(1000):
        opt.step()
        for s in (lr, wd, b1):
            s.step()
    assert opt.param_groups[0]["lr"] == float(schedules[0].numpy(1000))
    opt2 = torch.optim.SGD([p[0]], lr=0.1, momentum=0.9)
    for s in schedules[3:]:
        sched = torch_bridge.to_torch(s, opt2)
        assert torch_bridge.from_torch(sched) == s
        bridged = torch_bridge.ScheduleLR(opt2, s)
        for _ in range(1000):
            bridged.step()
    plateau = torch_bridge.ReduceLROnPlateau(opt2, patience=0)
    for m in [1.0, 1.0, 1.0]:
        plateau.step(m)

    import jax._src.xla_bridge as xb
    assert not xb._backends, xb._backends   # nothing was started
    try:
        jaxsched.constant(1.0)(0)
    except RuntimeError as err:             # and starting one really fails here
        print("JAX-BACKEND-REFUSED", type(err).__name__)
    else:
        raise SystemExit("a JAX backend started although JAX_PLATFORMS is bogus")
    print("OK")
""")


def test_torch_bridge_without_jax_backend() -> None:
    env = dict(os.environ, JAX_PLATFORMS="no_such_platform", PYTHONPATH=os.getcwd())
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "JAX-BACKEND-REFUSED" in proc.stdout and proc.stdout.strip().endswith("OK"), proc.stdout
