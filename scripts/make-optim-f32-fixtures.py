#!/usr/bin/env python3
"""Writes test/fixtures/torch-optim-f32.json: PyTorch's optimisers on float32
parameters (float32 arithmetic), which test/optim.test.ts checks frugal's
float32 update against.

    /usr/bin/python3 scripts/make-optim-f32-fixtures.py

Parameters and gradients come from integer formulas (`initial`, `gradient`
below, repeated in the test) rounded to float32, so the file holds only the
options and the parameters after each of the STEPS steps. One parameter is
2 053 long (frugal's SIMD kernels and their scalar tail), one 7 long.
"""
import json
import os
import re

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures", "torch-optim-f32.json")

SIZES = [2053, 7]
STEPS = 12
# Recorded after the first step (exact agreement is easiest to see) and the last.
RECORDED = [1, STEPS]


def initial(p, i):
    return ((i * 31337 + p * 7) % 4099) / 2049.5 - 1


def gradient(step, p, i):
    return ((i * 7919 + step * 104729 + p * 13) % 2003) / 1001.5 - 1


def snake(name):
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


OPTIMIZERS = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "rmsprop": torch.optim.RMSprop}

CASES = [
    ("adam", {"lr": 2e-4, "betas": [0.5, 0.999]}),
    ("adam", {"lr": 1e-3}),
    ("adam", {"lr": 1e-2, "weightDecay": 0.1, "maximize": True}),
    ("adamw", {"lr": 1e-3, "weightDecay": 0.01}),
    ("sgd", {"lr": 0.05, "momentum": 0.9}),
    ("sgd", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weightDecay": 0.01}),
    ("rmsprop", {"lr": 0.01}),
]


def case(name, options):
    params = [torch.tensor([initial(p, i) for i in range(n)], dtype=torch.float32, requires_grad=True) for p, n in enumerate(SIZES)]
    kwargs = {snake(k): tuple(v) if k == "betas" else v for k, v in options.items()}
    opt = OPTIMIZERS[name](params, **kwargs)
    after = {}
    for step in range(1, STEPS + 1):
        for p, t in enumerate(params):
            t.grad = torch.tensor([gradient(step, p, i) for i in range(SIZES[p])], dtype=torch.float32)
        opt.step()
        if step in RECORDED:
            after[str(step)] = [[float(f"{x:.9g}") for x in t.detach().tolist()] for t in params]  # 9 digits name a float32
    return {"name": name, "options": options, "after": after}


def main():
    torch.set_num_threads(1)
    fixtures = {"sizes": SIZES, "steps": STEPS, "torch": torch.__version__, "cases": [case(*c) for c in CASES]}
    with open(OUT, "w") as f:
        json.dump(fixtures, f, indent=None, separators=(",", ":"))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
