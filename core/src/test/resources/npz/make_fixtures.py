#!/usr/bin/env python3
"""Writes the .npz fixtures of NpzTest with numpy itself (the producer users run): python3 make_fixtures.py"""
import numpy as np

x = np.arange(6, dtype=np.float32).reshape(2, 3) / 4
np.savez("minibatch_f32_i64.npz", x=x, y=np.array([3, 1], dtype=np.int64))
np.savez_compressed("minibatch_f64_i32_compressed.npz", x=x.astype(np.float64), y=np.array([0, 2], dtype=np.int32))
np.savez("minibatch_fortran.npz", x=np.asfortranarray(x), y=np.array([1, 1], dtype=np.int64))
np.savez("regression_targets.npz", x=x, y=np.array([[0.5, -1.0], [2.0, 3.5]], dtype=np.float32))
