"""Golden values for StreamTrain's range test (RangeCurve, RangeSuggestions), computed the way fastai 2.7 does.

fastai is not installed here; this is a faithful emulation of the code it runs, kept short so it can be read against
fastai/callback/schedule.py (LRFinder, valley, minimum, steep, Learner.lr_find) and fastai/learner.py
(AvgSmoothLoss, beta=0.98), with torch tensors as fastai uses them. Run: /usr/bin/python3 generate_golden.py
"""
import json
import math

import torch


def smooth(losses, beta=0.98):  # fastai AvgSmoothLoss: torch.lerp(loss, val, beta), debiased by 1 - beta**count
    val, out = torch.tensor(0.0, dtype=torch.float64), []
    for i, loss in enumerate(losses, start=1):
        val = torch.lerp(torch.tensor(loss, dtype=torch.float64), val, beta)
        out.append((val / (1 - beta ** i)).item())
    return out


def valley(lrs, losses):  # fastai valley
    n = len(losses)
    max_start, max_end = 0, 0
    lds = [1] * n
    for i in range(1, n):
        for j in range(0, i):
            if (losses[i] < losses[j]) and (lds[i] < lds[j] + 1):
                lds[i] = lds[j] + 1
            if lds[max_end] < lds[i]:
                max_end = i
                max_start = max_end - lds[max_end]
    sections = (max_end - max_start) / 3
    idx = max_start + int(sections) + int(sections / 2)
    return float(lrs[idx])


def minimum(lrs, losses):  # fastai minimum: a tenth of the rate at the lowest loss
    return lrs[losses.argmin()].item() / 10


def steep(lrs, losses):  # fastai steep
    grads = (losses[1:] - losses[:-1]) / (lrs[1:].log() - lrs[:-1].log())
    return lrs[grads.argmin()].item()


def suggest(lrs, smoothed, num_it):  # Learner.lr_find: the first tenth and the last five left out, cut at a NaN
    lrs = torch.tensor(lrs[num_it // 10:-5], dtype=torch.float64)
    losses = torch.tensor(smoothed[num_it // 10:-5], dtype=torch.float64)
    nan = torch.nonzero(torch.isnan(losses.view(-1)))
    if len(nan) > 0:
        lrs, losses = lrs[:min(nan)], losses[:min(nan)]
    return {"steepest": steep(lrs, losses), "minimum_tenth": minimum(lrs, losses),
            "valley": valley(lrs.tolist(), losses.tolist()), "loss_minimum": lrs[losses.argmin()].item()}


def curve(name, num_it, loss_of, recorded=None):
    """num_it: the sweep's requested updates (fastai trims by it); recorded: how many it made before stopping."""
    start, end = 1e-7, 10.0
    lrs = [start * (end / start) ** (i / (num_it - 1)) for i in range(num_it)]  # StreamTrain: last update at `end`
    lrs = lrs[:recorded or num_it]
    losses = [loss_of(i, lr) for i, lr in enumerate(lrs)]
    smoothed = smooth(losses)
    return {"name": name, "num_it": num_it, "lrs": lrs, "losses": losses, "smoothed": smoothed,
            "suggestions": suggest(lrs, smoothed, num_it)}


def bowl(i, lr):  # flat, a fall around 1e-2, a rise past 1: the textbook shape, with a deterministic wobble
    x = math.log10(lr)
    return 2.3 - 1.8 / (1 + math.exp(-3 * (x + 2))) + 0.9 * max(0.0, x) ** 2 + 0.02 * math.sin(7 * i)


def diverged_early(i, lr):  # the bowl, cut short by a NaN: a sweep stopped at update 60 of 100
    return float("nan") if i == 57 else bowl(i, lr)


def short_valley(i, lr):  # the longest fall is the first two trimmed points: fastai's index -1 is the LAST point
    if i < 11:
        return 1.0
    return 0.0 if i == 11 else 100.0 * (i - 11)


def noisy_flat_start(i, lr):  # a long flat start whose noise strings a long "descending" run (valley's weakness)
    x = math.log10(lr)
    return 2.0 - 1.5 / (1 + math.exp(-4 * (x + 1))) + 2 * max(0.0, x + 0.3) ** 2 + 0.05 * math.sin(3.7 * i)


if __name__ == "__main__":
    golden = [curve("bowl", 100, bowl), curve("noisy_flat_start", 60, noisy_flat_start),
              curve("diverged_early", 100, diverged_early, recorded=60), curve("short_valley", 100, short_valley)]
    with open("golden.json", "w") as f:
        json.dump(golden, f, indent=1)
    for g in golden:
        print(g["name"], g["suggestions"])
