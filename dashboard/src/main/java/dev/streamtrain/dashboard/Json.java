package dev.streamtrain.dashboard;

/** JSON has no NaN or infinity: such values go to the page as null (a gap in a chart). */
final class Json {
    private Json() {
    }

    static Double number(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** A rate or metric for a label: four significant digits, no trailing zeros ({@code 0.1}, {@code 2.5E-4}). */
    static String brief(double v) {
        return Double.isFinite(v) ? new java.math.BigDecimal(v).round(new java.math.MathContext(4))
                .stripTrailingZeros().toString() : Double.toString(v);
    }
}
