#!/usr/bin/env python3
"""Where a generated DS2 sample differs from its reference: which stage of the iCaloFlow chain carries the difference.

Independent of the project's Java code (numpy/h5py/scikit-learn only), for bench/results/fidelity_ds2_cpu.md,
section "Layer closure". Prints

1. boosted-tree (scikit-learn HistGradientBoostingClassifier, 3-fold CV) AUCs of the reference against each sample
   on feature groups: E_tot/E_inc only, the 45 layer energies, the shape features (EC_r, width_r, sparsity per
   layer), all of them; and, with --proxies, against Flow-1's own layer energies (`icaloflow sample --proxies`),
   which isolates Flow-1 from the shape flows;
2. the hit count of the first layer where it should hold one MIP-like hit (layer energy 4-7 MeV): the fraction of
   showers with 0, 1, 2, 3 voxels above half that energy, for the reference and each sample, beside a Poisson law
   of the sample's mean (what voxels that do not depend on each other would give). The reference's window is on
   its layer sum; a sample's on Flow-1's E_1, so only the sample given with --proxies is counted (on its own sum
   at most one voxel can hold more than half, and dead layers would leave the window).

Needs: pip install numpy h5py scikit-learn (1.9.1 here; not a project dependency).
  python3 bench/fidelity_diagnostics.py --reference REF.hdf5 --sample teacher=T.hdf5 --sample student=S.hdf5 \
      [--sample truth=TRUTH.hdf5] [--proxies teacher=PROXIES.csv]
"""
import argparse
import math

import h5py
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import cross_val_score

LAYERS, ALPHA_BINS, RADIAL_BINS = 45, 16, 9
THRESHOLD_MEV = 0.5e-3 / 0.033


def load(path):
    with h5py.File(path, "r") as f:
        return f["incident_energies"][:, 0].astype(np.float64), f["showers"][:].astype(np.float64)


def features(e, showers):
    n = len(e)
    s = showers.reshape(n, LAYERS, ALPHA_BINS, RADIAL_BINS)
    s = np.where(s < THRESHOLD_MEV, 0, s)
    layer = s.sum((2, 3))
    radial = s.sum(2)
    r = np.arange(RADIAL_BINS) + 0.5
    safe = np.maximum(layer, 1e-12)
    ec_r = (radial * r).sum(2) / safe
    width_r = np.sqrt(np.maximum((radial * r ** 2).sum(2) / safe - ec_r ** 2, 0))
    return {
        "einc": np.log10(e)[:, None],
        "etot": np.log10(layer.sum(1) / e + 1e-12)[:, None],
        "layers": np.log10(layer / e[:, None] + 1e-8),
        "ec_r": ec_r,
        "width_r": width_r,
        "sparsity": (s > 0).mean((2, 3)),
    }


def layer_features(e, layer_mev):
    return {
        "einc": np.log10(e)[:, None],
        "etot": np.log10(layer_mev.sum(1) / e + 1e-12)[:, None],
        "layers": np.log10(layer_mev / e[:, None] + 1e-8),
    }


GROUPS = {
    "E_tot/E_inc": ["einc", "etot"],
    "layer energies": ["einc", "etot", "layers"],
    "shapes": ["einc", "ec_r", "width_r", "sparsity"],
    "all": ["einc", "etot", "layers", "ec_r", "width_r", "sparsity"],
}


def auc(a, b, keys):
    x = np.vstack([np.hstack([a[k] for k in keys]), np.hstack([b[k] for k in keys])])
    y = np.r_[np.zeros(len(a["einc"])), np.ones(len(b["einc"]))]
    return cross_val_score(HistGradientBoostingClassifier(max_iter=200, random_state=0), x, y, cv=3,
                           scoring="roc_auc").mean()


def hit_counts(showers, e1=None, low=4.0, high=7.0):
    first = showers[:, : ALPHA_BINS * RADIAL_BINS]
    first = np.where(first < THRESHOLD_MEV, 0, first)
    if e1 is None:
        e1 = first.sum(1)
    m = (e1 >= low) & (e1 < high)
    hits = (first[m] > 0.5 * e1[m, None]).sum(1)
    return m.sum(), hits


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--reference", required=True)
    p.add_argument("--sample", action="append", default=[], help="NAME=FILE.hdf5 (repeatable)")
    p.add_argument("--proxies", help="NAME=FILE.csv: Flow-1's layer energies of sample NAME (icaloflow sample --proxies)")
    a = p.parse_args()
    e_ref, s_ref = load(a.reference)
    ref = features(e_ref, s_ref)
    samples = [x.split("=", 1) for x in a.sample]
    print("boosted-tree AUC, reference against ...")
    for name, path in samples:
        e, s = load(path)
        f = features(e, s)
        print("  %-10s " % name + ", ".join("%s %.3f" % (g, auc(ref, f, k)) for g, k in GROUPS.items()), flush=True)
    proxied, prox = None, None
    if a.proxies:
        proxied, path = a.proxies.split("=", 1)
        prox = np.loadtxt(path, delimiter=",", skiprows=1)
        layer_ref = np.where(s_ref.reshape(len(e_ref), LAYERS, -1) < THRESHOLD_MEV, 0,
                             s_ref.reshape(len(e_ref), LAYERS, -1)).sum(2)
        fr, fp = layer_features(e_ref, layer_ref), layer_features(prox[:, 0], prox[:, 1:])
        print("  %-10s E_tot/E_inc %.3f, layer energies %.3f" % ("Flow-1 of " + proxied, auc(fr, fp, GROUPS["E_tot/E_inc"]),
                                                                  auc(fr, fp, GROUPS["layer energies"])))
    print("first layer with 4-7 MeV: fraction of showers with k voxels above half the layer's energy")
    for name, showers in [("reference", s_ref)] + [(n, load(path)[1]) for n, path in samples if n == proxied]:
        n, hits = hit_counts(showers, prox[:, 1] if name == proxied else None)
        mu = hits.mean()
        got = " ".join("%.3f" % (hits == k).mean() for k in range(4))
        poisson = " ".join("%.3f" % (math.exp(-mu) * mu ** k / math.factorial(k)) for k in range(4))
        print("  %-10s n %4d  k=0..3: %s   Poisson(%.2f): %s" % (name, n, got, mu, poisson))


if __name__ == "__main__":
    main()
