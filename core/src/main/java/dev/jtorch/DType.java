package dev.jtorch;

/**
 * Element types, named and ordered as PyTorch names them. {@code FLOAT16} and {@code BFLOAT16}
 * are storage types (checkpoints carry them): arithmetic on them converts to float32 first.
 */
public enum DType {
    FLOAT32("float32", "Float", 4, Kind.FLOAT),
    FLOAT64("float64", "Double", 8, Kind.FLOAT),
    FLOAT16("float16", "Half", 2, Kind.FLOAT),
    BFLOAT16("bfloat16", "BFloat16", 2, Kind.FLOAT),
    INT64("int64", "Long", 8, Kind.INT),
    INT32("int32", "Int", 4, Kind.INT),
    INT16("int16", "Short", 2, Kind.INT),
    INT8("int8", "Char", 1, Kind.INT),
    UINT8("uint8", "Byte", 1, Kind.INT),
    BOOL("bool", "Bool", 1, Kind.BOOL);

    /** Category used for type promotion: bool &lt; integer &lt; floating point. */
    public enum Kind { BOOL, INT, FLOAT }

    private final String pyName;
    private final String legacyName;
    private final int itemSize;
    private final Kind kind;

    DType(String pyName, String legacyName, int itemSize, Kind kind) {
        this.pyName = pyName;
        this.legacyName = legacyName;
        this.itemSize = itemSize;
        this.kind = kind;
    }

    /** PyTorch's spelling without {@code torch.}: {@code float32}, {@code int64}, {@code bfloat16}. */
    public String pyName() { return pyName; }

    /** The legacy tensor-type name, as in {@code torch.FloatTensor} and {@code FloatStorage}. */
    public String legacyName() { return legacyName; }

    public int itemSize() { return itemSize; }

    public Kind kind() { return kind; }

    public boolean isFloatingPoint() { return kind == Kind.FLOAT; }

    public static DType fromPyName(String name) {
        String n = name.startsWith("torch.") ? name.substring(6) : name;
        for (DType d : values()) if (d.pyName.equals(n)) return d;
        return switch (n) {
            case "float", "float_" -> FLOAT32;
            case "double" -> FLOAT64;
            case "half" -> FLOAT16;
            case "long" -> INT64;
            case "int" -> INT32;
            case "short" -> INT16;
            default -> throw new IllegalArgumentException("unknown dtype: " + name);
        };
    }

    /** The dtype arithmetic on this one computes in: half precision widens to float32. */
    public DType computeType() {
        return this == FLOAT16 || this == BFLOAT16 ? FLOAT32 : this;
    }

    /**
     * PyTorch's result type for two tensor operands (both of dimension &gt; 0): the higher
     * category wins; inside a category, the wider type.
     */
    public static DType promote(DType a, DType b) {
        if (a == b) return a;
        if (a.kind != b.kind) return a.kind.ordinal() > b.kind.ordinal() ? a : b;
        if (a.kind == Kind.FLOAT) {
            if (a == FLOAT64 || b == FLOAT64) return FLOAT64;
            return FLOAT32; // float16 with bfloat16, or either with float32
        }
        if ((a == UINT8 && b == INT8) || (a == INT8 && b == UINT8)) return INT16;
        return a.itemSize >= b.itemSize ? a : b;
    }
}
