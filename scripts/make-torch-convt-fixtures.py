#!/usr/bin/env python3
"""
Builds the PyTorch reference fixtures for ConvTranspose2d and Upsample (no
Python is needed at test time): each layer with fixed weights and inputs in
float64, its output, and the gradients of a weighted sum of the output with
respect to the input and every parameter.

    /usr/bin/python3 scripts/make-torch-convt-fixtures.py

writes test/fixtures/torch-convt.json in the layout of torch-layers.json
(scripts/make-torch-fixtures.py), so the same runner reads both.
"""
import json
import os

import torch
import torch.nn as tnn

torch.manual_seed(4321)
torch.set_default_dtype(torch.float64)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures')


def T(t):
    t = t.detach()
    return {'shape': list(t.shape), 'data': t.reshape(-1).tolist(), 'dtype': 'float64'}


cases = []


def case(name, ours, module, x):
    module = module.double()
    params_before = {k: T(v) for k, v in module.state_dict().items()}
    xin = x.clone().requires_grad_(True)
    out = module(xin)
    weights = torch.randn_like(out)
    (out * weights).sum().backward()
    cases.append({
        'name': name,
        'layer': ours,
        'mode': 'train',
        'state_dict': params_before,
        'inputs': [T(xin)],
        'state': {},
        'weights': {'output': T(weights)},
        'outputs': {'output': T(out)},
        'grads': {
            'inputs': [T(xin.grad)],
            'state': {},
            'params': {k: T(p.grad) for k, p in module.named_parameters()},
        },
        'buffers_after': {},
    })


def convt(**config):
    return {'type': 'ConvTranspose2d', 'config': {**config, 'dtype': 'float64'}}


def upsample(**config):
    return {'type': 'Upsample', 'config': config}


# ConvTranspose2d
case('ConvTranspose2d', convt(inChannels=3, outChannels=4, kernelSize=3),
     tnn.ConvTranspose2d(3, 4, 3), torch.randn(2, 3, 4, 5))
case('ConvTranspose2d DCGAN upsampling (kernel 4, stride 2, padding 1)', convt(inChannels=4, outChannels=3, kernelSize=4, stride=2, padding=1),
     tnn.ConvTranspose2d(4, 3, 4, stride=2, padding=1), torch.randn(2, 4, 3, 3))
case('ConvTranspose2d DCGAN projection from 1×1 (kernel 4, no bias)', convt(inChannels=5, outChannels=4, kernelSize=4, bias=False),
     tnn.ConvTranspose2d(5, 4, 4, bias=False), torch.randn(3, 5, 1, 1))
case('ConvTranspose2d outputPadding', convt(inChannels=2, outChannels=3, kernelSize=3, stride=2, padding=1, outputPadding=1),
     tnn.ConvTranspose2d(2, 3, 3, stride=2, padding=1, output_padding=1), torch.randn(2, 2, 4, 3))
case('ConvTranspose2d outputPadding below the dilation', convt(inChannels=2, outChannels=2, kernelSize=3, dilation=[2, 3], outputPadding=[1, 2]),
     tnn.ConvTranspose2d(2, 2, 3, dilation=(2, 3), output_padding=(1, 2)), torch.randn(1, 2, 3, 4))
case('ConvTranspose2d groups, rectangular kernel and stride', convt(inChannels=4, outChannels=6, kernelSize=[3, 2], stride=[2, 3], padding=[1, 0], groups=2),
     tnn.ConvTranspose2d(4, 6, (3, 2), stride=(2, 3), padding=(1, 0), groups=2), torch.randn(2, 4, 3, 4))
case('ConvTranspose2d depthwise no bias', convt(inChannels=3, outChannels=3, kernelSize=2, stride=2, groups=3, bias=False),
     tnn.ConvTranspose2d(3, 3, 2, stride=2, groups=3, bias=False), torch.randn(2, 3, 3, 3))
case('ConvTranspose2d padding beyond the kernel', convt(inChannels=2, outChannels=2, kernelSize=2, padding=2),
     tnn.ConvTranspose2d(2, 2, 2, padding=2), torch.randn(1, 2, 6, 7))
case('ConvTranspose2d unbatched', convt(inChannels=2, outChannels=3, kernelSize=3, stride=2),
     tnn.ConvTranspose2d(2, 3, 3, stride=2), torch.randn(2, 3, 4))

# Upsample
x = torch.randn(2, 3, 4, 5)
case('Upsample nearest ×2', upsample(scaleFactor=2), tnn.Upsample(scale_factor=2), x)
case('Upsample nearest size', upsample(size=[7, 3]), tnn.Upsample(size=(7, 3)), x)
case('Upsample nearest ×1.7 (indices from the factor, not the sizes)', upsample(scaleFactor=1.7), tnn.Upsample(scale_factor=1.7), torch.randn(1, 2, 5, 6))
case('Upsample nearest ×0.6 (down)', upsample(scaleFactor=0.6), tnn.Upsample(scale_factor=0.6), torch.randn(1, 2, 6, 4))
case('Upsample nearest pair of factors', upsample(scaleFactor=[3, 1]), tnn.Upsample(scale_factor=(3, 1)), x)
case('Upsample bilinear ×2', upsample(scaleFactor=2, mode='bilinear'), tnn.Upsample(scale_factor=2, mode='bilinear'), x)
case('Upsample bilinear ×2 alignCorners', upsample(scaleFactor=2, mode='bilinear', alignCorners=True),
     tnn.Upsample(scale_factor=2, mode='bilinear', align_corners=True), x)
case('Upsample bilinear size down and up', upsample(size=[3, 8], mode='bilinear'), tnn.Upsample(size=(3, 8), mode='bilinear'), x)
case('Upsample bilinear size alignCorners to one row', upsample(size=[1, 6], mode='bilinear', alignCorners=True),
     tnn.Upsample(size=(1, 6), mode='bilinear', align_corners=True), x)
case('Upsample bilinear ×1.7', upsample(scaleFactor=1.7, mode='bilinear'), tnn.Upsample(scale_factor=1.7, mode='bilinear'), torch.randn(1, 2, 5, 3))
case('Upsample bilinear ×[1.3, 0.6]', upsample(scaleFactor=[1.3, 0.6], mode='bilinear'), tnn.Upsample(scale_factor=(1.3, 0.6), mode='bilinear'), torch.randn(1, 2, 5, 6))

os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, 'torch-convt.json'), 'w') as f:
    json.dump({'torch': torch.__version__, 'generator': 'scripts/make-torch-convt-fixtures.py', 'cases': cases}, f, separators=(',', ':'))
print(f'{len(cases)} cases')
