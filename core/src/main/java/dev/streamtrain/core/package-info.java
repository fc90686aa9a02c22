package dev.streamtrain.core;
