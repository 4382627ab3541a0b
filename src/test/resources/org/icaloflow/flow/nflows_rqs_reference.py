#!/usr/bin/env python3
"""Reference values for RationalQuadraticSplineTest: nflows 0.14's unconstrained_rational_quadratic_spline
(tails='linear') re-derived in numpy from its equations (Durkan et al. 2019, Eqs. 4-8 of "Neural Spline Flows"),
with the settings of the authors' run.py: K = 8 bins, tail_bound 14, min_bin_width = min_bin_height =
min_derivative = 1e-6. The raw parameters are what the MADE outputs, unscaled: nflows' transform divides widths
and heights by sqrt(hidden_features) only when its network has that attribute, and nflows' MADE has none.

Writes nflows_rqs_reference.csv: direction (f = forward x -> y, i = inverse y -> x), input, the 3K-1 raw
parameters (K widths, K heights, K-1 interior derivatives), output, log|d output / d input|.

Command: cd src/test/resources/org/icaloflow/flow && /work/main/.venv/bin/python3 nflows_rqs_reference.py
"""
import numpy as np

K, B, MIN_W, MIN_H, MIN_D = 8, 14.0, 1e-6, 1e-6, 1e-6


def softplus(u):
    return np.where(u > 20, u, np.log1p(np.exp(np.minimum(u, 20))))


def knots(raw, min_size):
    e = np.exp(raw - raw.max())
    frac = min_size + (1 - min_size * K) * e / e.sum()
    cum = np.concatenate([[0.0], np.cumsum(frac)]) * 2 * B - B
    cum[0], cum[-1] = -B, B
    return cum


def spline(v, raw, inverse):
    if not (-B <= v <= B):
        return v, 0.0
    xs = knots(raw[:K], MIN_W)
    ys = knots(raw[K:2 * K], MIN_H)
    # boundary raw derivatives log(exp(1 - min_d) - 1): derivative 1 where the linear tails join
    pad = np.log(np.expm1(1 - MIN_D))
    d = MIN_D + softplus(np.concatenate([[pad], raw[2 * K:], [pad]]))
    grid = ys if inverse else xs
    k = int(np.clip(np.searchsorted(grid, v, side='right') - 1, 0, K - 1))
    w, h = xs[k + 1] - xs[k], ys[k + 1] - ys[k]
    s = h / w
    d0, d1 = d[k], d[k + 1]
    if inverse:
        # theta from h (s t^2 + d0 t (1-t)) = (v - y_k)(s + (d0 + d1 - 2 s) t (1-t)), a quadratic in t
        dy = v - ys[k]
        c2 = h * (s - d0) + dy * (d0 + d1 - 2 * s)
        c1 = h * d0 - dy * (d0 + d1 - 2 * s)
        c0 = -s * dy
        t = 2 * c0 / (-c1 - np.sqrt(c1 * c1 - 4 * c2 * c0))
        out = xs[k] + t * w
    else:
        t = (v - xs[k]) / w
        out = ys[k] + h * (s * t * t + d0 * t * (1 - t)) / (s + (d0 + d1 - 2 * s) * t * (1 - t))
    deriv = s * s * (d1 * t * t + 2 * s * t * (1 - t) + d0 * (1 - t) ** 2) / (s + (d0 + d1 - 2 * s) * t * (1 - t)) ** 2
    ld = np.log(deriv)
    return out, (-ld if inverse else ld)


rng = np.random.default_rng(20261201)
rows = []
for i in range(48):
    raw = rng.normal(0, 1.5, 3 * K - 1) if i % 8 else np.zeros(3 * K - 1)
    v = rng.uniform(-15, 15)
    for direction in ('f', 'i'):
        out, ld = spline(v, raw, direction == 'i')
        rows.append([direction, v, *raw, out, ld])
with open('nflows_rqs_reference.csv', 'w') as f:
    f.write('# made by nflows_rqs_reference.py (see its header); columns: dir, input, 23 raw params, output, logdet\n')
    for r in rows:
        f.write(','.join([r[0]] + [repr(float(x)) for x in r[1:]]) + '\n')
