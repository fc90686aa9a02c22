/** ONNX export of model snapshots, verification against the trainer, and serving with ONNX Runtime. */
package dev.streamtrain.deploy;
