/** The command line and launcher: wires ingest, trainer, monitor and deploy from one validated job config. */
package dev.streamtrain.app;
