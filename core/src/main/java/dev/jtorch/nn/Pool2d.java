package dev.jtorch.nn;

/** Argument handling the 2-D pooling layers share. */
final class Pool2d {
    private Pool2d() {}

    /** One value: an int as PyTorch prints it; two: a (height, width) tuple. */
    static IntOrTuple arg(int[] v) {
        return switch (v.length) {
            case 1 -> IntOrTuple.of(v[0]);
            case 2 -> IntOrTuple.tuple(v);
            default -> throw new IllegalArgumentException("expected one int or a (height, width) pair, got " + v.length + " values");
        };
    }

    /** An adaptive output size entry: null keeps the input's size along that dim (Python's None). */
    static int[] resolveOutputSize(Integer[] outputSize, int[] inputShape) {
        int[] out = new int[2];
        for (int i = 0; i < 2; i++) {
            out[i] = outputSize[i] == null ? inputShape[inputShape.length - 2 + i] : outputSize[i];
        }
        return out;
    }

    /** Python's repr of an adaptive output size: {@code 1}, {@code (1, 1)}, {@code (None, 7)}. */
    static String outputSizeRepr(Integer[] outputSize, boolean isTuple) {
        if (!isTuple) return String.valueOf(outputSize[0]);
        return "(" + (outputSize[0] == null ? "None" : outputSize[0]) + ", " + (outputSize[1] == null ? "None" : outputSize[1]) + ")";
    }
}
