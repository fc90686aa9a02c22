/**
 * The learning-rate range test (Smith, "Cyclical Learning Rates for Training Neural Networks", 2017, §3.3; fastai's
 * {@code LRFinder} and its suggestion functions): the rate rises from tiny to huge over a short throwaway run
 * ({@link dev.streamtrain.core.lrfind.RangeSweep}), the loss is smoothed and watched for divergence
 * ({@link dev.streamtrain.core.lrfind.RangeCurve}), and the curve gives suggested rates and the bounds of cyclical and
 * one-cycle schedules ({@link dev.streamtrain.core.lrfind.RangeSuggestions}). Pure arithmetic: the app runs the
 * training.
 */
package dev.streamtrain.core.lrfind;
