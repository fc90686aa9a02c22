package dev.streamtrain.dashboard;

/**
 * What the run summary panel shows about the job itself (the rest comes from its events).
 *
 * @param job job name
 * @param model the model in a few words (e.g. {@code mlp 64-128-10, softmax})
 * @param optimizer the optimizer and its main settings (e.g. {@code SGD lr=0.1 momentum=0.9})
 * @param schedule the learning-rate schedule (e.g. {@code OneCycleLR max_lr=0.2}; {@code constant})
 * @param expectedUpdates updates a bounded run will make, if known (for the ETA), else 0
 * @param startedMillis when the run started (epoch ms)
 */
public record RunInfo(String job, String model, String optimizer, String schedule, long expectedUpdates,
        long startedMillis) {
}
