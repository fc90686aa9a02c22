package dev.streamtrain.core.config;

/**
 * How a rollback is carried out (section {@code rollback:}).
 *
 * @param lrFactor a rollback multiplies the rate by this, in (0, 1]
 * @param replay retrain the minibatches undone by a rollback once, at the lowered rate, instead of dead-lettering them
 *     with reason {@code rollback}
 */
public record RollbackSettings(double lrFactor, boolean replay) {
    /** Reads the section; problems go to the reader. */
    static RollbackSettings read(ConfigReader r) {
        return new RollbackSettings(r.decimal("lr-factor", 0.5, 0, 1, false), r.bool("replay", false));
    }
}
