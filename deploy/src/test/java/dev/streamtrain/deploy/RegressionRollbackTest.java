package dev.streamtrain.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.config.DeploySettings;
import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.ModelPromotion;
import dev.streamtrain.core.events.ModelRolledBack;
import dev.streamtrain.core.events.ValidationMetrics;
import dev.streamtrain.core.model.ReferenceForward;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Serving goes back to the previous version when the serving one's live validation loss rises past
 * {@code deploy.regression_delta}: here the validation stream moves to rows the serving version gets wrong.
 */
class RegressionRollbackTest {
    @TempDir
    Path dir;

    /** Six rows labelled with the model's own arg-max plus {@code shift} (0: it is right on every row). */
    static MiniBatch rows(long modelSeed, int shift) {
        float[] x = DeployTest.gauss(new Random(11), 6 * 5);
        float[] p = ReferenceForward.probabilities(DeployTest.randomSnapshot("relu", modelSeed), x, 6);
        long[] y = new long[6];
        for (int r = 0; r < 6; r++) {
            int best = 0;
            for (int c = 1; c < 3; c++) {
                best = p[r * 3 + c] > p[r * 3 + best] ? c : best;
            }
            y[r] = (best + shift) % 3;
        }
        return new MiniBatch(6, 5, x, y, List.of());
    }

    @Test
    void aLiveRegressionRollsServingBack() throws Exception {
        ValidationSet validation = new ValidationSet(6); // the newest six rows: the stream moves on
        validation.add(rows(2, 0));
        Vertx vertx = Vertx.vertx();
        try {
            Events.registerCodecs(vertx);
            LinkedBlockingQueue<ModelPromotion> decisions = new LinkedBlockingQueue<>();
            LinkedBlockingQueue<ModelRolledBack> rollbacks = new LinkedBlockingQueue<>();
            LinkedBlockingQueue<Alert> alerts = new LinkedBlockingQueue<>();
            vertx.eventBus().<ModelPromotion>consumer(Addresses.MODEL_PROMOTION, m -> decisions.add(m.body()));
            vertx.eventBus().<ModelRolledBack>consumer(Addresses.MODEL_ROLLED_BACK, m -> rollbacks.add(m.body()));
            vertx.eventBus().<Alert>consumer(Addresses.ALERTS, m -> alerts.add(m.body()));
            DeployVerticle deploy = new DeployVerticle("j", dir.resolve("models"), "127.0.0.1", 0, validation,
                    new DeploySettings(10, 0, "val_loss", "min", 0, 5, 0.5, 0));
            vertx.deployVerticle(deploy).await(30, TimeUnit.SECONDS);
            ContinuousDeployTest.promoteTwo(vertx, dir, decisions);
            assertEquals("v000000020", deploy.serving().version());

            ValidationMetrics evaluated = new ValidationMetrics("j", 30, 300, 6, 0.3, 0.9, 0);
            for (int i = 0; i < 10; i++) { // same rows: no regression, whatever the number of evaluations
                vertx.eventBus().publish(Addresses.VALIDATION_METRICS, evaluated);
                Thread.sleep(20);
            }
            assertEquals(0, rollbacks.size());
            validation.add(rows(2, 1)); // the stream moves to rows v20 gets wrong
            ModelRolledBack back = null;
            for (int i = 0; i < 300 && back == null; i++) {
                vertx.eventBus().publish(Addresses.VALIDATION_METRICS, evaluated);
                back = rollbacks.poll(100, TimeUnit.MILLISECONDS);
            }
            assertNotNull(back, "a rollback");
            assertEquals("v000000020", back.fromVersion());
            assertEquals("v000000010", back.toVersion());
            assertTrue(back.reason().startsWith("the live val_loss of v000000020 went from"), back.reason());
            assertEquals("v000000010", deploy.serving().version());
            Alert alert = alerts.poll(10, TimeUnit.SECONDS);
            assertEquals("serving_regression", alert.kind());
            assertTrue(alert.value() > 0.5, "the live loss now: " + alert.value());
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }
}
