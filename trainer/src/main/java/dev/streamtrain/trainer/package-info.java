package dev.streamtrain.trainer;
