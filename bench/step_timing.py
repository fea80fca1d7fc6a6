"""Comparison only: the train-step timing protocol shared by bench/resnet1d_step.py and
bench/digitizer_step.py (bench/step_compare.cpp is its C++ twin): every core, `warmup`
untimed steps, then ITERS (environment; default `iters`) timed forward + backward steps
with loss = sum of the outputs; prints the median in ms."""
import os
import statistics
import time

import torch


def time_steps(name, model, x, warmup, iters):
    torch.set_num_threads(os.cpu_count())
    for _ in range(warmup):
        model.zero_grad()
        model(x).sum().backward()
    times = []
    for _ in range(int(os.environ.get("ITERS", str(iters)))):
        t0 = time.perf_counter()
        model.zero_grad()
        model(x).sum().backward()
        times.append(time.perf_counter() - t0)
    print(f"python {name} fwd+bwd: median {1e3 * statistics.median(times):.2f} ms "
          f"(params {sum(p.numel() for p in model.parameters())})")
