package dev.streamtrain.app;
