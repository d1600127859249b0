package dev.jtorch.nn;

import java.util.Arrays;

/**
 * An argument PyTorch types as {@code _size_2_t}: one int or a tuple of ints, remembered as given
 * because {@code extra_repr} prints it as given ({@code MaxPool2d(3)} prints {@code kernel_size=3},
 * {@code MaxPool2d((3, 3))} prints {@code kernel_size=(3, 3)}).
 */
public record IntOrTuple(int[] values, boolean isTuple) {

    public IntOrTuple {
        values = values.clone();
        if (!isTuple && values.length != 1) throw new IllegalArgumentException("a single int holds one value, got " + values.length);
    }

    public static IntOrTuple of(int value) { return new IntOrTuple(new int[]{value}, false); }

    public static IntOrTuple tuple(int... values) { return new IntOrTuple(values, true); }

    /** {@code _pair} / {@code _ntuple(n)}: the value repeated n times, or the tuple checked to have n entries. */
    public int[] expand(int n, String name) {
        if (!isTuple) {
            int[] out = new int[n];
            Arrays.fill(out, values[0]);
            return out;
        }
        if (values.length != n) {
            throw new IllegalArgumentException(name + " must be an int or a tuple of " + n + " ints, got " + this);
        }
        return values.clone();
    }

    @Override
    public int[] values() { return values.clone(); }

    /** Python's {@code repr}: {@code 3}, {@code (3, 2)}, {@code (3,)}. */
    @Override
    public String toString() { return isTuple ? pyTuple(values) : Integer.toString(values[0]); }

    /** Python's repr of a tuple of ints: {@code (1, 1)}, {@code (3,)}, {@code ()}. */
    public static String pyTuple(int... values) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < values.length; i++) sb.append(i == 0 ? "" : ", ").append(values[i]);
        return sb.append(values.length == 1 ? ",)" : ")").toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IntOrTuple other && isTuple == other.isTuple && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() { return 31 * Arrays.hashCode(values) + Boolean.hashCode(isTuple); }
}
