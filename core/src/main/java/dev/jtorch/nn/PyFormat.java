package dev.jtorch.nn;

/** Numbers spelled as Python's {@code str(float)} spells them, for extra_repr text. */
public final class PyFormat {
    private PyFormat() {}

    /** 0.5 -> "0.5", 1.0 -> "1.0", 1e-05 -> "1e-05", 0.0001 -> "0.0001", as Python's repr. */
    public static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e16) return (long) v + ".0";
        double abs = Math.abs(v);
        if (abs >= 1e-4 && abs < 1e16) {
            String s = Double.toString(v);
            return s.contains("E") ? new java.math.BigDecimal(s).toPlainString() : s;
        }
        // Python writes small numbers as mantissa e-XX with at least two exponent digits.
        String s = Double.toString(v); // e.g. 1.0E-5
        int e = s.indexOf('E');
        String mantissa = s.substring(0, e);
        if (mantissa.endsWith(".0")) mantissa = mantissa.substring(0, mantissa.length() - 2);
        int exp = Integer.parseInt(s.substring(e + 1));
        return mantissa + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
    }
}
