/** Records and contracts shared by every StreamTrain module: config, wire formats, events, model snapshots. */
package dev.streamtrain.core;
