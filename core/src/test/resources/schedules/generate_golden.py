#!/usr/bin/env python3
"""Generates pytorch_schedules_golden.json: learning-rate (and momentum) tables for StreamTrain's schedule tests.

The reference is an emulation of torch.optim.lr_scheduler as PyTorch 2.x implements it: the *chainable* get_lr()
forms (each step derived from the previous rate, as PyTorch computes them), the step() walk from last_epoch=-1 with
the initial step at construction, SequentialLR's step(0) at milestones (which uses each scheduler's closed form), the
CosineAnnealingWarmRestarts T_cur/T_i bookkeeping, CyclicLR's and OneCycleLR's get_lr, and ReduceLROnPlateau's
counters. It deliberately does not share StreamTrain's closed forms, so the Java tests compare two different
derivations of PyTorch's documented behaviour. Run: python3 generate_golden.py > pytorch_schedules_golden.json
(no torch needed; standard library only).
"""
import bisect
import json
import math
from collections import Counter


class Opt:
    def __init__(self, lr, momentum=0.9):
        self.groups = [{"lr": lr, "momentum": momentum}]


class Sched:
    def __init__(self, opt):
        self.opt = opt
        for g in opt.groups:
            g.setdefault("initial_lr", g["lr"])
        self.base_lrs = [g["initial_lr"] for g in opt.groups]
        self.last_epoch = -1
        self._step_count = 0
        self.step()

    def lr(self):
        return self.opt.groups[0]["lr"]

    def step(self, epoch=None):
        self._step_count += 1
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            values = self.closed_form() if hasattr(self, "closed_form") else self.get_lr()
        for g, v in zip(self.opt.groups, values):
            g["lr"] = v


class StepLR(Sched):
    def __init__(self, opt, step_size, gamma=0.1):
        self.step_size, self.gamma = step_size, gamma
        super().__init__(opt)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [g["lr"] for g in self.opt.groups]
        return [g["lr"] * self.gamma for g in self.opt.groups]

    def closed_form(self):
        return [b * self.gamma ** (self.last_epoch // self.step_size) for b in self.base_lrs]


class MultiStepLR(Sched):
    def __init__(self, opt, milestones, gamma=0.1):
        self.milestones, self.gamma = Counter(milestones), gamma
        super().__init__(opt)

    def get_lr(self):
        if self.last_epoch not in self.milestones:
            return [g["lr"] for g in self.opt.groups]
        return [g["lr"] * self.gamma ** self.milestones[self.last_epoch] for g in self.opt.groups]

    def closed_form(self):
        ms = sorted(self.milestones.elements())
        return [b * self.gamma ** bisect.bisect_right(ms, self.last_epoch) for b in self.base_lrs]


class ExponentialLR(Sched):
    def __init__(self, opt, gamma):
        self.gamma = gamma
        super().__init__(opt)

    def get_lr(self):
        if self.last_epoch == 0:
            return [g["lr"] for g in self.opt.groups]
        return [g["lr"] * self.gamma for g in self.opt.groups]

    def closed_form(self):
        return [b * self.gamma ** self.last_epoch for b in self.base_lrs]


class CosineAnnealingLR(Sched):
    def __init__(self, opt, T_max, eta_min=0.0):
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(opt)

    def get_lr(self):
        e, T = self.last_epoch, self.T_max
        if e == 0:
            return [g["lr"] for g in self.opt.groups]
        if (e - 1 - T) % (2 * T) == 0:
            return [g["lr"] + (b - self.eta_min) * (1 - math.cos(math.pi / T)) / 2
                    for b, g in zip(self.base_lrs, self.opt.groups)]
        return [(1 + math.cos(math.pi * e / T)) / (1 + math.cos(math.pi * (e - 1) / T)) * (g["lr"] - self.eta_min)
                + self.eta_min for g in self.opt.groups]

    def closed_form(self):
        return [self.eta_min + (b - self.eta_min) * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for b in self.base_lrs]


class LinearLR(Sched):
    def __init__(self, opt, start_factor=1.0 / 3, end_factor=1.0, total_iters=5):
        self.s, self.e, self.n = start_factor, end_factor, total_iters
        super().__init__(opt)

    def get_lr(self):
        if self.last_epoch == 0:
            return [g["lr"] * self.s for g in self.opt.groups]
        if self.last_epoch > self.n:
            return [g["lr"] for g in self.opt.groups]
        return [g["lr"] * (1.0 + (self.e - self.s) / (self.n * self.s + (self.last_epoch - 1) * (self.e - self.s)))
                for g in self.opt.groups]

    def closed_form(self):
        return [b * (self.s + (self.e - self.s) * min(self.n, self.last_epoch) / self.n) for b in self.base_lrs]


class ConstantLR(Sched):
    def __init__(self, opt, factor=1.0 / 3, total_iters=5):
        self.factor, self.n = factor, total_iters
        super().__init__(opt)

    def get_lr(self):
        if self.last_epoch == 0:
            return [g["lr"] * self.factor for g in self.opt.groups]
        if self.last_epoch != self.n:
            return [g["lr"] for g in self.opt.groups]
        return [g["lr"] * (1.0 / self.factor) for g in self.opt.groups]

    def closed_form(self):
        return [b * (self.factor + (self.last_epoch >= self.n) * (1 - self.factor)) for b in self.base_lrs]


class PolynomialLR(Sched):
    def __init__(self, opt, total_iters=5, power=1.0):
        self.n, self.power = total_iters, power
        super().__init__(opt)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch > self.n:
            return [g["lr"] for g in self.opt.groups]
        f = ((1.0 - self.last_epoch / self.n) / (1.0 - (self.last_epoch - 1) / self.n)) ** self.power
        return [g["lr"] * f for g in self.opt.groups]

    def closed_form(self):
        return [b * (1.0 - min(self.n, self.last_epoch) / self.n) ** self.power for b in self.base_lrs]


class CosineAnnealingWarmRestarts(Sched):
    def __init__(self, opt, T_0, T_mult=1, eta_min=0.0):
        self.T_0, self.T_i, self.T_mult, self.eta_min = T_0, T_0, T_mult, eta_min
        self.T_cur = -1
        super().__init__(opt)

    def get_lr(self):
        return [self.eta_min + (b - self.eta_min) * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
                for b in self.base_lrs]

    def step(self, epoch=None):
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur -= self.T_i
                self.T_i *= self.T_mult
        else:  # PyTorch's explicit-epoch branch
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:
                    n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult ** n
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
        self.last_epoch = math.floor(epoch)
        for g, v in zip(self.opt.groups, self.get_lr()):
            g["lr"] = v


class CyclicLR(Sched):
    def __init__(self, opt, base_lr, max_lr, step_size_up=2000, step_size_down=None, mode="triangular", gamma=1.0,
                 scale_mode=None, cycle_momentum=True, base_momentum=0.8, max_momentum=0.9):
        for g in opt.groups:
            g["lr"] = base_lr
            g["initial_lr"] = base_lr
        self.max_lr, self.up = max_lr, float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else self.up
        self.total = self.up + down
        self.ratio = self.up / self.total
        self.mode, self.gamma = mode, gamma
        self.scale_mode = scale_mode or ("iterations" if mode == "exp_range" else "cycle")
        self.cycle_momentum, self.base_m, self.max_m = cycle_momentum, base_momentum, max_momentum
        if cycle_momentum:
            for g in opt.groups:
                g["momentum"] = max_momentum
        super().__init__(opt)

    def scale_fn(self, x):
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma ** x

    def get_lr(self):
        cycle = math.floor(1 + self.last_epoch / self.total)
        x = 1.0 + self.last_epoch / self.total - cycle
        sf = x / self.ratio if x <= self.ratio else (x - 1) / (self.ratio - 1)
        arg = cycle if self.scale_mode == "cycle" else self.last_epoch
        lrs = [b + (self.max_lr - b) * sf * self.scale_fn(arg) for b in self.base_lrs]
        if self.cycle_momentum:
            for g in self.opt.groups:
                g["momentum"] = self.max_m - (self.max_m - self.base_m) * sf * self.scale_fn(arg)
        return lrs


class OneCycleLR(Sched):
    def __init__(self, opt, max_lr, total_steps=None, epochs=None, steps_per_epoch=None, pct_start=0.3,
                 anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85, max_momentum=0.95, div_factor=25.0,
                 final_div_factor=1e4, three_phase=False):
        self.total = total_steps if total_steps is not None else epochs * steps_per_epoch
        initial = max_lr / div_factor
        mn = initial / final_div_factor
        for g in opt.groups:
            g["initial_lr"], g["max_lr"], g["min_lr"] = initial, max_lr, mn
        T = self.total
        if three_phase:
            self.phases = [(float(pct_start * T) - 1, initial, max_lr, max_momentum, base_momentum),
                           (float(2 * pct_start * T) - 2, max_lr, initial, base_momentum, max_momentum),
                           (T - 1, initial, mn, max_momentum, max_momentum)]
        else:
            self.phases = [(float(pct_start * T) - 1, initial, max_lr, max_momentum, base_momentum),
                           (T - 1, max_lr, mn, base_momentum, max_momentum)]
        self.cos = anneal_strategy == "cos"
        self.cycle_momentum = cycle_momentum
        super().__init__(opt)

    def anneal(self, start, end, pct):
        if self.cos:
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self):
        step = self.last_epoch
        start = 0
        for i, (end_step, s_lr, e_lr, s_m, e_m) in enumerate(self.phases):
            if step <= end_step or i == len(self.phases) - 1:
                pct = (step - start) / (end_step - start)
                lr = self.anneal(s_lr, e_lr, pct)
                if self.cycle_momentum:
                    self.opt.groups[0]["momentum"] = self.anneal(s_m, e_m, pct)
                return [lr]
            start = end_step


class SequentialLR:
    def __init__(self, opt, schedulers, milestones):
        self.opt, self.schedulers, self.milestones = opt, schedulers, milestones
        self.last_epoch = 0
        for g in opt.groups:
            g["lr"] = g["initial_lr"]
        for s in schedulers:
            s.last_epoch -= 1
        schedulers[0]._step_count = 0
        schedulers[0].step()

    def lr(self):
        return self.opt.groups[0]["lr"]

    def step(self):
        self.last_epoch += 1
        idx = bisect.bisect_right(self.milestones, self.last_epoch)
        s = self.schedulers[idx]
        if idx > 0 and self.milestones[idx - 1] == self.last_epoch:
            s.step(0)
        else:
            s.step()


class ChainedScheduler:
    def __init__(self, opt, schedulers):
        self.opt, self.schedulers = opt, schedulers

    def lr(self):
        return self.opt.groups[0]["lr"]

    def step(self):
        for s in self.schedulers:
            s.step()


class ReduceLROnPlateau:
    def __init__(self, opt, mode="min", factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel", cooldown=0,
                 min_lr=0.0, eps=1e-8):
        self.opt, self.mode, self.factor, self.patience = opt, mode, factor, patience
        self.threshold, self.threshold_mode, self.cooldown, self.min_lr, self.eps = (
            threshold, threshold_mode, cooldown, min_lr, eps)
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad, self.cooldown_counter = 0, 0

    def better(self, a, best):
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def step(self, metric):
        current = float(metric)
        if self.better(current, self.best):
            self.best, self.num_bad = current, 0
        else:
            self.num_bad += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad = 0
        if self.num_bad > self.patience:
            g = self.opt.groups[0]
            old = g["lr"]
            new = max(old * self.factor, self.min_lr)
            if old - new > self.eps:
                g["lr"] = new
            self.cooldown_counter, self.num_bad = self.cooldown, 0


CLASSES = {c.__name__: c for c in [StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, ConstantLR,
                                   PolynomialLR, CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR]}


def build(opt, spec):
    name, params = spec["scheduler"], dict(spec.get("params", {}))
    if name in ("SequentialLR", "ChainedScheduler"):
        children = [build(opt, s) for s in params.pop("schedulers")]
        return SequentialLR(opt, children, **params) if name == "SequentialLR" else ChainedScheduler(opt, children)
    return CLASSES[name](opt, **params)


def table(spec, steps):
    opt = Opt(spec["base_lr"], spec.get("momentum", 0.9))
    sched = build(opt, spec)
    lrs, moms = [], []
    for _ in range(steps):
        lrs.append(sched.lr())
        moms.append(opt.groups[0]["momentum"])
        sched.step()
    out = {"spec": spec, "steps": steps, "lr": lrs}
    if spec["scheduler"] in ("CyclicLR", "OneCycleLR") and spec["params"].get("cycle_momentum", True):
        out["momentum"] = moms
    return out


def plateau_table(spec, metrics):
    opt = Opt(spec["base_lr"])
    p = ReduceLROnPlateau(opt, **spec.get("params", {}))
    lrs = []
    for m in metrics:
        p.step(m)
        lrs.append(opt.groups[0]["lr"])
    return {"spec": spec, "metrics": [m if math.isfinite(m) else str(m).replace("nan", "NaN").replace("inf", "Infinity")
                                      for m in metrics], "lr": lrs}


def s(name, lr0=0.1, **params):
    return {"scheduler": name, "base_lr": lr0, "params": params}


CASES = [
    (s("StepLR", step_size=3, gamma=0.5), 12),
    (s("MultiStepLR", milestones=[2, 5, 5, 9], gamma=0.1), 12),
    (s("MultiStepLR", milestones=[0, 3], gamma=0.5), 6),           # milestone at 0
    (s("ExponentialLR", gamma=0.9), 15),
    (s("CosineAnnealingLR", T_max=10, eta_min=0.001), 26),          # past T_max: back up
    (s("CosineAnnealingLR", T_max=1), 5),
    (s("LinearLR", start_factor=0.25, end_factor=1.0, total_iters=4), 8),
    (s("LinearLR", start_factor=1.0, end_factor=0.1, total_iters=5), 8),
    (s("ConstantLR", factor=0.5, total_iters=3), 6),
    (s("PolynomialLR", total_iters=6, power=2.0), 9),
    (s("CosineAnnealingWarmRestarts", T_0=4), 14),
    (s("CosineAnnealingWarmRestarts", T_0=3, T_mult=2, eta_min=0.01), 25),
    (s("CyclicLR", base_lr=0.01, max_lr=0.1, step_size_up=4), 20),
    (s("CyclicLR", base_lr=0.01, max_lr=0.1, step_size_up=3, step_size_down=5, mode="triangular2"), 30),
    (s("CyclicLR", base_lr=0.01, max_lr=0.1, step_size_up=4, mode="exp_range", gamma=0.95, cycle_momentum=False), 20),
    (s("OneCycleLR", max_lr=0.5, total_steps=20), 20),
    (s("OneCycleLR", max_lr=0.5, total_steps=30, anneal_strategy="linear", three_phase=True, pct_start=0.25), 30),
    (s("OneCycleLR", max_lr=1.0, epochs=3, steps_per_epoch=5, div_factor=10.0, final_div_factor=100.0,
       base_momentum=0.8, max_momentum=0.9), 15),
    ({"scheduler": "SequentialLR", "base_lr": 0.1, "params": {
        "schedulers": [{"scheduler": "LinearLR", "params": {"start_factor": 0.1, "total_iters": 4}},
                       {"scheduler": "ExponentialLR", "params": {"gamma": 0.8}}],
        "milestones": [4]}}, 12),
    ({"scheduler": "SequentialLR", "base_lr": 0.2, "params": {
        "schedulers": [{"scheduler": "ConstantLR", "params": {"factor": 0.5, "total_iters": 2}},
                       {"scheduler": "StepLR", "params": {"step_size": 2, "gamma": 0.5}},
                       {"scheduler": "CosineAnnealingLR", "params": {"T_max": 4}}],
        "milestones": [3, 7]}}, 14),
    ({"scheduler": "ChainedScheduler", "base_lr": 1.0, "params": {
        "schedulers": [{"scheduler": "ConstantLR", "params": {"factor": 0.1, "total_iters": 2}},
                       {"scheduler": "ExponentialLR", "params": {"gamma": 0.9}}]}}, 8),
    ({"scheduler": "ChainedScheduler", "base_lr": 0.5, "params": {
        "schedulers": [{"scheduler": "LinearLR", "params": {"start_factor": 0.5, "total_iters": 3}},
                       {"scheduler": "MultiStepLR", "params": {"milestones": [2, 4], "gamma": 0.5}},
                       {"scheduler": "CosineAnnealingLR", "params": {"T_max": 6}}]}}, 10),
]

NAN, INF = float("nan"), float("inf")
PLATEAU = [
    ({"scheduler": "ReduceLROnPlateau", "base_lr": 0.1, "params": {"patience": 2}},
     [1.0, 0.9, 0.95, 0.92, 0.91, 0.5, 0.6, 0.6, 0.6, 0.6]),
    ({"scheduler": "ReduceLROnPlateau", "base_lr": 0.1, "params": {"patience": 0, "cooldown": 2, "factor": 0.5}},
     [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1]),
    ({"scheduler": "ReduceLROnPlateau", "base_lr": 0.1, "params": {"patience": 1, "factor": 0.1, "min_lr": 0.0005}},
     [1.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0]),               # min_lr reached
    ({"scheduler": "ReduceLROnPlateau", "base_lr": 1e-7, "params": {"patience": 0, "factor": 0.5, "eps": 1e-7}},
     [1.0, 2.0, 2.0, 2.0]),                                             # eps skip
    ({"scheduler": "ReduceLROnPlateau", "base_lr": 0.1, "params": {"patience": 1}},
     [1.0, NAN, NAN, 0.5, INF, NAN, 0.4]),                              # NaN is never better
    ({"scheduler": "ReduceLROnPlateau", "base_lr": 0.1, "params": {"patience": 1, "threshold": 0.1}},
     [-1.0, -0.95, -0.85, -0.99, -1.2, -1.25, -1.3]),                   # negative metrics, rel mode
    ({"scheduler": "ReduceLROnPlateau", "base_lr": 0.1,
      "params": {"mode": "max", "patience": 1, "threshold": 0.05, "threshold_mode": "abs", "factor": 0.2}},
     [0.5, 0.52, 0.56, 0.57, 0.6, 0.7, 0.71, 0.72]),
]

if __name__ == "__main__":
    print(json.dumps({"generator": "generate_golden.py (PyTorch 2.x lr_scheduler emulation, chainable forms)",
                      "schedules": [table(sp, n) for sp, n in CASES],
                      "plateau": [plateau_table(sp, m) for sp, m in PLATEAU]}, indent=1))
