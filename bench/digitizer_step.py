#!/usr/bin/python3
"""Comparison only (not part of the product): digitizer_unet's forward + backward in Python
PyTorch on the same LibTorch (Debian's python3-torch 1.13), shaped as bench/models_bench's
BM_DigitizerUnet_b2x3x512x2048: the default plain U-Net (widths 16/32/64/128, two
3x3 conv-BN-ReLU per stage, 2x2 max-pool, bilinear 2x upsampling, skip concatenation),
the coordinate head (softmax over y of the trace logits -> sub-pixel row; baseline row
from the x-averaged map; mV = (baseline - y) / (px_per_mm * 10)), loss = sum of the mV
traces, batch 2 x 3 x 512 x 2048, every core. Run with the allocator tuned as the CLI does:

  MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=1073741824 \
  MALLOC_TOP_PAD_=268435456 /usr/bin/python3 bench/digitizer_step.py
"""
import torch
import torch.nn.functional as F
from torch import nn

from step_timing import time_steps


def double_conv(i, o):
    return nn.Sequential(nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(),
                         nn.Conv2d(o, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU())


def expected_row(logits):
    p = torch.softmax(logits, 2)
    shape = [1] * logits.dim()
    shape[2] = logits.size(2)
    rows = (torch.arange(logits.size(2), dtype=logits.dtype) + 0.5).view(shape)
    return (p * rows).sum(2)


class DigitizerUnet(nn.Module):
    def __init__(self, in_channels=3, leads=12, widths=(16, 32, 64, 128), px_per_mm=2.0, mm_per_mv=10.0):
        super().__init__()
        self.down = nn.ModuleList(double_conv(in_channels if i == 0 else widths[i - 1], w) for i, w in enumerate(widths))
        self.up = nn.ModuleList(double_conv(widths[i + 1] + widths[i], widths[i]) for i in reversed(range(len(widths) - 1)))
        self.trace_head = nn.Conv2d(widths[0], leads, 1)
        self.baseline_head = nn.Conv2d(widths[0], leads, 1)
        self.scale = px_per_mm * mm_per_mv

    def forward(self, x):
        skips, h = [], x
        for i, d in enumerate(self.down):
            if i > 0:
                h = F.max_pool2d(h, 2)
            h = d(h)
            skips.append(h)
        for j, u in enumerate(self.up):
            up = F.interpolate(h, scale_factor=(2.0, 2.0), mode="bilinear", align_corners=False)
            h = u(torch.cat([up, skips[len(skips) - 2 - j]], 1))
        y = expected_row(self.trace_head(h))
        baseline = expected_row(self.baseline_head(h).mean(3))
        return (baseline.unsqueeze(2) - y) / self.scale


def main():
    time_steps("digitizer_unet b2x3x512x2048", DigitizerUnet(), torch.randn(2, 3, 512, 2048), warmup=2, iters=10)


if __name__ == "__main__":
    main()
