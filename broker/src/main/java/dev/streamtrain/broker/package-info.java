/** An embedded single-node KRaft Kafka broker: the app's default cluster and the integration tests' broker. */
package dev.streamtrain.broker;
