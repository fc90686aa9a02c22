/**
 * The trainer's control protocol: typed {@link dev.streamtrain.core.control.TrainerCommand commands} sent by
 * request/reply to {@link dev.streamtrain.core.events.Addresses#TRAINER_CONTROL one address}, answered with a
 * {@link dev.streamtrain.core.control.CommandReply}. The trainer serves them between minibatches on its own thread;
 * the monitor, the control API, deploy and the tests all use this one path.
 */
package dev.streamtrain.core.control;
