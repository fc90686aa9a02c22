package dev.streamtrain.core.events;

/**
 * Asks the trainer for class probabilities of some rows (deploy uses it to verify the exported model).
 *
 * @param rows number of rows
 * @param features features per row
 * @param x row-major features
 */
public record PredictRequest(int rows, int features, float[] x) {
}
