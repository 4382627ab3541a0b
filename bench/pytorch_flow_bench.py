#!/usr/bin/env python3
"""PyTorch-eager counterpart of `icaloflow bench flow` (same architecture, same measurements).

DS2 Flow-3: teacher MAF 144 dims | 191 conditions, 8 blocks, MADE 2x256, 8-bin RQ spline (B = 14);
student IAF 2x384. Prints ms per training step (log-prob, backward, Adam) at a batch, and sampling ms per
layer-batch and per sample for the teacher (144 sequential MADE passes per block) and the student.
Needs only torch (not installed in the project's environment): python3 bench/pytorch_flow_bench.py
"""
import argparse
import math
import time

import torch
import torch.nn.functional as F

K, B, MIN = 8, 14.0, 1e-6
P = 3 * K - 1


def masks(d, widths):
    ind = torch.arange(1, d + 1)
    hid = [(torch.arange(w) % max(1, d - 1)) + (1 if d > 1 else 0) for w in widths]
    ms = [(hid[0][None, :] >= ind[:, None]).float()]
    for a, b in zip(hid[:-1], hid[1:]):
        ms.append((b[None, :] >= a[:, None]).float())
    out = torch.arange(d * P) // P + 1
    ms.append((out[None, :] > hid[-1][:, None]).float())
    return ms


class Made(torch.nn.Module):
    def __init__(self, d, c, width, layers):
        super().__init__()
        widths = [width] * (layers + 1)
        self.ms = masks(d, widths)
        dims = [d] + widths + [d * P]
        self.w = torch.nn.ParameterList()
        self.b = torch.nn.ParameterList()
        for i, (a, o) in enumerate(zip(dims[:-1], dims[1:])):
            bound = 1e-3 if i == len(dims) - 2 else 1 / math.sqrt(a)
            self.w.append(torch.nn.Parameter(torch.empty(a, o).uniform_(-bound, bound)))
            self.b.append(torch.nn.Parameter(torch.zeros(o) if i == len(dims) - 2 else torch.empty(o).uniform_(-bound, bound)))
        self.cw = torch.nn.Parameter(torch.empty(c, width).uniform_(-1 / math.sqrt(c), 1 / math.sqrt(c)))
        self.d = d

    def forward(self, x, c):
        h = F.relu(x @ (self.w[0] * self.ms[0]) + self.b[0] + c @ self.cw)
        for i in range(1, len(self.w) - 1):
            h = F.relu(h @ (self.w[i] * self.ms[i]) + self.b[i])
        return (h @ (self.w[-1] * self.ms[-1]) + self.b[-1]).view(x.shape[0], self.d, P)


def spline(x, p, inverse=False):
    shift = math.log(math.expm1(1 - MIN))
    w = MIN + (1 - MIN * K) * torch.softmax(p[..., :K], -1)
    h = MIN + (1 - MIN * K) * torch.softmax(p[..., K:2 * K], -1)
    dint = MIN + F.softplus(p[..., 2 * K:] + shift)
    lo = torch.full_like(w[..., :1], -B)
    one = torch.ones_like(w[..., :1])
    xl = torch.cat([lo, torch.cumsum(w[..., :-1], -1) * 2 * B - B], -1)
    yl = torch.cat([lo, torch.cumsum(h[..., :-1], -1) * 2 * B - B], -1)
    d = torch.cat([one, dint, one], -1)
    xc = x.clamp(-B, B)
    knots = (yl if inverse else xl)[..., 1:]
    idx = (xc[..., None] >= knots).sum(-1, keepdim=True)
    xk, wk = xl.gather(-1, idx)[..., 0], (2 * B * w).gather(-1, idx)[..., 0]
    yk, hk = yl.gather(-1, idx)[..., 0], (2 * B * h).gather(-1, idx)[..., 0]
    d0, d1 = d[..., :-1].gather(-1, idx)[..., 0], d[..., 1:].gather(-1, idx)[..., 0]
    s = hk / wk
    sd = d1 + d0 - 2 * s
    if inverse:
        dy = xc - yk
        a = hk * (s - d0) + dy * sd
        b = hk * d0 - dy * sd
        cc = -s * dy
        th = (2 * cc / (-b - torch.sqrt((b * b - 4 * a * cc).clamp(min=0)))).clamp(0, 1)
        out = th * wk + xk
    else:
        th = ((xc - xk) / wk).clamp(0, 1)
    tom = th * (1 - th)
    den = s + sd * tom
    if not inverse:
        out = yk + hk * (s * th * th + d0 * tom) / den
    ld = 2 * torch.log(s) - 2 * torch.log(den) + torch.log(d1 * th * th + 2 * s * tom + d0 * (1 - th) ** 2)
    inside = (x >= -B) & (x <= B)
    return torch.where(inside, out, x), (-ld if inverse else ld) * inside


class Flow(torch.nn.Module):
    def __init__(self, kind, d, c, width, layers, blocks=8, seed=0):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.kind, self.d = kind, d
        self.mades = torch.nn.ModuleList([Made(d, c, width, layers) for _ in range(blocks)])
        self.perms = [None] + [torch.arange(d - 1, -1, -1) if i % 2 else torch.randperm(d, generator=g)
                               for i in range(1, blocks)]

    def log_prob(self, x, c):  # MAF fast direction
        ld = 0
        for i, m in enumerate(self.mades):
            if self.perms[i] is not None:
                x = x[:, self.perms[i]]
            x, l = spline(x, m(x, c))
            ld = ld + l.sum(-1)
        return -0.5 * (x ** 2).sum(-1) - 0.5 * self.d * math.log(2 * math.pi) + ld

    @torch.no_grad()
    def sample(self, n, c):
        z = torch.randn(n, self.d)
        for i in reversed(range(len(self.mades))):
            m = self.mades[i]
            if self.kind == "IAF":
                z, _ = spline(z, m(z, c), inverse=True)
            else:
                x = torch.zeros_like(z)
                for k in range(self.d):
                    p = m(x, c)[:, k:k + 1]
                    x[:, k:k + 1], _ = spline(z[:, k:k + 1], p, inverse=True)
                z = x
            if self.perms[i] is not None:
                z = z[:, torch.argsort(self.perms[i])]
        return z


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--batch-sizes", default="1,100,1000")
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    teacher = Flow("MAF", 144, 191, 256, 2, seed=204)
    student = Flow("IAF", 144, 191, 384, 2, seed=205)
    opt = torch.optim.Adam(teacher.parameters(), lr=1e-4)
    total = 0.0
    for i in range(a.steps + 1):
        x, c = torch.randn(a.batch, 144), torch.randn(a.batch, 191)
        t0 = time.perf_counter()
        loss = -teacher.log_prob(x, c).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if i > 0:
            total += time.perf_counter() - t0
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
    print(f"training step, batch {a.batch}: {1000 * total / max(1, a.steps):.1f} ms/step")
    for b in [int(s) for s in a.batch_sizes.split(",")]:
        for name, f in (("teacher MAF", teacher), ("student IAF", student)):
            c = torch.randn(b, 191)
            t0 = time.perf_counter()
            f.sample(b, c)
            ms = 1000 * (time.perf_counter() - t0)
            print(f"sampling {name}, batch {b:5d}: {ms:10.1f} ms per layer-batch, {ms / b:9.3f} ms per sample")


if __name__ == "__main__":
    main()
