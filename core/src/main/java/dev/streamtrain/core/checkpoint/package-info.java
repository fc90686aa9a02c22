/**
 * What a checkpoint says about itself, independent of the trainer that wrote it: its manifest (format version, job,
 * counters, position in the topics, the records it added to its parent, a SHA-256 of every file) and the lineage
 * log that chains manifests, so a damaged checkpoint is recognised and an exactly-once audit can follow a model's
 * history across crashes, restarts and rollbacks.
 */
package dev.streamtrain.core.checkpoint;
