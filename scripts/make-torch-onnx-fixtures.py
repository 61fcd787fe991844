#!/usr/bin/python3
"""ONNX fixtures exported by PyTorch for test/onnx-import.test.ts.

Run with Debian's python3-torch (torch 1.13, TorchScript exporter, opset 17):
    /usr/bin/python3 scripts/make-torch-onnx-fixtures.py
Writes test/fixtures/onnx/<name>.onnx and test/fixtures/onnx/expected.json
(for each model: the input and PyTorch's output, float32, eval mode).
"""
import json
import os

import torch
from torch import nn

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'onnx')


class Cnn(nn.Module):
    """Conv, BatchNorm, ReLU, MaxPool, then x.view(x.size(0), -1): the
    Shape/Gather/Unsqueeze/Concat/Reshape pattern of a dynamic batch."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(4, 3, 2, stride=2, padding=(1, 0))
        self.fc = nn.Linear(3 * 3 * 1, 5)

    def forward(self, x):
        x = self.pool(torch.relu(self.bn(self.conv(x))))
        x = torch.relu(self.conv2(x))
        x = x.view(x.size(0), -1)
        return torch.softmax(self.fc(x), dim=1)


class Recurrent(nn.Module):
    """LSTM (batch first) with a Linear head on the last step."""

    def __init__(self, cell):
        super().__init__()
        self.rnn = cell(4, 6, batch_first=True)
        self.fc = nn.Linear(6, 2)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1, :])


class Decoder(nn.Module):
    """ConvTranspose2d (stride, padding, output padding) and upsampling:
    nearest by a factor, bilinear to a size (F.interpolate), as Resize."""

    def __init__(self):
        super().__init__()
        self.up1 = nn.ConvTranspose2d(3, 4, 4, stride=2, padding=1)
        self.up2 = nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1, bias=False)

    def forward(self, x):
        x = torch.relu(self.up1(x))
        x = nn.functional.interpolate(x, scale_factor=2, mode='nearest')
        x = self.up2(x)
        return nn.functional.interpolate(x, size=(20, 13), mode='bilinear', align_corners=False)


def models():
    mlp = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Dropout(0.3), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 3))
    yield 'mlp', mlp, torch.randn(4, 5)
    cnn = Cnn()
    # Non-trivial running statistics for the batch norm.
    cnn.train()
    for _ in range(3):
        cnn(torch.randn(8, 2, 8, 6) * 2 + 1)
    yield 'cnn', cnn, torch.randn(3, 2, 8, 6)
    yield 'conv1d', nn.Sequential(nn.Conv1d(3, 4, 3, padding=1), nn.ReLU(), nn.AvgPool1d(2), nn.Flatten(), nn.Linear(4 * 5, 2)), torch.randn(2, 3, 10)
    yield 'lstm', Recurrent(nn.LSTM), torch.randn(3, 5, 4)
    yield 'gru', Recurrent(nn.GRU), torch.randn(3, 5, 4)
    yield 'decoder', Decoder(), torch.randn(2, 3, 3, 4)


def main():
    torch.manual_seed(0)
    os.makedirs(OUT, exist_ok=True)
    expected = {}
    for name, model, x in models():
        model.eval()
        with torch.no_grad():
            y = model(x)
        torch.onnx.export(model, x, os.path.join(OUT, f'{name}.onnx'), opset_version=17, input_names=['input'], output_names=['output'],
                          dynamic_axes={'input': {0: 'batch'}, 'output': {0: 'batch'}})
        expected[name] = {
            'input': {'shape': list(x.shape), 'data': x.flatten().tolist()},
            'output': {'shape': list(y.shape), 'data': y.flatten().tolist()},
        }
    with open(os.path.join(OUT, 'expected.json'), 'w') as f:
        json.dump(expected, f)


if __name__ == '__main__':
    main()
