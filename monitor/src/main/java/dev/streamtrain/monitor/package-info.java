package dev.streamtrain.monitor;
