package dev.streamtrain.deploy;

import dev.streamtrain.core.control.CommandReply;
import dev.streamtrain.core.control.TrainerCommand;
import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.PredictRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;

/**
 * The trainer's own (DJL) outputs on an export's verification rows, judged against the same float64 reference as
 * ONNX Runtime's ({@link CandidateExport.Exported#judge}): asked over the control protocol ({@code predict} on
 * {@link Addresses#TRAINER_CONTROL}), for the model a run ends with, whose weights the trainer still holds. A
 * candidate taken while training goes on is not compared: the trainer's weights moved on since its checkpoint.
 */
final class TrainerParity {
    private TrainerParity() {
    }

    /**
     * Asks the trainer (it answers between minibatches, or at once once training has ended), or, when
     * {@code askTrainer} is false, a passing verdict with no row judged.
     */
    static Future<Parity.Verdict> verdict(Vertx vertx, CandidateExport.Exported exported, boolean askTrainer) {
        if (!askTrainer) {
            return Future.succeededFuture(new Parity.Verdict(0, Parity.TOLERANCE, true, 0));
        }
        VerificationRows.Rows rows = exported.rows();
        return vertx.eventBus().<CommandReply>request(Addresses.TRAINER_CONTROL,
                new TrainerCommand.Predict(new PredictRequest(rows.count(), exported.model().inputs(), rows.x())),
                new DeliveryOptions().setSendTimeout(60_000)).compose(reply -> {
                    if (!(reply.body() instanceof CommandReply.Predicted predicted)) {
                        return Future.failedFuture("the trainer refused to predict: "
                                + ((CommandReply.Refused) reply.body()).reason());
                    }
                    return Future.succeededFuture(exported.judge(predicted.prediction().probabilities()));
                });
    }
}
