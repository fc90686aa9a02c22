"""Golden statistics for FeatureStatisticsTest, computed by scikit-learn (Debian python3-sklearn 1.2).

Cumulative standard and minmax statistics, and the scale applied, are scikit-learn's own
StandardScaler.partial_fit and MinMaxScaler.partial_fit after each minibatch (scale = 1 / scaler.scale_ for
standard, scaler.scale_ for minmax, with scikit-learn's own handling of constant features). The momentum
variant (standard only) follows the documented rule, emulated with numpy: the first minibatch sets the
statistics, then the mixture weighing the running distribution 1 - m and the minibatch m
(mean += m d; var = (1 - m) var + m batch_var + m (1 - m) d^2, d = batch_mean - mean).
Features span 1e-9 to 1e5 units, one is constant, and the minibatches have different sizes (one of a
single row). Run: /usr/bin/python3 generate_golden.py > golden.json
"""
import json

import numpy as np
from sklearn.preprocessing import MinMaxScaler, StandardScaler

rng = np.random.default_rng(20261201)
sizes = [5, 1, 8, 3, 16]
magnitudes = np.array([1e-9, 1.0, 250.0, 1e5])
batches = []
for n in sizes:
    x = rng.normal(loc=magnitudes * 3, scale=magnitudes, size=(n, 4)).astype(np.float32)
    x = np.concatenate([x, np.full((n, 1), 7.5, dtype=np.float32)], axis=1)  # a constant feature
    batches.append(x)


def scale_of(spread, shift):
    """The momentum case's scale: 1 for a constant feature (spread 0 or below 1e-7 of its magnitude)."""
    constant = (spread == 0) | (spread <= 1e-7 * np.abs(shift))
    return np.where(constant, 1.0, 1.0 / np.where(spread == 0, 1, spread))


out = {"batches": [b.astype(float).tolist() for b in batches], "cases": []}
std, mm = StandardScaler(), MinMaxScaler()
std_steps, mm_steps = [], []
for b in batches:
    std.partial_fit(b.astype(np.float64))
    mm.partial_fit(b.astype(np.float64))
    std_steps.append({"count": int(std.n_samples_seen_), "first": std.mean_.tolist(), "second": std.var_.tolist(),
                      "shift": std.mean_.tolist(), "scale": (1.0 / std.scale_).tolist()})
    mm_steps.append({"count": int(mm.n_samples_seen_), "first": mm.data_min_.tolist(), "second": mm.data_max_.tolist(),
                     "shift": mm.data_min_.tolist(), "scale": mm.scale_.tolist()})
out["cases"].append({"kind": "standard", "momentum": None, "steps": std_steps})
out["cases"].append({"kind": "minmax", "momentum": None, "steps": mm_steps})

m = 0.25
first = second = None
count = 0
steps = []
for b in batches:
    b = b.astype(np.float64)
    a, c = b.mean(0), b.var(0)
    if first is None:
        first, second = a, c
    else:
        d = a - first
        first, second = first + m * d, (1 - m) * second + m * c + m * (1 - m) * d * d
    count += len(b)
    steps.append({"count": count, "first": first.tolist(), "second": second.tolist(), "shift": first.tolist(),
                  "scale": scale_of(np.sqrt(second), first).tolist()})
out["cases"].append({"kind": "standard", "momentum": m, "steps": steps})
print(json.dumps(out, indent=1))
