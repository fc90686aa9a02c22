/** Training tricks, each a small piece the training loop switches on from {@code tricks:} in the job file. */
package dev.streamtrain.trainer.tricks;
