/**
 * Evaluation metrics computed from a model's outputs and the true labels, in plain Java: accuracy, top-k accuracy,
 * ROC AUC and log-loss for binary problems, MAE and RMSE for regression. Definitions follow scikit-learn's
 * {@code accuracy_score}, {@code top_k_accuracy_score}, {@code roc_auc_score}, {@code log_loss},
 * {@code mean_absolute_error} and {@code root_mean_squared_error}.
 */
package dev.streamtrain.core.metrics;
