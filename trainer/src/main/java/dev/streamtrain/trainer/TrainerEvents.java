package dev.streamtrain.trainer;

import dev.streamtrain.core.events.CheckpointSaved;
import dev.streamtrain.core.events.LrChanged;
import dev.streamtrain.core.events.StepMetrics;
import dev.streamtrain.core.events.TrainingFinished;
import dev.streamtrain.core.events.ValidationMetrics;

/** Where the training loop publishes its facts (the event bus in the app; a list in tests). */
public interface TrainerEvents {
    void step(StepMetrics metrics);

    void validation(ValidationMetrics metrics);

    void checkpointSaved(CheckpointSaved checkpoint);

    void lrChanged(LrChanged change);

    void finished(TrainingFinished finished);
}
