#!/usr/bin/env python3
"""
Builds the PyTorch reference values for the distillation loss (no Python is
needed at test time):

    /usr/bin/python3 scripts/make-distill-fixtures.py

writes test/fixtures/torch-distill.json. Each case has student logits s,
teacher logits t and labels y (float64), a temperature T and a weight alpha,
and PyTorch's

    soft  = F.kl_div(F.log_softmax(s / T, 1), F.softmax(t / T, 1), reduction='batchmean') * T * T
    total = alpha * soft + (1 - alpha) * F.cross_entropy(s, y)

with the gradient of `total` with respect to s.
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(12)
torch.set_default_dtype(torch.float64)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures', 'torch-distill.json')

cases = []
for n, c, T, alpha, scale in [(4, 3, 1.0, 0.5, 1.0), (6, 10, 4.0, 0.9, 3.0), (5, 7, 2.5, 0.3, 5.0), (3, 5, 20.0, 1.0, 10.0), (2, 4, 0.5, 0.0, 2.0)]:
    s = (torch.randn(n, c) * scale).requires_grad_(True)
    t = torch.randn(n, c) * scale
    y = torch.randint(0, c, (n,))
    soft = F.kl_div(F.log_softmax(s / T, 1), F.softmax(t / T, 1), reduction='batchmean') * T * T
    total = alpha * soft + (1 - alpha) * F.cross_entropy(s, y)
    total.backward()
    cases.append({
        'n': n, 'c': c, 'temperature': T, 'alpha': alpha,
        's': s.detach().reshape(-1).tolist(), 't': t.reshape(-1).tolist(), 'y': y.tolist(),
        'soft': soft.item(), 'total': total.item(), 'grad_s': s.grad.reshape(-1).tolist(),
    })

with open(OUT, 'w') as f:
    json.dump({'torch': torch.__version__, 'cases': cases}, f, indent=1)
print(f'wrote {OUT} ({len(cases)} cases)')
