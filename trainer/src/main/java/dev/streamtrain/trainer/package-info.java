/** The DJL (PyTorch engine) trainer: model, optimizer, learning-rate control, evaluation, checkpoints. */
package dev.streamtrain.trainer;
