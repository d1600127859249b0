package dev.jtorch.spark;

import dev.jtorch.Torch;
import dev.jtorch.models.TopK;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The columns an inference appends, and their values: {@code labels}, {@code indices},
 * {@code probabilities} (predictions), {@code logits} or {@code embedding}, and always
 * {@code error} (null for a row that went through).
 */
final class OutputColumns {
    private OutputColumns() {}

    static final StructType PREDICTION = new StructType(new StructField[]{
            DataTypes.createStructField("labels", DataTypes.createArrayType(DataTypes.StringType, false), true),
            DataTypes.createStructField("indices", DataTypes.createArrayType(DataTypes.IntegerType, false), true),
            DataTypes.createStructField("probabilities", DataTypes.createArrayType(DataTypes.FloatType, false), true),
            DataTypes.createStructField("error", DataTypes.StringType, true)});

    /** The fields {@code options} appends. */
    static List<StructField> fields(InferenceOptions options) {
        return switch (options.output()) {
            case PREDICTIONS -> List.of(PREDICTION.fields());
            case LOGITS -> List.of(floats("logits"), PREDICTION.apply("error"));
            case EMBEDDINGS -> List.of(floats("embedding"), PREDICTION.apply("error"));
        };
    }

    /** {@code input} with the output fields after its own; a name already taken is an error. */
    static StructType schema(StructType input, InferenceOptions options) {
        List<StructField> all = new ArrayList<>(List.of(input.fields()));
        for (StructField f : fields(options)) {
            if (Arrays.asList(input.fieldNames()).contains(f.name())) {
                throw new IllegalArgumentException("the input already has a column named " + f.name()
                        + ", which the output needs; rename it first");
            }
            all.add(f);
        }
        return new StructType(all.toArray(new StructField[0]));
    }

    /** The values for a row whose output is {@code out}. */
    static Object[] values(float[] out, InferenceOptions options, List<String> labels) {
        if (options.output() != OutputKind.PREDICTIONS) return new Object[]{out, null};
        if (out.length != labels.size()) {
            throw new IllegalStateException("the model gives " + out.length + " outputs for " + labels.size() + " labels");
        }
        double[] p = Torch.tensor(out, out.length).softmax(0).toDoubleArray();
        int k = Math.min(options.topk(), p.length);
        int[] best = TopK.indices(p, 0, p.length, k);
        String[] names = new String[k];
        float[] probabilities = new float[k];
        for (int i = 0; i < k; i++) {
            names[i] = labels.get(best[i]);
            probabilities[i] = (float) p[best[i]]; // float32 softmax values, exactly
        }
        return new Object[]{names, best, probabilities, null};
    }

    /** The values for a row that failed with {@code error}. */
    static Object[] failed(String error, InferenceOptions options) {
        Object[] values = new Object[fields(options).size()];
        values[values.length - 1] = error;
        return values;
    }

    private static StructField floats(String name) {
        return DataTypes.createStructField(name, DataTypes.createArrayType(DataTypes.FloatType, false), true);
    }
}
