package dev.streamtrain.deploy;
