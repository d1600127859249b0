package dev.jtorch;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * PyTorch's {@code repr(tensor)}, character for character: {@code torch/_tensor_str.py} of
 * torch 1.13 with the default print options (precision 4, threshold 1000, edge items 3, line
 * width 80, scientific mode chosen automatically).
 *
 * <p>Tensors of more than 1000 elements are summarised: each dimension longer than six shows its
 * first and last three entries around {@code ...}, and the number format is chosen from the
 * shown elements only. Half-precision tensors print their values as float32 would.
 *
 * {@snippet :
 * String s = TensorFormatter.format(new int[] {2}, DType.FLOAT64, i -> i + 0.5, List.of());
 * // s is "tensor([0.5000, 1.5000], dtype=torch.float64)"
 * }
 */
public final class TensorFormatter {
    private static final int PRECISION = 4;
    private static final long THRESHOLD = 1000;
    private static final int EDGE_ITEMS = 3;
    private static final int LINE_WIDTH = 80;
    private static final String PREFIX = "tensor(";

    /** Element reader over a tensor's logical (row-major) index. */
    public interface Elements {
        /**
         * Element {@code flatIndex} of the row-major flattening: bool as 0/1, integers as exact
         * doubles, float16/bfloat16 widened exactly.
         */
        double get(long flatIndex);
    }

    private TensorFormatter() {}

    /**
     * Formats a tensor as PyTorch's {@code repr()} does.
     *
     * @param shape the tensor's shape ({@code []} for 0-dim)
     * @param dtype its dtype
     * @param values reads element i of the row-major flattening
     * @param suffixes already formatted suffix entries in PyTorch order, e.g.
     *     {@code "grad_fn=<AddmmBackward0>"}, {@code "requires_grad=True"}, {@code "device='cuda:0'"}.
     *     The formatter adds {@code dtype=...} and {@code size=...} itself, after any
     *     {@code device=} entry and before the others, where PyTorch puts them.
     */
    public static String format(int[] shape, DType dtype, Elements values, List<String> suffixes) {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(values, "values");
        long numel = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + shapeText(shape));
            numel *= d;
        }
        List<String> all = new ArrayList<>();
        for (String s : suffixes) if (s.startsWith("device=")) all.add(s);
        String body;
        if (numel == 0) {
            // No elements to infer the dtype from, so anything but the default float32 is named.
            if (shape.length != 1) all.add("size=" + shapeText(shape));
            if (dtype != DType.FLOAT32) all.add("dtype=torch." + dtype.pyName());
            body = "[]";
        } else {
            if (dtype != DType.FLOAT32 && dtype != DType.INT64 && dtype != DType.BOOL) {
                all.add("dtype=torch." + dtype.pyName());
            }
            body = new Layout(shape, dtype, values, numel > THRESHOLD).render(PREFIX.length());
        }
        for (String s : suffixes) if (!s.startsWith("device=")) all.add(s);
        return addSuffixes(PREFIX + body, all, PREFIX.length());
    }

    /** {@code _add_suffixes}: a suffix that would pass the line width starts a new line. */
    private static String addSuffixes(String text, List<String> suffixes, int indent) {
        StringBuilder sb = new StringBuilder(text);
        // PyTorch's own arithmetic, off by two on a single line; kept so wrapping matches.
        int lastLineLength = text.length() - text.lastIndexOf('\n') + 1;
        for (String suffix : suffixes) {
            if (lastLineLength + suffix.length() + 2 > LINE_WIDTH) {
                sb.append(",\n").append(" ".repeat(indent)).append(suffix);
                lastLineLength = indent + suffix.length();
            } else {
                sb.append(", ").append(suffix);
                lastLineLength += suffix.length() + 2;
            }
        }
        return sb.append(')').toString();
    }

    /** Python's {@code str(tuple(shape))}: {@code (0, 3)}, {@code (0,)}. */
    private static String shapeText(int[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) sb.append(i > 0 ? ", " : "").append(shape[i]);
        return sb.append(shape.length == 1 ? ",)" : ")").toString();
    }

    /** The nested-bracket text of a non-empty tensor ({@code _tensor_str}). */
    private static final class Layout {
        private final int[] shape;
        private final long[] strides;
        private final Elements values;
        private final boolean summarize;
        private final ElementFormat format;

        Layout(int[] shape, DType dtype, Elements values, boolean summarize) {
            this.shape = shape;
            this.values = values;
            this.summarize = summarize;
            this.strides = new long[shape.length];
            long stride = 1;
            for (int d = shape.length - 1; d >= 0; d--) {
                strides[d] = stride;
                stride *= shape[d];
            }
            this.format = ElementFormat.of(dtype, shownValues(), PRECISION);
        }

        String render(int indent) {
            if (shape.length == 0) return format.format(values.get(0));
            return tensorText(0, 0, indent);
        }

        /** Whether dimension {@code d} prints only its edges. */
        private boolean elided(int d) {
            return summarize && shape[d] > 2 * EDGE_ITEMS;
        }

        /** The indices along dimension {@code d} that are printed, in order. */
        private int[] shownIndices(int d) {
            int n = shape[d];
            if (!elided(d)) {
                int[] all = new int[n];
                for (int i = 0; i < n; i++) all[i] = i;
                return all;
            }
            int[] edges = new int[2 * EDGE_ITEMS];
            for (int i = 0; i < EDGE_ITEMS; i++) {
                edges[i] = i;
                edges[EDGE_ITEMS + i] = n - EDGE_ITEMS + i;
            }
            return edges;
        }

        /** The elements {@code get_summarized_data} keeps, which alone decide the number format. */
        private double[] shownValues() {
            long count = 1;
            for (int d = 0; d < shape.length; d++) count *= elided(d) ? 2L * EDGE_ITEMS : shape[d];
            double[] out = new double[Math.toIntExact(count)];
            collect(0, 0, out, new int[] {0});
            return out;
        }

        private void collect(int d, long base, double[] out, int[] next) {
            if (d == shape.length) {
                out[next[0]++] = values.get(base);
                return;
            }
            for (int i : shownIndices(d)) collect(d + 1, base + i * strides[d], out, next);
        }

        /** {@code _tensor_str_with_formatter} for the sub-tensor starting at dimension {@code d}. */
        private String tensorText(int d, long base, int indent) {
            if (d == shape.length - 1) return vectorText(base, indent);
            int[] shown = shownIndices(d);
            List<String> slices = new ArrayList<>(shown.length + 1);
            for (int k = 0; k < shown.length; k++) {
                if (elided(d) && k == EDGE_ITEMS) slices.add("...");
                slices.add(tensorText(d + 1, base + shown[k] * strides[d], indent + 1));
            }
            int subDims = shape.length - d;
            String separator = "," + "\n".repeat(subDims - 1) + " ".repeat(indent + 1);
            return "[" + String.join(separator, slices) + "]";
        }

        /** {@code _vector_str}: one row, wrapped so each line holds as many elements as fit. */
        private String vectorText(long base, int indent) {
            int d = shape.length - 1;
            int elementLength = format.width() + 2;
            int perLine = Math.max(1, Math.floorDiv(LINE_WIDTH - indent, elementLength));
            int[] shown = shownIndices(d);
            List<String> data = new ArrayList<>(shown.length + 1);
            for (int k = 0; k < shown.length; k++) {
                if (elided(d) && k == EDGE_ITEMS) data.add(" ...");
                data.add(format.format(values.get(base + shown[k])));
            }
            StringBuilder sb = new StringBuilder("[");
            String lineBreak = ",\n" + " ".repeat(indent + 1);
            for (int i = 0; i < data.size(); i++) {
                if (i > 0) sb.append(i % perLine == 0 ? lineBreak : ", ");
                sb.append(data.get(i));
            }
            return sb.append(']').toString();
        }
    }
}
