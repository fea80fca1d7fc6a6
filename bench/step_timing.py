"""Comparison only: the train-step timing protocol shared by bench/resnet1d_step.py and
bench/digitizer_step.py and bench/signal_cnn1d_step.py (bench/step_compare.cpp is its C++
twin): every core, `warmup` untimed steps, then ITERS (environment; default `iters`) timed
training steps; prints their median and minimum in ms (the minimum is the steadier figure
on a shared machine). A step is what a training loop does per batch:
zero the gradients, forward, loss = sum of the outputs, backward, AdamW update (lr 1e-3,
weight decay 1e-2, the optimizer's defaults otherwise)."""
import os
import statistics
import time

import torch


def time_steps(name, model, x, warmup, iters):
    torch.set_num_threads(os.cpu_count())
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)

    def step():
        opt.zero_grad()
        model(x).sum().backward()
        opt.step()

    for _ in range(warmup):
        step()
    times = []
    for _ in range(int(os.environ.get("ITERS", str(iters)))):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    print(f"python {name} train step: median {1e3 * statistics.median(times):.3f} ms, min {1e3 * min(times):.3f} ms "
          f"(params {sum(p.numel() for p in model.parameters())})")
