/** Training losses with PyTorch's semantics (mean reduction), and the label arrays they compare with. */
package dev.streamtrain.trainer.loss;
