#!/usr/bin/env python3
"""
The PyTorch side of the `convt-dcgan` workload (bench/convt.ts): the same
ConvTranspose2d 128 -> 64, kernel 4, stride 2, padding 1, float32, batch 64
of 8x8 maps; `fwd_ms` and `fwd_bwd_ms` (input, weight and bias gradients),
the median of 10 repetitions after two warm-ups.

    /usr/bin/python3 bench/convt-torch.py [--threads 2] [--quick]

prints SPEC lines with "impl":"torch". As the shared peer script
(torch_deep.py) does, it re-executes itself with the system OpenBLAS on one
thread and glibc's allocator thresholds raised: Debian's PyTorch is several
times slower without them here.
"""
import argparse
import json
import os
import statistics
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument('--threads', type=int, default=2)
parser.add_argument('--quick', action='store_true')
args = parser.parse_args()

if 'FRUGAL_CONVT_TUNED' not in os.environ:
    os.environ.update(FRUGAL_CONVT_TUNED='1', OMP_NUM_THREADS=str(args.threads), OPENBLAS_NUM_THREADS='1',
                      MALLOC_MMAP_THRESHOLD_='33554432', MALLOC_TRIM_THRESHOLD_='1073741824', MALLOC_TOP_PAD_='268435456')
    os.execv(sys.executable, [sys.executable, *sys.argv])

import torch  # noqa: E402 (after the environment is set)

torch.set_num_threads(args.threads)
torch.manual_seed(0)

batch = 8 if args.quick else 64
layer = torch.nn.ConvTranspose2d(128, 64, 4, stride=2, padding=1)
x = torch.randn(batch, 128, 8, 8, requires_grad=True)
v = torch.randn(batch, 64, 16, 16)
params = [x, *layer.parameters()]


def forward():
    with torch.no_grad():
        return layer(x)


def forward_backward():
    return torch.autograd.grad((layer(x) * v).sum(), params)


def median_ms(fn, reps):
    for _ in range(2):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


reps = 3 if args.quick else 10
for metric, fn in [('fwd_ms', forward), ('fwd_bwd_ms', forward_backward)]:
    line = {'workload': 'convt-dcgan', 'impl': 'torch', 'threads': args.threads, 'metric': metric, 'value': median_ms(fn, reps)}
    if args.quick:
        line['quick'] = True
    print(json.dumps(line))
