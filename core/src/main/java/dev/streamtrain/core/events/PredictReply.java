package dev.streamtrain.core.events;

/**
 * Class probabilities for the rows of a {@link PredictRequest}.
 *
 * @param rows number of rows
 * @param classes classes per row
 * @param probabilities row-major probabilities
 */
public record PredictReply(int rows, int classes, float[] probabilities) {
}
