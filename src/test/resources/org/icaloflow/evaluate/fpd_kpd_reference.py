#!/usr/bin/env python3
"""Reference values for FrechetKernelDistancesTest: jetnet's fpd/kpd (gen_metrics.py, jet-net/JetNet) on a fixed
feature table, re-implemented here from jetnet's source with numpy/scipy (jetnet itself is not installed), with the
bootstrap indices drawn by numpy and written out so that the Java test replays the same draws.

Command (from the repository root), writes fpd_kpd_features.csv, fpd_kpd_indices.txt, fpd_kpd_expected.txt here:
  /work/main/.venv/bin/python3 src/test/resources/org/icaloflow/evaluate/fpd_kpd_reference.py
"""
import os
import numpy as np
from scipy import linalg
from scipy.optimize import curve_fit
from scipy.stats import iqr

HERE = os.path.dirname(os.path.abspath(__file__))
D, N_REF, N_GEN = 5, 40, 30
MIN_S, MAX_S, POINTS, FPD_BATCHES = 8, 30, 5, 3
KPD_BATCHES, KPD_SIZE, DEGREE = 5, 12, 4


def table(n, shift):
    # deterministic, correlated, no constant column; the generated table is shifted and stretched
    i = np.arange(n)[:, None]
    j = np.arange(D)[None, :]
    x = np.sin(0.7 * i * (j + 1) + 0.3 * j) + 0.5 * np.cos(1.3 * i + j) + 0.2 * j
    x[:, 1] += 0.4 * x[:, 0]
    return x * (1 + 0.1 * shift) + shift * 1.0


ref, gen = table(N_REF, 0), table(N_GEN, 1)
rng = np.random.default_rng(12)
draws = []


def draw(n, size):
    a = rng.choice(n, size=size)
    draws.append(a)
    return a


def normalise(x, y):  # jetnet _normalise_features: by max|x| of the reference
    m = np.max(np.abs(x), axis=0)
    m[m == 0] = 1
    return x / m, y / m


def frechet(mu1, s1, mu2, s2, eps=1e-6):  # jetnet _calculate_frechet_distance
    diff = mu1 - mu2
    covmean, _ = linalg.sqrtm(s1.dot(s2), disp=False)
    if not np.isfinite(covmean).all():
        off = np.eye(s1.shape[0]) * eps
        covmean = linalg.sqrtm((s1 + off).dot(s2 + off))
    if np.iscomplexobj(covmean):
        covmean = covmean.real
    return diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean)


def linear(x, a, b):
    return a + b * x


X, Y = normalise(ref, gen)
batches = (1 / np.linspace(1.0 / MIN_S, 1.0 / MAX_S, POINTS)).astype("int32")
vals = []
for n in batches:
    pts = []
    for _ in range(FPD_BATCHES):
        a, b = X[draw(len(X), n)], Y[draw(len(Y), n)]
        pts.append(frechet(np.mean(a, 0), np.cov(a, rowvar=False), np.mean(b, 0), np.cov(b, rowvar=False)))
    vals.append(np.mean(pts))
params, covs = curve_fit(linear, 1 / batches, vals, bounds=([0, 0], [np.inf, np.inf]))
fpd, fpd_err = params[0], np.sqrt(np.diag(covs)[0])


def poly(x, y, d):
    return (x @ y.T / x.shape[-1] + 1.0) ** d


def mmd(x, y, d):  # jetnet _mmd_poly_quadratic_unbiased
    xx, yy, xy = poly(x, x, d), poly(y, y, d), poly(x, y, d)
    m, n = len(x), len(y)
    return (xx.sum() - np.trace(xx)) / (m * (m - 1)) + (yy.sum() - np.trace(yy)) / (n * (n - 1)) - 2 * np.mean(xy)


kv = []
for _ in range(KPD_BATCHES):
    kv.append(mmd(X[draw(len(X), KPD_SIZE)], Y[draw(len(Y), KPD_SIZE)], DEGREE))
kpd, kpd_err = np.median(kv), iqr(kv, rng=(16.275, 83.725)) / 2

# one tr sqrt(S1 S2) on full-sample covariances, for the matrix-square-root check
s1, s2 = np.cov(X, rowvar=False), np.cov(Y, rowvar=False)
trs = np.trace(linalg.sqrtm(s1 @ s2).real)

with open(os.path.join(HERE, "fpd_kpd_features.csv"), "w") as f:
    for name, t in (("reference", ref), ("generated", gen)):
        for row in t:
            f.write(name + "," + ",".join(repr(float(v)) for v in row) + "\n")
with open(os.path.join(HERE, "fpd_kpd_indices.txt"), "w") as f:
    for a in draws:
        f.write(" ".join(str(int(v)) for v in a) + "\n")
with open(os.path.join(HERE, "fpd_kpd_expected.txt"), "w") as f:
    f.write(f"settings {MIN_S} {MAX_S} {POINTS} {FPD_BATCHES} {KPD_BATCHES} {KPD_SIZE} {DEGREE}\n")
    f.write("batch_sizes " + " ".join(str(int(b)) for b in batches) + "\n")
    f.write("fpd_means " + " ".join(repr(float(v)) for v in vals) + "\n")
    f.write(f"fpd {float(fpd)!r} {float(fpd_err)!r}\n")
    f.write("kpd_values " + " ".join(repr(float(v)) for v in kv) + "\n")
    f.write(f"kpd {float(kpd)!r} {float(kpd_err)!r}\n")
    f.write(f"trace_sqrt {float(trs)!r}\n")
    # the unconstrained least-squares fit, to show curve_fit's bounds are inactive here
    A = np.vstack([np.ones(len(batches)), 1 / batches]).T
    f.write("lstsq " + " ".join(repr(float(v)) for v in np.linalg.lstsq(A, vals, rcond=None)[0]) + "\n")
print(open(os.path.join(HERE, "fpd_kpd_expected.txt")).read())
