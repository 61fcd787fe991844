#!/usr/bin/env python3
"""Writes test/fixtures/torch-optim.json: PyTorch's reference trajectories for
the optimisers, learning-rate schedules and gradient clipping that
test/optim.test.ts checks frugal against (float64, to ~1e-12).

    apt-get install -y python3-torch      # Debian's PyTorch
    /usr/bin/python3 scripts/make-optim-fixtures.py

Options are written in frugal's camelCase; `torch_kwargs` maps them to
PyTorch's names. Everything is deterministic (fixed seed, float64).
"""
import json
import math
import os
import re

import torch

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures", "torch-optim.json")

SHAPES = [[3, 2], [4]]
STEPS = 6


def snake(name):
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def torch_kwargs(options):
    out = {}
    for k, v in options.items():
        out[snake(k)] = tuple(v) if k == "betas" else v
    return out


def flat(t):
    return [float(x) for x in t.detach().reshape(-1).tolist()]


gen = torch.Generator().manual_seed(1234)


def randn(shape):
    return torch.randn(*shape, generator=gen, dtype=torch.float64)


OPTIMIZERS = {
    "sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
    "rmsprop": torch.optim.RMSprop, "adagrad": torch.optim.Adagrad,
}

# (name, options, groups): groups = per-group option overrides (param i goes to group i)
CASES = [
    ("sgd", {"lr": 0.1}, None),
    ("sgd", {"lr": 0.05, "momentum": 0.9}, None),
    ("sgd", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}, None),
    ("sgd", {"lr": 0.05, "momentum": 0.8, "nesterov": True}, None),
    ("sgd", {"lr": 0.05, "momentum": 0.9, "weightDecay": 0.01, "nesterov": True}, None),
    ("sgd", {"lr": 0.05, "weightDecay": 0.1, "maximize": True}, None),
    ("sgd", {"lr": 0.1, "momentum": 0.5}, [{"lr": 0.01}, {"momentum": 0.9}]),
    ("adam", {"lr": 0.01}, None),
    ("adam", {"lr": 0.01, "betas": [0.8, 0.95], "eps": 1e-6}, None),
    ("adam", {"lr": 0.01, "weightDecay": 0.1}, None),
    ("adam", {"lr": 0.01, "amsgrad": True}, None),
    ("adam", {"lr": 0.02, "maximize": True, "weightDecay": 0.05}, None),
    ("adam", {"lr": 0.01}, [{"lr": 0.003}, {"betas": [0.5, 0.9]}]),
    ("adamw", {"lr": 0.01}, None),
    ("adamw", {"lr": 0.01, "weightDecay": 0.3, "amsgrad": True}, None),
    ("rmsprop", {"lr": 0.01}, None),
    ("rmsprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-6}, None),
    ("rmsprop", {"lr": 0.01, "momentum": 0.9}, None),
    ("rmsprop", {"lr": 0.01, "centered": True}, None),
    ("rmsprop", {"lr": 0.01, "centered": True, "momentum": 0.7, "weightDecay": 0.1}, None),
    ("adagrad", {"lr": 0.1}, None),
    ("adagrad", {"lr": 0.1, "lrDecay": 0.05, "weightDecay": 0.1}, None),
    ("adagrad", {"lr": 0.1, "initialAccumulatorValue": 0.5, "eps": 1e-6, "maximize": True}, None),
]


def optimizer_case(name, options, groups):
    params = [randn(s).requires_grad_(True) for s in SHAPES]
    initial = [flat(p) for p in params]
    grads = [[randn(s) for s in SHAPES] for _ in range(STEPS)]
    if groups is None:
        opt = OPTIMIZERS[name](params, **torch_kwargs(options))
    else:
        opt = OPTIMIZERS[name]([dict(params=[p], **torch_kwargs(g)) for p, g in zip(params, groups)],
                               **torch_kwargs(options))
    trajectory = []
    for step in range(STEPS):
        for p, g in zip(params, grads[step]):
            p.grad = g.clone()
        opt.step()
        trajectory.append([flat(p) for p in params])
    return {
        "name": name, "options": options, "groups": groups, "shapes": SHAPES,
        "params": initial, "grads": [[flat(g) for g in gs] for gs in grads], "trajectory": trajectory,
    }


SCHEDULERS = [
    ("StepLR", {"stepSize": 3, "gamma": 0.5}, "sgd", {"lr": 0.1}, 12),
    ("MultiStepLR", {"milestones": [2, 5, 5, 9], "gamma": 0.3}, "sgd", {"lr": 0.1}, 12),
    ("ExponentialLR", {"gamma": 0.9}, "sgd", {"lr": 0.1}, 12),
    ("CosineAnnealingLR", {"tMax": 5}, "sgd", {"lr": 0.1}, 23),
    ("CosineAnnealingLR", {"tMax": 7, "etaMin": 0.001}, "adam", {"lr": 0.01}, 30),
    ("OneCycleLR", {"maxLr": 0.1, "totalSteps": 20}, "sgd", {"lr": 0.1, "momentum": 0.9}, 20),
    ("OneCycleLR", {"maxLr": 0.01, "epochs": 3, "stepsPerEpoch": 7, "annealStrategy": "linear", "pctStart": 0.25},
     "adam", {"lr": 0.001}, 21),
    ("OneCycleLR", {"maxLr": 0.05, "totalSteps": 25, "threePhase": True, "divFactor": 10, "finalDivFactor": 100,
                    "baseMomentum": 0.8, "maxMomentum": 0.9}, "adam", {"lr": 0.001}, 25),
    ("OneCycleLR", {"maxLr": 0.05, "totalSteps": 10, "cycleMomentum": False}, "sgd", {"lr": 0.1}, 10),
]

SCHED = {
    "StepLR": torch.optim.lr_scheduler.StepLR,
    "MultiStepLR": torch.optim.lr_scheduler.MultiStepLR,
    "ExponentialLR": torch.optim.lr_scheduler.ExponentialLR,
    "CosineAnnealingLR": torch.optim.lr_scheduler.CosineAnnealingLR,
    "OneCycleLR": torch.optim.lr_scheduler.OneCycleLR,
}


def scheduler_case(kind, options, opt_name, opt_options, steps):
    p = torch.zeros(2, requires_grad=True)
    opt = OPTIMIZERS[opt_name]([p], **torch_kwargs(opt_options))
    kwargs = torch_kwargs(options)
    if kind == "CosineAnnealingLR":
        kwargs = {"T_max": options["tMax"], "eta_min": options.get("etaMin", 0)}
    sched = SCHED[kind](opt, **kwargs)
    lrs, momenta = [opt.param_groups[0]["lr"]], []

    def momentum():
        g = opt.param_groups[0]
        return g["betas"][0] if "betas" in g else g.get("momentum")

    momenta.append(momentum())
    for _ in range(steps - 1):
        p.grad = torch.ones(2)
        opt.step()
        sched.step()
        lrs.append(opt.param_groups[0]["lr"])
        momenta.append(momentum())
    return {"kind": kind, "options": options, "optimizer": opt_name, "optimizerOptions": opt_options,
            "lrs": lrs, "momenta": momenta}


def plateau_case(options, metrics):
    p = torch.zeros(2, requires_grad=True)
    opt = torch.optim.SGD([p], lr=1.0)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **torch_kwargs(options))
    lrs = []
    for m in metrics:
        sched.step(m)
        lrs.append(opt.param_groups[0]["lr"])
    return {"kind": "ReduceLROnPlateau", "options": options, "metrics": metrics, "lrs": lrs}


def clip_case(max_norm, norm_type, scale):
    grads = [randn(s) * scale for s in SHAPES]
    params = [torch.zeros(*s, requires_grad=True) for s in SHAPES]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
    return {"maxNorm": max_norm, "normType": "inf" if norm_type == math.inf else norm_type,
            "grads": [flat(g) for g in grads], "totalNorm": float(total), "clipped": [flat(p.grad) for p in params]}


def main():
    fixtures = {
        "torch": torch.__version__,
        "optimizers": [optimizer_case(*c) for c in CASES],
        "schedulers": [scheduler_case(*c) for c in SCHEDULERS],
        "plateau": [
            plateau_case({"patience": 2}, [1.0, 0.9, 0.95, 0.95, 0.95, 0.8, 0.85, 0.86, 0.87, 0.88, 0.7, 0.7]),
            plateau_case({"mode": "max", "factor": 0.5, "patience": 1, "cooldown": 2, "minLr": 0.1},
                         [0.1, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3]),
            plateau_case({"patience": 0, "threshold": 0.1, "thresholdMode": "abs"},
                         [1.0, 0.95, 0.85, 0.8, 0.7, 0.65, 0.5]),
        ],
        "clip": [clip_case(1.0, 2.0, 1.0), clip_case(100.0, 2.0, 1.0), clip_case(0.5, math.inf, 3.0),
                 clip_case(2.0, 1.0, 1.0), clip_case(1.5, 3.0, 2.0)],
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(fixtures, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT} (torch {torch.__version__})")


if __name__ == "__main__":
    main()
