/**
 * The monitor: rules over the metric stream that raise alerts (throttled, sent to the event bus, the log and
 * webhooks), the remediation policy that turns alerts into trainer commands, and early stopping.
 */
package dev.streamtrain.monitor;
