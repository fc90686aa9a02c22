/** Rules over the metric stream that raise alerts; later: early stopping and rollback requests. */
package dev.streamtrain.monitor;
