/**
 * Optimizers with PyTorch's update rules, running on DJL NDArrays (so on any device), whose rate and momentum are set
 * before every update by the schedule and whose state is keyed by parameter name for checkpoints.
 */
package dev.streamtrain.trainer.optim;
