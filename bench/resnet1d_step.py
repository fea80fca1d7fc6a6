#!/usr/bin/python3
"""Comparison only (not part of the product): resnet1d's forward + backward in Python
PyTorch on the same LibTorch (Debian's python3-torch 1.13), shaped as bench/models_bench's
BM_ResNet1d_b32x12x1000 (defaults: widths 64/128/128, kernel 5, batch 32 x 12 x 1000,
loss = sum of the logits, every core). Run with the allocator tuned as the CLI does:

  MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=1073741824 \
  MALLOC_TOP_PAD_=268435456 /usr/bin/python3 bench/resnet1d_step.py
"""
import torch
from torch import nn

from step_timing import time_steps


def conv_bn_relu(i, o, k, s):
    return [nn.Conv1d(i, o, k, stride=s, padding=k // 2, bias=False), nn.BatchNorm1d(o), nn.ReLU()]


class ResNet1d(nn.Module):
    def __init__(self, leads=12, num_classes=5, widths=(64, 128, 128), k=5, dropout=0.25):
        super().__init__()
        self.stem = nn.Sequential(*conv_bn_relu(leads, widths[0], 7, 1))
        self.stages, self.shortcuts = nn.ModuleList(), nn.ModuleList()
        c = widths[0]
        for i, w in enumerate(widths):
            s = 1 if i == 0 else 2
            self.stages.append(nn.Sequential(*conv_bn_relu(c, w, k, s),
                                             nn.Conv1d(w, w, k, padding=k // 2, bias=False), nn.BatchNorm1d(w)))
            self.shortcuts.append(nn.Sequential(nn.Conv1d(c, w, 1, stride=s, bias=False), nn.BatchNorm1d(w))
                                  if s != 1 or c != w else nn.Sequential())
            c = w
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(2 * c, num_classes)

    def forward(self, x):
        x = self.stem(x)
        for body, skip in zip(self.stages, self.shortcuts):
            x = torch.relu(body(x) + skip(x))
        return self.head(self.dropout(torch.cat([x.mean(-1), x.amax(-1)], 1)))


def main():
    time_steps("resnet1d b32x12x1000", ResNet1d(), torch.randn(32, 12, 1000), warmup=3, iters=30)


if __name__ == "__main__":
    main()
