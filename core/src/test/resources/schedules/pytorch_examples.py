#!/usr/bin/env python3
"""pytorch_examples.json: rates computed by PyTorch itself (Debian's python3-torch 1.13) for the job-file examples
that must port unchanged (issue: PyTorch and Lightning configs as users write them). Run with /usr/bin/python3.

Each case is the spec as a user copies it from PyTorch/LightningCLI (nulls, last_epoch, verbose, full class names,
milestones out of order) and the rate PyTorch's scheduler gives at each step t = 0..n-1 (the rate the t-th update
uses: optimizer.step(); scheduler.step()).
"""
import json
import math

import torch


def rates(make_scheduler, n, lr=0.1):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=lr, momentum=0.9)
    sched = make_scheduler(opt)
    out = []
    for _ in range(n):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return out


def warmup_cosine(w, total):  # the seeds' formula, as a LambdaLR lambda (no clamp past total)
    return lambda t: t / w if t <= w else 0.5 * (math.cos((t - w) / (total - w) * math.pi) + 1)


cases = [
    {"name": "MultiStepLR milestones out of order",
     "spec": {"scheduler": "torch.optim.lr_scheduler.MultiStepLR",
              "params": {"milestones": [40, 15], "gamma": 0.1, "last_epoch": -1, "verbose": False}},
     "lr": rates(lambda o: torch.optim.lr_scheduler.MultiStepLR(o, milestones=[40, 15], gamma=0.1), 50)},
    {"name": "OneCycleLR with its defaults stated, nulls included",
     "spec": {"class_path": "torch.optim.lr_scheduler.OneCycleLR",
              "init_args": {"max_lr": 0.1, "total_steps": 40, "epochs": None, "steps_per_epoch": None,
                            "pct_start": 0.3, "anneal_strategy": "cos", "cycle_momentum": True,
                            "base_momentum": 0.85, "max_momentum": 0.95, "div_factor": 25.0,
                            "final_div_factor": 10000.0, "three_phase": False, "last_epoch": -1,
                            "verbose": False}},
     "lr": rates(lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=40), 40)},
    {"name": "OneCycleLR three-phase linear (PyTorch's last valid step is total_steps - 1)",
     "spec": {"scheduler": "OneCycleLR",
              "params": {"max_lr": 0.01, "total_steps": 10, "three_phase": True, "anneal_strategy": "linear"}},
     "lr": rates(lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.01, total_steps=10, three_phase=True,
                                                               anneal_strategy="linear"), 10)},
    {"name": "CyclicLR with scale_fn stated as null",
     "spec": {"scheduler": "torch.optim.lr_scheduler.CyclicLR",
              "params": {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 5, "mode": "triangular2",
                         "scale_fn": None, "scale_mode": "cycle", "last_epoch": -1}},
     "lr": rates(lambda o: torch.optim.lr_scheduler.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=5,
                                                             mode="triangular2"), 30)},
    {"name": "WarmupCosine past total_steps (LambdaLR with the seeds' lambda)",
     "spec": {"scheduler": "WarmupCosine", "params": {"warmup_steps": 5, "total_steps": 20}},
     "lr": rates(lambda o: torch.optim.lr_scheduler.LambdaLR(o, warmup_cosine(5, 20)), 30)},
]

if __name__ == "__main__":
    with open("pytorch_examples.json", "w") as f:
        json.dump({"torch": torch.__version__, "base_lr": 0.1, "cases": cases}, f, indent=1)
    print(torch.__version__, [c["name"] for c in cases])
