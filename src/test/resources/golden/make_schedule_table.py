#!/usr/bin/env python3
"""Learning rate and Adam beta1 per optimiser step of torch's OneCycleLR and MultiStepLR, for
LearningRateScheduleTest.

torch is not installed where this runs, so this follows torch.optim.lr_scheduler (2.x) by hand:

OneCycleLR (the scheduler is stepped once per batch; optimiser step k runs with the value at
last_epoch = k):
  initial_lr = max_lr / div_factor, min_lr = initial_lr / final_div_factor
  three_phase phase ends: pct_start*total - 1, 2*pct_start*total - 2, total - 1
      lr:        initial -> max, max -> initial, initial -> min
      momentum:  max_m -> base_m, base_m -> max_m, max_m -> max_m
  two phases: pct_start*total - 1, total - 1; lr initial -> max -> min; momentum max_m -> base_m -> max_m
  in the phase holding k (the first whose end >= k, else the last), started at the previous end (0 for the
  first): pct = (k - start) / (end - start)
  cos:    end + (start - end) / 2 * (cos(pi * pct) + 1)
  linear: (end - start) * pct + start
  with Adam, momentum is beta1 (group['betas'] = (momentum, beta2)).
MultiStepLR: lr = initial_lr * gamma ** (number of milestones <= scheduler steps taken); beta1 stays 0.9.
  The scheduler steps taken before optimiser step k: k // steps_per_epoch (stepped after each epoch),
  k // select_every (after each intermediate selection, every select_every batches) or k (after each batch).

Command that wrote torch_schedules.csv (Python 3, numpy 2.4.6):
  python3 src/test/resources/golden/make_schedule_table.py > src/test/resources/golden/torch_schedules.csv
"""
import math
import sys

import numpy as np

# name: (kind, parameters, total optimiser steps); mirrored by LearningRateScheduleTest
CASES = {
    # run.py DS2 Flow-1: max_lr 1e-4, div 10, base_momentum 0.85; 5 epochs x 70 batches
    "ds2_flow1": ("onecycle", dict(max_lr=1e-4, div=10.0, final_div=10.0, pct=0.4, base_m=0.85, max_m=0.95,
                                   three_phase=True, anneal="cos"), 350),
    # run.py Flow-3 students (DS2): max_lr 5e-4, div 25, base_momentum 0.80; 301 steps: non-integer phase ends
    "ds2_flow3_student": ("onecycle", dict(max_lr=5e-4, div=25.0, final_div=10.0, pct=0.4, base_m=0.80, max_m=0.95,
                                           three_phase=True, anneal="cos"), 301),
    # torch's defaults otherwise (two phases), linear annealing: the other branches
    "two_phase_linear": ("onecycle", dict(max_lr=2e-3, div=25.0, final_div=1e4, pct=0.3, base_m=0.85, max_m=0.95,
                                          three_phase=False, anneal="linear"), 200),
    # MultiStepLR, milestones in scheduler steps, three ways of stepping it
    "multistep_epoch": ("multistep", dict(lr=1e-4, milestones=[3, 5], gamma=0.5, every="epoch", spe=40), 300),
    "multistep_selection": ("multistep", dict(lr=1e-4, milestones=[4, 7], gamma=0.5, every="selection", select=25), 300),
    "multistep_batch": ("multistep", dict(lr=1e-4, milestones=[100, 200], gamma=0.5, every="batch"), 300),
}


def anneal(kind, start, end, pct):
    if kind == "cos":
        return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
    return (end - start) * pct + start


def onecycle(p, total):
    initial = p["max_lr"] / p["div"]
    final = initial / p["final_div"]
    if p["three_phase"]:
        ends = [float(p["pct"] * total) - 1, float(2 * p["pct"] * total) - 2, total - 1]
        lrs = [(initial, p["max_lr"]), (p["max_lr"], initial), (initial, final)]
        moms = [(p["max_m"], p["base_m"]), (p["base_m"], p["max_m"]), (p["max_m"], p["max_m"])]
    else:
        ends = [float(p["pct"] * total) - 1, total - 1]
        lrs = [(initial, p["max_lr"]), (p["max_lr"], final)]
        moms = [(p["max_m"], p["base_m"]), (p["base_m"], p["max_m"])]
    out = []
    for k in range(total):
        start = 0.0
        for i, end in enumerate(ends):
            if k <= end or i == len(ends) - 1:
                pct = (k - start) / (end - start)
                out.append((anneal(p["anneal"], *lrs[i], pct), anneal(p["anneal"], *moms[i], pct)))
                break
            start = end
    return out


def multistep(p, total):
    k = np.arange(total)
    taken = {"epoch": lambda: k // p.get("spe", 1), "selection": lambda: k // p.get("select", 1),
             "batch": lambda: k}[p["every"]]()
    reached = np.searchsorted(np.array(sorted(p["milestones"])), taken, side="right")  # bisect_right
    return [(p["lr"] * p["gamma"] ** int(r), 0.9) for r in reached]


def main():
    w = sys.stdout.write
    w("# torch.optim.lr_scheduler OneCycleLR / MultiStepLR by their formulas: case,step,lr,beta1\n")
    w("# python3 src/test/resources/golden/make_schedule_table.py > src/test/resources/golden/torch_schedules.csv\n")
    for name, (kind, p, total) in CASES.items():
        rows = onecycle(p, total) if kind == "onecycle" else multistep(p, total)
        for k, (lr, b1) in enumerate(rows):
            w(f"{name},{k},{lr!r},{b1!r}\n")


if __name__ == "__main__":
    main()
