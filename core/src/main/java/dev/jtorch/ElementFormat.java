package dev.jtorch;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * How one tensor's elements print: PyTorch's {@code _Formatter} from {@code torch/_tensor_str.py}
 * (torch 1.13, default print options). The mode (integer-valued floats, scientific, fixed) and
 * the common width are decided once from the elements that will be shown; every element is
 * then right-aligned to that width.
 *
 * <p>Numbers are rendered as Python's {@code format()} renders a {@code float}: correctly
 * rounded from the exact binary value, ties to even, with the sign of negative zero kept.
 */
final class ElementFormat {
    private final DType dtype;
    private final int precision;
    private boolean intMode = true;
    private boolean sciMode = false;
    private int maxWidth = 1;

    private ElementFormat(DType dtype, int precision) {
        this.dtype = dtype;
        this.precision = precision;
    }

    /**
     * Decides the format from the elements that will be printed (after summarisation).
     *
     * @param shown the values, read as doubles (half types widened exactly)
     */
    static ElementFormat of(DType dtype, double[] shown, int precision) {
        ElementFormat f = new ElementFormat(dtype, precision);
        if (!dtype.isFloatingPoint()) {
            for (double v : shown) f.maxWidth = Math.max(f.maxWidth, f.plain(v).length());
            return f;
        }
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        int count = 0;
        for (double v : shown) {
            if (!Double.isFinite(v) || v == 0) continue;
            count++;
            min = Math.min(min, Math.abs(v));
            max = Math.max(max, Math.abs(v));
            if (v != Math.ceil(v)) f.intMode = false;
        }
        if (count == 0) return f; // only zeros and non-finite values: int mode, width 1
        // Non-finite values never widen the columns: PyTorch measures only the finite nonzero ones.
        boolean wide = max / min > 1000.0 || max > 1.0e8;
        f.sciMode = f.intMode ? wide : wide || min < 1.0e-4;
        for (double v : shown) {
            if (!Double.isFinite(v) || v == 0) continue;
            int len;
            if (f.sciMode) len = scientific(v, precision).length();
            else if (f.intMode) len = fixed(v, 0).length() + 1;
            else len = fixed(v, precision).length();
            f.maxWidth = Math.max(f.maxWidth, len);
        }
        return f;
    }

    /** Width every formatted element is padded to; {@code _vector_str} wraps rows by it. */
    int width() { return maxWidth; }

    /** One element, right-aligned to {@link #width()}. */
    String format(double v) {
        String s;
        if (!dtype.isFloatingPoint()) {
            s = plain(v);
        } else if (sciMode) {
            s = scientific(v, precision);
        } else if (intMode) {
            s = fixed(v, 0);
            if (Double.isFinite(v)) s += ".";
        } else {
            s = fixed(v, precision);
        }
        return s.length() >= maxWidth ? s : " ".repeat(maxWidth - s.length()) + s;
    }

    private String plain(double v) {
        if (dtype == DType.BOOL) return v != 0 ? "True" : "False";
        return Long.toString((long) v);
    }

    /** Python's {@code "{:.Nf}".format(v)}. */
    static String fixed(double v, int decimals) {
        String special = nonFinite(v);
        if (special != null) return special;
        String digits = new BigDecimal(Math.abs(v)).setScale(decimals, RoundingMode.HALF_EVEN).toPlainString();
        return negative(v) ? "-" + digits : digits;
    }

    /** Python's {@code "{:.Ne}".format(v)}: {@code 1.0000e-05}, at least two exponent digits. */
    static String scientific(double v, int decimals) {
        String special = nonFinite(v);
        if (special != null) return special;
        String sign = negative(v) ? "-" : "";
        String digits;
        int exponent;
        if (v == 0) {
            digits = "0";
            exponent = 0;
        } else {
            BigDecimal r = new BigDecimal(Math.abs(v)).round(new MathContext(decimals + 1, RoundingMode.HALF_EVEN));
            digits = r.unscaledValue().toString();
            exponent = digits.length() - 1 - r.scale();
        }
        StringBuilder sb = new StringBuilder(sign).append(digits.charAt(0));
        if (decimals > 0) {
            sb.append('.');
            for (int i = 1; i <= decimals; i++) sb.append(i < digits.length() ? digits.charAt(i) : '0');
        }
        int e = Math.abs(exponent);
        return sb.append(exponent < 0 ? "e-" : "e+").append(e < 10 ? "0" : "").append(e).toString();
    }

    private static String nonFinite(double v) {
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        return null;
    }

    /** True for negative numbers and for -0.0, whose sign Python prints. */
    private static boolean negative(double v) {
        return Double.doubleToRawLongBits(v) < 0;
    }
}
