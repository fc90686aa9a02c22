package dev.streamtrain.ingest;
