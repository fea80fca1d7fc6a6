#!/usr/bin/python3
"""Optional cross-check (not part of the product): draws what `ecgtorch digitize` read on a
page against the record it was rendered from, each lead over the window its page plots.

  bench/digitize_overlay.py --pred out/00017_hr-0.csv --page-json pages/00017_hr-0.json \
      --record ptbxl/records500/00000/00017_hr --out 00017.png [--seconds 2.5]

The record is read from its WFDB header and format-16 signal file; the page JSON gives
each lead's start_sample / end_sample (ecg-image-kit's or ecgtorch's ground truth). Black:
the record; red: the reading. Uses Debian's python3-numpy and python3-matplotlib.
"""
import argparse
import csv
import json
import sys

import numpy as np
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def read_wfdb(stem):
    with open(stem + ".hea") as f:
        lines = [l.split() for l in f if l.strip() and not l.startswith("#")]
    n_sig, fs, n = int(lines[0][1]), float(lines[0][2]), int(lines[0][3])
    names, gains, baselines = [], [], []
    for l in lines[1 : 1 + n_sig]:
        if l[1] != "16":
            sys.exit(f"{stem}.hea: only format 16 is read here, got {l[1]}")
        g = l[2].split("/")[0]
        gain = float(g.split("(")[0])
        baseline = float(g.split("(")[1].rstrip(")")) if "(" in g else 0.0
        gains.append(gain), baselines.append(baseline), names.append(l[-1])
    raw = np.fromfile(stem + ".dat", dtype="<i2")[: n * n_sig].reshape(n, n_sig)
    mv = (raw - np.array(baselines)) / np.array(gains)
    return {name.upper(): mv[:, i] for i, name in enumerate(names)}, fs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pred", required=True)
    ap.add_argument("--page-json", required=True)
    ap.add_argument("--record", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seconds", type=float, default=0, help="show only the first seconds of each window")
    a = ap.parse_args()
    truth, fs = read_wfdb(a.record)
    with open(a.pred) as f:
        rows = list(csv.DictReader(f))
    pred = {k.upper(): np.array([float(r[k]) if r[k] not in ("", "nan", "NaN") else np.nan for r in rows]) for k in rows[0]}
    leads = json.load(open(a.page_json))["leads"]
    fig, axes = plt.subplots(len(leads), 1, figsize=(14, 1.6 * len(leads)), squeeze=False)
    for ax, lead in zip(axes[:, 0], leads):
        name, s0, s1 = lead["lead_name"].upper(), int(lead["start_sample"]), int(lead["end_sample"])
        if a.seconds > 0:
            s1 = min(s1, s0 + int(a.seconds * fs))
        t = np.arange(s0, s1) / fs
        ax.plot(t, truth[name][s0:s1], color="black", lw=0.8)
        if name in pred:
            ax.plot(t, pred[name][s0:s1], color="red", lw=0.8)
        ax.set_ylabel(lead["lead_name"], rotation=0, labelpad=18)
        ax.tick_params(labelsize=7)
    axes[-1, 0].set_xlabel("s")
    fig.tight_layout()
    fig.savefig(a.out, dpi=80)


if __name__ == "__main__":
    main()
