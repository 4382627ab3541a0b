"""docs/figures/synth_ec.png: mean and spread of the energy centre EC_x (the evaluator's EC_eta) per layer, and the
Pearson correlation of EC_x between adjacent layers, for two synthetic DS2 files (old generator beside new).

    python3 docs/figures/synth_ec.py OLD.hdf5 NEW.hdf5 docs/figures/synth_ec.png

Voxel centres as the CaloChallenge evaluator: alpha edges linspace(-pi, pi, 17), radial edges every 4.65 mm.
"""
import sys
import h5py
import numpy as np
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

n_alpha, n_r, layers = 16, 9, 45
a_edges = np.linspace(-np.pi, np.pi, n_alpha + 1)
r_edges = np.arange(n_r + 1) * 4.65
a_mid = (a_edges[:-1] + a_edges[1:]) / 2
r_mid = (r_edges[:-1] + r_edges[1:]) / 2
x_centre = (r_mid[None, :] * np.cos(a_mid[:, None])).reshape(-1)   # index alpha * n_r + r


def ec_profile(path):
    with h5py.File(path, "r") as f:
        showers = f["showers"][:].reshape(-1, layers, n_alpha * n_r).astype(np.float64)
    e = showers.sum(axis=2)
    ec = np.where(e > 0, (showers * x_centre).sum(axis=2) / np.where(e > 0, e, 1), np.nan)
    mean = np.nanmean(ec, axis=0)
    sd = np.nanstd(ec, axis=0)
    corr = []
    for l in range(layers - 1):
        ok = ~np.isnan(ec[:, l]) & ~np.isnan(ec[:, l + 1])
        corr.append(np.corrcoef(ec[ok, l], ec[ok, l + 1])[0, 1] if ok.sum() > 10 else np.nan)
    both = [(ec[:, l], ec[:, l + 1]) for l in range(10, 30)]
    x = np.concatenate([b[0] for b in both]); y = np.concatenate([b[1] for b in both])
    ok = ~np.isnan(x) & ~np.isnan(y)
    return mean, sd, np.array(corr), np.corrcoef(x[ok], y[ok])[0, 1], len(e)


old, new, out = sys.argv[1:4]
fig, ax = plt.subplots(1, 3, figsize=(13, 3.8))
for path, label, colour in [(old, "old generator", "grey"), (new, "new generator", "tab:red")]:
    mean, sd, corr, pooled, n = ec_profile(path)
    ax[0].plot(range(layers), mean, color=colour, label=label)
    ax[1].plot(range(layers), sd, color=colour, label=label)
    ax[2].plot(np.arange(layers - 1) + 0.5, corr, color=colour, label=f"{label} (layers 10-30 pooled: {pooled:.2f})")
    print(f"{label}: {n} showers, sigma(EC_x) layer 10/20/30 = {sd[10]:.2f}/{sd[20]:.2f}/{sd[30]:.2f} mm, "
          f"adjacent-layer correlation pooled over layers 10-30 = {pooled:.3f}")
ax[0].set_ylabel("mean EC_x [mm]"); ax[1].set_ylabel("std of EC_x [mm]"); ax[2].set_ylabel("corr(EC_x layer l, l+1)")
for a in ax:
    a.set_xlabel("layer"); a.grid(alpha=0.3); a.legend(fontsize=8)
ax[2].set_ylim(-0.1, 1.0)
fig.suptitle("Synthetic DS2, 2000 showers log-uniform 1 GeV - 1 TeV: energy centre per layer", fontsize=10)
fig.tight_layout()
fig.savefig(out, dpi=110)
