"""Golden statistics for FeatureStatisticsTest, computed by scikit-learn (Debian python3-sklearn 1.2).

Cumulative standard and minmax statistics are scikit-learn's own StandardScaler.partial_fit and
MinMaxScaler.partial_fit after each minibatch; the momentum variants follow the documented rule
(first minibatch sets the statistics, then running = (1 - m) * running + m * batch, batch variance population),
emulated here with numpy. Features span several orders of magnitude, one is constant, and the minibatches
have different sizes (one of a single row). Run: /usr/bin/python3 generate_golden.py > golden.json
"""
import json

import numpy as np
from sklearn.preprocessing import MinMaxScaler, StandardScaler

rng = np.random.default_rng(20261201)
sizes = [5, 1, 8, 3, 16]
magnitudes = np.array([1e-3, 1.0, 250.0, 1e5])
batches = []
for n in sizes:
    x = rng.normal(loc=magnitudes * 3, scale=magnitudes, size=(n, 4)).astype(np.float32)
    x = np.concatenate([x, np.full((n, 1), 7.5, dtype=np.float32)], axis=1)  # a constant feature
    batches.append(x)


def scale_of(spread, shift):
    return np.where(spread <= 1e-7 * np.maximum(1, np.abs(shift)), 1.0, 1.0 / np.where(spread == 0, 1, spread))


out = {"batches": [b.astype(float).tolist() for b in batches], "cases": []}
std, mm = StandardScaler(), MinMaxScaler()
std_steps, mm_steps = [], []
for b in batches:
    std.partial_fit(b.astype(np.float64))
    mm.partial_fit(b.astype(np.float64))
    std_steps.append({"count": int(std.n_samples_seen_), "first": std.mean_.tolist(), "second": std.var_.tolist(),
                      "shift": std.mean_.tolist(), "scale": scale_of(np.sqrt(std.var_), std.mean_).tolist()})
    mm_steps.append({"count": int(mm.n_samples_seen_), "first": mm.data_min_.tolist(), "second": mm.data_max_.tolist(),
                     "shift": mm.data_min_.tolist(),
                     "scale": scale_of(mm.data_max_ - mm.data_min_, mm.data_min_).tolist()})
out["cases"].append({"kind": "standard", "momentum": None, "steps": std_steps})
out["cases"].append({"kind": "minmax", "momentum": None, "steps": mm_steps})

for kind in ["standard", "minmax"]:
    m = 0.25
    first = second = None
    count = 0
    steps = []
    for b in batches:
        b = b.astype(np.float64)
        a, c = (b.mean(0), b.var(0)) if kind == "standard" else (b.min(0), b.max(0))
        if first is None:
            first, second = a, c
        else:
            first, second = (1 - m) * first + m * a, (1 - m) * second + m * c
        count += len(b)
        spread = np.sqrt(second) if kind == "standard" else second - first
        steps.append({"count": count, "first": first.tolist(), "second": second.tolist(), "shift": first.tolist(),
                      "scale": scale_of(spread, first).tolist()})
    out["cases"].append({"kind": kind, "momentum": m, "steps": steps})
print(json.dumps(out, indent=1))
