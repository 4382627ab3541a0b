#!/usr/bin/env python3
"""PyTorch-eager counterpart of `icaloflow bench sample` for DS2 (paper Table V): full inductive generation.

Flow-1 (MAF 45 | 1, 1x256), Flow-2 (144 | 2, 2x256; MAF teacher or IAF student), then 44 Flow-3 layers
(144 | 191; MAF teacher 2x256, IAF student 2x384), each conditioned on E_inc, E_i, E_{i-1}, the previous
layer and one-hot(i), with the postprocessing (inverse logit, scale by the layer energy, threshold). Untrained
flows, nflows-style sampling (the MAF inverts feature by feature with a full MADE pass per feature).
Prints ms per shower; a point still running after --max-seconds is extrapolated from the Flow-3 layers done.
Needs only torch (not a project dependency): python3 bench/pytorch_table5.py --variant student
"""
import argparse
import time

import torch

from pytorch_flow_bench import Flow

LAYERS, VOXELS, ALPHA = 45, 144, 1e-6


def generate(models, n, max_seconds):
    f1, f2, f3 = models
    t0 = time.perf_counter()
    with torch.no_grad():
        e_inc = torch.rand(n, 1) * 3 - 1.5
        e = torch.sigmoid(f1.sample(n, e_inc))                       # proxy layer energies (normalised)
        layer = f2.sample(n, torch.cat([e_inc, e[:, :1]], 1))
        showers = [torch.where(torch.sigmoid(layer) * e[:, :1] > 1e-3, torch.sigmoid(layer), 0)]
        t1 = time.perf_counter()
        done = 0
        for i in range(1, LAYERS):
            onehot = torch.zeros(n, LAYERS - 1)
            onehot[:, i - 1] = 1
            cond = torch.cat([e_inc, e[:, i:i + 1], e[:, i - 1:i], layer, onehot], 1)
            layer = f3.sample(n, cond)
            x = torch.sigmoid(layer) * e[:, i:i + 1]
            showers.append(torch.where(x > 1e-3, x, 0))
            done += 1
            if time.perf_counter() - t0 > max_seconds:
                break
        t2 = time.perf_counter()
    per_layer = (t2 - t1) / done
    total = (t1 - t0) + per_layer * (LAYERS - 1)
    return 1000 * total / n, done


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--variant", choices=["teacher", "student"], default="student")
    ap.add_argument("--batch-sizes", default="1,10,100")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-seconds", type=float, default=120)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    f1 = Flow("MAF", LAYERS, 1, 256, 1, seed=201)
    if a.variant == "teacher":
        f2, f3 = Flow("MAF", VOXELS, 2, 256, 2, seed=202), Flow("MAF", VOXELS, 191, 256, 2, seed=204)
    else:
        f2, f3 = Flow("IAF", VOXELS, 2, 256, 2, seed=203), Flow("IAF", VOXELS, 191, 384, 2, seed=205)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, DS2 {a.variant}")
    generate((f1, f2, f3), 1, 1)  # warm-up
    for b in [int(s) for s in a.batch_sizes.split(",")]:
        ms, done = generate((f1, f2, f3), b, a.max_seconds)
        note = "measured" if done == LAYERS - 1 else f"estimated ({done}/{LAYERS - 1} Flow-3 layers)"
        print(f"DS2 {a.variant}, batch {b:5d}: {ms:10.2f} ms per shower ({note})")


if __name__ == "__main__":
    main()
