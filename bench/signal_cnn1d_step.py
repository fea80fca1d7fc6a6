#!/usr/bin/python3
"""Comparison only (not part of the product): signal_cnn1d's training step in Python
PyTorch on the same LibTorch (Debian's python3-torch 1.13), shaped as the beats recipe
(configs/beats_mitdb.yaml): 1-lead 1 s windows at 360 Hz, batch 64, 5 classes; the
defaults (widths 16/32/48: conv-BN-ReLU k7, max-pool 2, conv-BN-ReLU k5, max-pool 2,
conv-BN-ReLU k5, mean over time, dropout 0.2, linear head). A small model on a small
batch: the regime where the cost of issuing each op, not the kernels, sets the step
time. Run with the allocator tuned as the CLI does:

  MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=1073741824 \
  MALLOC_TOP_PAD_=268435456 /usr/bin/python3 bench/signal_cnn1d_step.py
"""
import torch
from torch import nn

from step_timing import time_steps


def conv_bn_relu(i, o, k):
    return [nn.Conv1d(i, o, k, padding=k // 2, bias=False), nn.BatchNorm1d(o), nn.ReLU()]


class SignalCnn1d(nn.Module):
    def __init__(self, leads=1, num_classes=5, widths=(16, 32, 48), dropout=0.2):
        super().__init__()
        self.features = nn.Sequential(*conv_bn_relu(leads, widths[0], 7), nn.MaxPool1d(2),
                                      *conv_bn_relu(widths[0], widths[1], 5), nn.MaxPool1d(2),
                                      *conv_bn_relu(widths[1], widths[2], 5))
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(widths[2], num_classes)

    def forward(self, x):
        return self.head(self.dropout(self.features(x).mean(-1)))


def main():
    time_steps("signal_cnn1d b64x1x360", SignalCnn1d(), torch.randn(64, 1, 360), warmup=20, iters=300)


if __name__ == "__main__":
    main()
