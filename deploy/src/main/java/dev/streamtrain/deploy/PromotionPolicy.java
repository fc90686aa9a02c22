package dev.streamtrain.deploy;

import dev.streamtrain.core.config.DeploySettings;
import dev.streamtrain.core.events.ModelPromotion;

/**
 * Whether a verified candidate replaces the serving version: the first one always does; later ones when their
 * {@code deploy.monitor} beats the serving version's by {@code min_delta} in the configured mode (Lightning's
 * {@code ModelCheckpoint(monitor, mode)} comparison), both measured on the same rows when they can be (the caller
 * says how). A candidate without the metric does not replace a version that has it; when neither has it (no
 * validation yet), the newer version serves.
 */
final class PromotionPolicy {
    /**
     * @param promote whether the candidate serves now
     * @param reason why, in the product's words
     * @param servingVersion the version serving before (empty: none)
     * @param servingValue its metric (NaN: none)
     */
    record Decision(boolean promote, String reason, String servingVersion, double servingValue) {
        /** The event for this decision about {@code candidate}. */
        ModelPromotion event(String job, VersionStore.Info candidate) {
            return new ModelPromotion(job, candidate.version(), candidate.updates(), promote, reason,
                    candidate.metric(), candidate.value(), servingVersion, servingValue, System.currentTimeMillis());
        }
    }

    private final DeploySettings settings;

    PromotionPolicy(DeploySettings settings) {
        this.settings = settings;
    }

    /**
     * Decides about a verified candidate against the serving model (null: nothing serves yet).
     *
     * @param candidate the candidate, with its value of the metric
     * @param serving the serving model
     * @param servingValue the serving model's value of the metric, measured like the candidate's
     * @param basis where both values come from, for the reason ("on the 1797 validation rows held now")
     */
    Decision decide(VersionStore.Info candidate, ServedModel serving, double servingValue, String basis) {
        String metric = settings.monitor();
        if (serving == null) {
            return new Decision(true, "the first verified version", "", Double.NaN);
        }
        double before = servingValue;
        double value = candidate.value();
        String was = serving.version();
        if (Double.isNaN(value) && Double.isNaN(before)) {
            return new Decision(true, "neither it nor " + was + " has " + metric + " yet: the newer version serves",
                    was, before);
        }
        if (Double.isNaN(value)) {
            return new Decision(false, "it has no " + metric + " to compare with " + was + "'s " + before, was,
                    before);
        }
        if (Double.isNaN(before)) {
            return new Decision(true, was + " has no " + metric + "; this one has " + value, was, before);
        }
        String compared = " (mode " + settings.mode() + ", min_delta " + settings.minDelta() + ", " + basis + ")";
        if (settings.improves(value, before)) {
            return new Decision(true, metric + " " + value + " beats " + was + "'s " + before + compared, was, before);
        }
        return new Decision(false, metric + " " + value + " does not beat " + was + "'s " + before + compared + ": "
                + was + " keeps serving", was, before);
    }

    /** The serving model's metric as its checkpoint recorded it (NaN: none). */
    double recorded(ServedModel serving) {
        return serving == null || serving.validation() == null ? Double.NaN
                : serving.validation().metric(settings.monitor());
    }
}
