/** Kafka consumption: minibatch records decoded and handed to the trainer with their offsets, back-pressure, commits. */
package dev.streamtrain.ingest;
