#!/usr/bin/env python3
"""
Builds the PyTorch reference fixtures for the nn tests (no Python is needed
at test time): each layer with fixed weights and inputs in float64, its
outputs, and the gradients of a weighted sum of the outputs with respect to
the inputs, initial states and every parameter.

    /usr/bin/python3 scripts/make-torch-fixtures.py

writes test/fixtures/torch-layers.json and test/fixtures/torch-losses.json.
Each layer case names our layer as {type, config} (what the registry's
layerFromConfig takes) next to the torch module it was checked against.
"""
import json
import os

import torch
import torch.nn as tnn
import torch.nn.functional as F

torch.manual_seed(1234)
torch.set_default_dtype(torch.float64)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures')


def T(t):
    t = t.detach()
    return {'shape': list(t.shape), 'data': t.reshape(-1).tolist(), 'dtype': 'int32' if t.dtype in (torch.int64, torch.int32) else 'float64'}


def away_from_zero(shape, low=0.1, high=1.5):
    x = torch.empty(shape).uniform_(low, high)
    sign = torch.where(torch.rand(shape) < 0.5, -1.0, 1.0)
    return x * sign


# ------------------------------------------------------------------ layers ---

layer_cases = []


def layer_case(name, ours, module, inputs, mode='train', state=None, call=None, buffers=None):
    """inputs: list of tensors (float ones get gradients); state: dict of initial states."""
    module = module.double()
    module.train(mode == 'train')
    if buffers:
        for k, v in buffers.items():
            module.get_buffer(k).copy_(v)
    params_before = {k: T(v) for k, v in module.state_dict().items()}
    ins = [x.clone().requires_grad_(x.is_floating_point()) for x in inputs]
    st = {k: v.clone().requires_grad_(True) for k, v in (state or {}).items()}
    outputs = call(module, ins, st) if call else {'output': module(*ins)}
    weights = {k: torch.randn_like(v) for k, v in outputs.items()}
    loss = sum((v * weights[k]).sum() for k, v in outputs.items())
    loss.backward()
    layer_cases.append({
        'name': name,
        'layer': ours,
        'mode': mode,
        'state_dict': params_before,
        'inputs': [T(x) for x in ins],
        'state': {k: T(v) for k, v in st.items()},
        'weights': {k: T(v) for k, v in weights.items()},
        'outputs': {k: T(v) for k, v in outputs.items()},
        'grads': {
            'inputs': [T(x.grad) if x.grad is not None else None for x in ins],
            'state': {k: T(v.grad) for k, v in st.items()},
            'params': {k: T(p.grad) for k, p in module.named_parameters() if p.grad is not None},
        },
        'buffers_after': {k: T(v) for k, v in module.named_buffers()},
    })


def L(type_, **config):
    return {'type': type_, 'config': {**config, 'dtype': 'float64'} if type_ not in NO_DTYPE else config}


NO_DTYPE = {'ReLU', 'LeakyReLU', 'ELU', 'GELU', 'Tanh', 'Sigmoid', 'Softmax', 'LogSoftmax', 'Softplus', 'SiLU',
            'MaxPool1d', 'MaxPool2d', 'AvgPool1d', 'AvgPool2d', 'AdaptiveAvgPool2d', 'Flatten', 'Dropout'}

# Linear
layer_case('Linear', L('Linear', inFeatures=5, outFeatures=3), tnn.Linear(5, 3), [torch.randn(4, 5)])
layer_case('Linear no bias', L('Linear', inFeatures=5, outFeatures=3, bias=False), tnn.Linear(5, 3, bias=False), [torch.randn(4, 5)])
layer_case('Linear 3-D input', L('Linear', inFeatures=5, outFeatures=2), tnn.Linear(5, 2), [torch.randn(2, 3, 5)])
layer_case('Linear 1-D input', L('Linear', inFeatures=4, outFeatures=2), tnn.Linear(4, 2), [torch.randn(4)])

# Convolutions
layer_case('Conv1d stride padding', L('Conv1d', inChannels=3, outChannels=4, kernelSize=3, stride=2, padding=1),
           tnn.Conv1d(3, 4, 3, stride=2, padding=1), [torch.randn(2, 3, 9)])
layer_case('Conv1d same even kernel', L('Conv1d', inChannels=2, outChannels=3, kernelSize=4, padding='same'),
           tnn.Conv1d(2, 3, 4, padding='same'), [torch.randn(2, 2, 7)])
layer_case('Conv1d groups dilation', L('Conv1d', inChannels=4, outChannels=6, kernelSize=3, groups=2, dilation=2),
           tnn.Conv1d(4, 6, 3, groups=2, dilation=2), [torch.randn(2, 4, 10)])
layer_case('Conv1d unbatched', L('Conv1d', inChannels=2, outChannels=3, kernelSize=2),
           tnn.Conv1d(2, 3, 2), [torch.randn(2, 6)])
layer_case('Conv2d', L('Conv2d', inChannels=3, outChannels=4, kernelSize=3),
           tnn.Conv2d(3, 4, 3), [torch.randn(2, 3, 6, 5)])
layer_case('Conv2d stride padding dilation', L('Conv2d', inChannels=2, outChannels=4, kernelSize=[3, 2], stride=[2, 1], padding=[1, 0], dilation=[1, 2]),
           tnn.Conv2d(2, 4, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2)), [torch.randn(2, 2, 7, 6)])
layer_case('Conv2d groups same', L('Conv2d', inChannels=4, outChannels=6, kernelSize=3, groups=2, padding='same'),
           tnn.Conv2d(4, 6, 3, groups=2, padding='same'), [torch.randn(2, 4, 5, 5)])
layer_case('Conv2d depthwise no bias', L('Conv2d', inChannels=3, outChannels=3, kernelSize=3, groups=3, bias=False, padding=1),
           tnn.Conv2d(3, 3, 3, groups=3, bias=False, padding=1), [torch.randn(2, 3, 4, 4)])
layer_case('Conv2d same even kernel dilation', L('Conv2d', inChannels=2, outChannels=2, kernelSize=[4, 2], padding='same', dilation=[1, 3]),
           tnn.Conv2d(2, 2, (4, 2), padding='same', dilation=(1, 3)), [torch.randn(1, 2, 6, 7)])

# Pools
layer_case('MaxPool2d 2', L('MaxPool2d', kernelSize=2), tnn.MaxPool2d(2), [torch.randn(2, 3, 6, 5)])
layer_case('MaxPool2d stride padding', L('MaxPool2d', kernelSize=3, stride=2, padding=1), tnn.MaxPool2d(3, stride=2, padding=1), [torch.randn(2, 2, 7, 6)])
layer_case('MaxPool2d dilation', L('MaxPool2d', kernelSize=2, stride=1, dilation=2), tnn.MaxPool2d(2, stride=1, dilation=2), [torch.randn(1, 2, 6, 6)])
layer_case('AvgPool2d', L('AvgPool2d', kernelSize=2), tnn.AvgPool2d(2), [torch.randn(2, 3, 6, 4)])
layer_case('AvgPool2d padding include', L('AvgPool2d', kernelSize=3, stride=2, padding=1), tnn.AvgPool2d(3, stride=2, padding=1), [torch.randn(2, 2, 7, 6)])
layer_case('AvgPool2d padding exclude', L('AvgPool2d', kernelSize=3, stride=2, padding=1, countIncludePad=False),
           tnn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), [torch.randn(2, 2, 7, 6)])
layer_case('MaxPool1d', L('MaxPool1d', kernelSize=3, stride=2, padding=1), tnn.MaxPool1d(3, stride=2, padding=1), [torch.randn(2, 3, 9)])
layer_case('AvgPool1d', L('AvgPool1d', kernelSize=2), tnn.AvgPool1d(2), [torch.randn(2, 3, 8)])
layer_case('AdaptiveAvgPool2d 1', L('AdaptiveAvgPool2d', outputSize=[1, 1]), tnn.AdaptiveAvgPool2d(1), [torch.randn(2, 3, 5, 4)])
layer_case('AdaptiveAvgPool2d divides', L('AdaptiveAvgPool2d', outputSize=[2, 3]), tnn.AdaptiveAvgPool2d((2, 3)), [torch.randn(2, 3, 4, 6)])
layer_case('AdaptiveAvgPool2d general', L('AdaptiveAvgPool2d', outputSize=[3, 4]), tnn.AdaptiveAvgPool2d((3, 4)), [torch.randn(2, 2, 5, 7)])
layer_case('AdaptiveAvgPool2d keep width', L('AdaptiveAvgPool2d', outputSize=[2, None]), tnn.AdaptiveAvgPool2d((2, None)), [torch.randn(1, 2, 5, 3)])

# Normalisation
bn_stats = lambda c: {'running_mean': torch.randn(c), 'running_var': torch.rand(c) + 0.5, 'num_batches_tracked': torch.tensor(3)}
layer_case('BatchNorm1d train 2-D', L('BatchNorm1d', numFeatures=4), tnn.BatchNorm1d(4), [torch.randn(6, 4) * 2 + 1])
layer_case('BatchNorm1d train 3-D', L('BatchNorm1d', numFeatures=3), tnn.BatchNorm1d(3), [torch.randn(4, 3, 5)])
layer_case('BatchNorm1d eval', L('BatchNorm1d', numFeatures=4), tnn.BatchNorm1d(4), [torch.randn(6, 4)], mode='eval', buffers=bn_stats(4))
layer_case('BatchNorm1d cumulative momentum', L('BatchNorm1d', numFeatures=3, momentum=None), tnn.BatchNorm1d(3, momentum=None),
           [torch.randn(5, 3)], buffers=bn_stats(3))
layer_case('BatchNorm2d train', L('BatchNorm2d', numFeatures=4), tnn.BatchNorm2d(4), [torch.randn(3, 4, 5, 5) * 3 - 1], buffers=bn_stats(4))
layer_case('BatchNorm2d eval', L('BatchNorm2d', numFeatures=3), tnn.BatchNorm2d(3), [torch.randn(2, 3, 4, 4)], mode='eval', buffers=bn_stats(3))
layer_case('BatchNorm2d not affine momentum', L('BatchNorm2d', numFeatures=3, affine=False, momentum=0.3, eps=1e-3),
           tnn.BatchNorm2d(3, affine=False, momentum=0.3, eps=1e-3), [torch.randn(2, 3, 3, 4)])
layer_case('BatchNorm2d no running stats eval', L('BatchNorm2d', numFeatures=2, trackRunningStats=False),
           tnn.BatchNorm2d(2, track_running_stats=False), [torch.randn(2, 2, 3, 3)], mode='eval')
bn = tnn.BatchNorm2d(3)
with torch.no_grad():
    bn.weight.uniform_(0.5, 1.5)
    bn.bias.uniform_(-0.5, 0.5)
layer_case('BatchNorm2d train affine values', L('BatchNorm2d', numFeatures=3), bn, [torch.randn(2, 3, 4, 4)])
ln = tnn.LayerNorm(5)
with torch.no_grad():
    ln.weight.uniform_(0.5, 1.5)
    ln.bias.uniform_(-0.5, 0.5)
layer_case('LayerNorm', L('LayerNorm', normalizedShape=[5]), ln, [torch.randn(3, 5)])
ln2 = tnn.LayerNorm([4, 5], eps=1e-3)
with torch.no_grad():
    ln2.weight.uniform_(0.5, 1.5)
    ln2.bias.uniform_(-0.5, 0.5)
layer_case('LayerNorm 2 axes', L('LayerNorm', normalizedShape=[4, 5], eps=1e-3), ln2, [torch.randn(2, 3, 4, 5)])
layer_case('LayerNorm no affine', L('LayerNorm', normalizedShape=[6], elementwiseAffine=False), tnn.LayerNorm(6, elementwise_affine=False), [torch.randn(4, 6)])

# Embedding
layer_case('Embedding', L('Embedding', numEmbeddings=10, embeddingDim=4), tnn.Embedding(10, 4),
           [torch.tensor([[1, 2, 3, 2, 9], [0, 1, 1, 5, 4], [7, 7, 7, 8, 6]], dtype=torch.int64)])
layer_case('Embedding padding', L('Embedding', numEmbeddings=6, embeddingDim=3, paddingIdx=1), tnn.Embedding(6, 3, padding_idx=1),
           [torch.tensor([[1, 2, 1, 0], [5, 1, 3, 3]], dtype=torch.int64)])

# Activations
acts = [
    ('ReLU', L('ReLU'), tnn.ReLU()),
    ('LeakyReLU', L('LeakyReLU', negativeSlope=0.2), tnn.LeakyReLU(0.2)),
    ('ELU', L('ELU', alpha=1.5), tnn.ELU(1.5)),
    ('GELU', L('GELU'), tnn.GELU()),
    ('GELU tanh', L('GELU', approximate='tanh'), tnn.GELU(approximate='tanh')),
    ('Tanh', L('Tanh'), tnn.Tanh()),
    ('Sigmoid', L('Sigmoid'), tnn.Sigmoid()),
    ('SiLU', L('SiLU'), tnn.SiLU()),
    ('Softmax', L('Softmax', dim=1), tnn.Softmax(dim=1)),
    ('LogSoftmax', L('LogSoftmax', dim=-1), tnn.LogSoftmax(dim=-1)),
    ('Softplus', L('Softplus', beta=2), tnn.Softplus(beta=2)),
    ('Softplus threshold', L('Softplus', beta=1, threshold=1), tnn.Softplus(beta=1, threshold=1)),
]
for name, ours, mod in acts:
    layer_case(name, ours, mod, [away_from_zero((3, 4)) * 2])
layer_case('Flatten', L('Flatten'), tnn.Flatten(), [torch.randn(2, 3, 2, 2)])
layer_case('Dropout eval', L('Dropout', p=0.4), tnn.Dropout(0.4), [torch.randn(3, 4)], mode='eval')


# Recurrent layers
def rnn_call(lstm):
    def call(m, ins, st):
        if lstm:
            out, (h, c) = m(ins[0], (st['h'], st['c'])) if st else m(ins[0])
            return {'output': out, 'h': h, 'c': c}
        out, h = m(ins[0], st['h']) if st else m(ins[0])
        return {'output': out, 'h': h}
    return call


def rnn_config(type_, i, h, **kw):
    return L(type_, inputSize=i, hiddenSize=h, **kw)


layer_case('RNN tanh', rnn_config('RNN', 3, 4), tnn.RNN(3, 4), [torch.randn(5, 2, 3)], call=rnn_call(False))
layer_case('RNN relu 2 layers bidirectional h0', rnn_config('RNN', 3, 4, numLayers=2, bidirectional=True, nonlinearity='relu'),
           tnn.RNN(3, 4, num_layers=2, bidirectional=True, nonlinearity='relu'), [torch.randn(5, 2, 3)],
           state={'h': torch.randn(4, 2, 4)}, call=rnn_call(False))
layer_case('LSTM', rnn_config('LSTM', 3, 4), tnn.LSTM(3, 4), [torch.randn(6, 2, 3)], call=rnn_call(True))
layer_case('LSTM 2 layers bidirectional batchFirst h0 c0', rnn_config('LSTM', 3, 4, numLayers=2, bidirectional=True, batchFirst=True),
           tnn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True), [torch.randn(2, 5, 3)],
           state={'h': torch.randn(4, 2, 4), 'c': torch.randn(4, 2, 4)}, call=rnn_call(True))
layer_case('LSTM no bias 2 layers dropout eval', rnn_config('LSTM', 2, 3, numLayers=2, bias=False, dropout=0.5),
           tnn.LSTM(2, 3, num_layers=2, bias=False, dropout=0.5), [torch.randn(4, 3, 2)], mode='eval', call=rnn_call(True))
layer_case('LSTM unbatched', rnn_config('LSTM', 3, 2), tnn.LSTM(3, 2), [torch.randn(4, 3)],
           state={'h': torch.randn(1, 2), 'c': torch.randn(1, 2)}, call=rnn_call(True))
layer_case('GRU', rnn_config('GRU', 3, 4), tnn.GRU(3, 4), [torch.randn(5, 2, 3)], call=rnn_call(False))
layer_case('GRU 2 layers bidirectional h0', rnn_config('GRU', 3, 4, numLayers=2, bidirectional=True),
           tnn.GRU(3, 4, num_layers=2, bidirectional=True), [torch.randn(5, 3, 3)],
           state={'h': torch.randn(4, 3, 4)}, call=rnn_call(False))
layer_case('GRU batchFirst', rnn_config('GRU', 2, 3, batchFirst=True), tnn.GRU(2, 3, batch_first=True), [torch.randn(3, 4, 2)],
           call=rnn_call(False))


def cell_call(kind):
    def call(m, ins, st):
        if kind == 'lstm':
            h, c = m(ins[0], (st['h'], st['c']))
            return {'h': h, 'c': c}
        return {'h': m(ins[0], st['h'])}
    return call


layer_case('RNNCell', rnn_config('RNNCell', 3, 4), tnn.RNNCell(3, 4), [torch.randn(2, 3)], state={'h': torch.randn(2, 4)}, call=cell_call('rnn'))
layer_case('LSTMCell', rnn_config('LSTMCell', 3, 4), tnn.LSTMCell(3, 4), [torch.randn(2, 3)],
           state={'h': torch.randn(2, 4), 'c': torch.randn(2, 4)}, call=cell_call('lstm'))
layer_case('GRUCell', rnn_config('GRUCell', 3, 4), tnn.GRUCell(3, 4), [torch.randn(2, 3)], state={'h': torch.randn(2, 4)}, call=cell_call('gru'))

# A small CNN end to end (Sequential of several layers).
cnn = tnn.Sequential(
    tnn.Conv2d(1, 4, 3, padding=1), tnn.BatchNorm2d(4), tnn.ReLU(), tnn.MaxPool2d(2),
    tnn.Conv2d(4, 6, 3), tnn.ReLU(), tnn.AdaptiveAvgPool2d(1), tnn.Flatten(), tnn.Linear(6, 3),
)
layer_case('Sequential CNN', {'type': 'Sequential', 'config': {}, 'children': [
    L('Conv2d', inChannels=1, outChannels=4, kernelSize=3, padding=1), L('BatchNorm2d', numFeatures=4), L('ReLU'), L('MaxPool2d', kernelSize=2),
    L('Conv2d', inChannels=4, outChannels=6, kernelSize=3), L('ReLU'), L('AdaptiveAvgPool2d', outputSize=[1, 1]), L('Flatten'),
    L('Linear', inFeatures=6, outFeatures=3),
]}, cnn, [torch.randn(2, 1, 8, 8)])

# ------------------------------------------------------------------ losses ---

loss_cases = []


def loss_case(name, fn, options, inp, target, torch_fn, target_grad=False, extra=None):
    x = inp.clone().requires_grad_(True)
    t = target.clone()
    if target_grad:
        t.requires_grad_(True)
    out = torch_fn(x, t)
    w = torch.randn_like(out)
    (out * w).sum().backward()
    loss_cases.append({
        'name': name, 'fn': fn, 'options': options,
        'input': T(inp), 'target': T(target), 'extra': {k: T(v) for k, v in (extra or {}).items()},
        'weights': T(w), 'output': T(out),
        'grad_input': T(x.grad), 'grad_target': T(t.grad) if target_grad else None,
    })


N, C = 5, 4
x = torch.randn(N, 3)
y = torch.randn(N, 3)
for red in ['mean', 'sum', 'none']:
    loss_case(f'mse {red}', 'mseLoss', {'reduction': red}, x, y, lambda a, b, red=red: F.mse_loss(a, b, reduction=red), target_grad=True)
    loss_case(f'l1 {red}', 'l1Loss', {'reduction': red}, x, y, lambda a, b, red=red: F.l1_loss(a, b, reduction=red), target_grad=True)
    loss_case(f'huber {red}', 'huberLoss', {'reduction': red, 'delta': 0.5}, x, y,
              lambda a, b, red=red: F.huber_loss(a, b, reduction=red, delta=0.5), target_grad=True)
loss_case('huber default delta', 'huberLoss', {}, x * 2, y, lambda a, b: F.huber_loss(a, b))
loss_case('smoothL1 beta', 'smoothL1Loss', {'beta': 0.5}, x, y, lambda a, b: F.smooth_l1_loss(a, b, beta=0.5))

logits = torch.randn(N, C) * 2
idx = torch.tensor([0, 3, 1, 3, 2])
idx_ign = torch.tensor([0, -100, 1, 3, -100])
idx_ign7 = torch.tensor([0, 7, 1, 7, 2])
cw = torch.rand(C) + 0.5
for red in ['mean', 'sum', 'none']:
    loss_case(f'crossEntropy {red}', 'crossEntropy', {'reduction': red}, logits, idx, lambda a, b, red=red: F.cross_entropy(a, b, reduction=red))
    loss_case(f'crossEntropy weight ignore smoothing {red}', 'crossEntropy', {'reduction': red, 'ignoreIndex': 7, 'labelSmoothing': 0.2},
              logits, idx_ign7, lambda a, b, red=red: F.cross_entropy(a, b, weight=cw, ignore_index=7, label_smoothing=0.2, reduction=red),
              extra={'weight': cw})
loss_case('crossEntropy weight', 'crossEntropy', {}, logits, idx, lambda a, b: F.cross_entropy(a, b, weight=cw), extra={'weight': cw})
loss_case('crossEntropy ignore default', 'crossEntropy', {}, logits, idx_ign, lambda a, b: F.cross_entropy(a, b))
loss_case('crossEntropy weight ignore', 'crossEntropy', {}, logits, idx_ign, lambda a, b: F.cross_entropy(a, b, weight=cw), extra={'weight': cw})
loss_case('crossEntropy smoothing', 'crossEntropy', {'labelSmoothing': 0.1}, logits, idx, lambda a, b: F.cross_entropy(a, b, label_smoothing=0.1))
loss_case('crossEntropy smoothing weight', 'crossEntropy', {'labelSmoothing': 0.1}, logits, idx,
          lambda a, b: F.cross_entropy(a, b, weight=cw, label_smoothing=0.1), extra={'weight': cw})
loss_case('crossEntropy large logits', 'crossEntropy', {}, logits * 100, idx, lambda a, b: F.cross_entropy(a, b))
kd = torch.randn(2, C, 3, 2)
kd_t = torch.tensor([[[0, 1], [2, 3], [-100, 1]], [[3, 3], [0, -100], [2, 1]]])
loss_case('crossEntropy K-dim weight ignore smoothing', 'crossEntropy', {'labelSmoothing': 0.15}, kd, kd_t,
          lambda a, b: F.cross_entropy(a, b, weight=cw, label_smoothing=0.15), extra={'weight': cw})
loss_case('crossEntropy K-dim none', 'crossEntropy', {'reduction': 'none'}, kd, kd_t, lambda a, b: F.cross_entropy(a, b, reduction='none'))
loss_case('crossEntropy unbatched', 'crossEntropy', {}, torch.randn(C), torch.tensor(2), lambda a, b: F.cross_entropy(a, b))
probs = torch.softmax(torch.randn(N, C), 1)
loss_case('crossEntropy probabilities', 'crossEntropy', {}, logits, probs, lambda a, b: F.cross_entropy(a, b), target_grad=True)
loss_case('crossEntropy probabilities smoothing weight', 'crossEntropy', {'labelSmoothing': 0.2}, logits, probs,
          lambda a, b: F.cross_entropy(a, b, weight=cw, label_smoothing=0.2), extra={'weight': cw})
loss_case('crossEntropy probabilities none', 'crossEntropy', {'reduction': 'none'}, logits, probs, lambda a, b: F.cross_entropy(a, b, reduction='none'))
loss_case('crossEntropy probabilities sum', 'crossEntropy', {'reduction': 'sum'}, logits, probs, lambda a, b: F.cross_entropy(a, b, reduction='sum'))
kd_p = torch.softmax(torch.randn(2, C, 3, 2), 1)
loss_case('crossEntropy probabilities K-dim', 'crossEntropy', {}, kd, kd_p, lambda a, b: F.cross_entropy(a, b))

logp = torch.log_softmax(torch.randn(N, C), 1)
for red in ['mean', 'sum', 'none']:
    loss_case(f'nll {red}', 'nllLoss', {'reduction': red}, logp, idx, lambda a, b, red=red: F.nll_loss(a, b, reduction=red))
loss_case('nll weight ignore', 'nllLoss', {'ignoreIndex': 7}, logp, idx_ign7, lambda a, b: F.nll_loss(a, b, weight=cw, ignore_index=7), extra={'weight': cw})
loss_case('nll weight ignore none', 'nllLoss', {'ignoreIndex': 7, 'reduction': 'none'}, logp, idx_ign7,
          lambda a, b: F.nll_loss(a, b, weight=cw, ignore_index=7, reduction='none'), extra={'weight': cw})
loss_case('nll K-dim', 'nllLoss', {}, torch.log_softmax(kd, 1), kd_t, lambda a, b: F.nll_loss(a, b, weight=cw), extra={'weight': cw})

p = torch.rand(N, 3) * 0.98 + 0.01
yb = (torch.rand(N, 3) < 0.5).double()
ys = torch.rand(N, 3)
ew = torch.rand(N, 3) + 0.5
for red in ['mean', 'sum', 'none']:
    loss_case(f'bce {red}', 'binaryCrossEntropy', {'reduction': red}, p, yb, lambda a, b, red=red: F.binary_cross_entropy(a, b, reduction=red))
loss_case('bce soft targets weight', 'binaryCrossEntropy', {}, p, ys, lambda a, b: F.binary_cross_entropy(a, b, weight=ew), extra={'weight': ew})
pe = torch.tensor([[0.0, 1.0, 0.3], [1.0, 0.0, 0.999999]])
loss_case('bce clamped log', 'binaryCrossEntropy', {'reduction': 'sum'}, pe, torch.tensor([[1.0, 0.0, 0.5], [1.0, 0.0, 1.0]]),
          lambda a, b: F.binary_cross_entropy(a, b, reduction='sum'))
z = torch.randn(N, 3) * 3
pw = torch.tensor([0.5, 2.0, 3.0])
for red in ['mean', 'sum', 'none']:
    loss_case(f'bceWithLogits {red}', 'bceWithLogits', {'reduction': red}, z, ys,
              lambda a, b, red=red: F.binary_cross_entropy_with_logits(a, b, reduction=red), target_grad=True)
loss_case('bceWithLogits posWeight weight', 'bceWithLogits', {}, z, yb,
          lambda a, b: F.binary_cross_entropy_with_logits(a, b, weight=ew, pos_weight=pw), extra={'weight': ew, 'posWeight': pw})
loss_case('bceWithLogits extreme', 'bceWithLogits', {'reduction': 'sum'}, torch.tensor([[-60.0, 60.0, 0.0], [800.0, -800.0, 1e-3]]),
          torch.tensor([[1.0, 0.0, 0.5], [0.0, 1.0, 1.0]]), lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction='sum'))

lq = torch.log_softmax(torch.randn(N, C), 1)
tq = torch.softmax(torch.randn(N, C), 1)
tq0 = tq.clone()
tq0[0, 1] = 0.0
tq0[2, 3] = 0.0
for red in ['mean', 'batchmean', 'sum', 'none']:
    loss_case(f'klDiv {red}', 'klDiv', {'reduction': red}, lq, tq0, lambda a, b, red=red: F.kl_div(a, b, reduction=red))
loss_case('klDiv target grad', 'klDiv', {'reduction': 'batchmean'}, lq, tq, lambda a, b: F.kl_div(a, b, reduction='batchmean'), target_grad=True)
loss_case('klDiv logTarget', 'klDiv', {'reduction': 'batchmean', 'logTarget': True}, lq, torch.log(tq),
          lambda a, b: F.kl_div(a, b, reduction='batchmean', log_target=True), target_grad=True)

os.makedirs(OUT, exist_ok=True)
meta = {'torch': torch.__version__, 'generator': 'scripts/make-torch-fixtures.py'}
with open(os.path.join(OUT, 'torch-layers.json'), 'w') as f:
    json.dump({**meta, 'cases': layer_cases}, f, separators=(',', ':'))
with open(os.path.join(OUT, 'torch-losses.json'), 'w') as f:
    json.dump({**meta, 'cases': loss_cases}, f, separators=(',', ':'))
print(f'{len(layer_cases)} layer cases, {len(loss_cases)} loss cases')
