package dev.jtorch.spark;

import dev.jtorch.nn.Module;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * jtorch models over Spark Datasets. Each call validates the model on the driver (a bad
 * checkpoint fails here, before any task), then maps each partition through the model its
 * executor loaded once ({@link ExecutorModels}), in fixed-size batches ({@link BatchRunner}).
 *
 * <pre>{@code
 * ModelSpec resnet = ModelSpec.builder("resnet18").checkpoint(Path.of("/shared/resnet18.pth")).build();
 * Dataset<Row> images = spark.read().format("binaryFile").load("/data/images");
 * Dataset<Row> predicted = JTorchSpark.predict(images, "content", resnet);   // + labels, indices, probabilities, error
 * Dataset<Row> features = JTorchSpark.run(images, "content", resnet, InferenceOptions.embeddings("avgpool"));
 * }</pre>
 *
 * Results are a pure function of each row: a task Spark retries after losing an executor
 * produces the same rows again, and Spark keeps one attempt's output.
 */
public final class JTorchSpark {
    /** The name {@link #registerFunction} gives the SQL function by default. */
    public static final String PREDICT_FUNCTION = "jtorch_predict";

    private JTorchSpark() {}

    /** Top-5 predictions for the images (or tensors) in {@code inputColumn}. */
    public static Dataset<Row> predict(Dataset<Row> data, String inputColumn, ModelSpec spec) {
        return run(data, inputColumn, spec, InferenceOptions.predictions());
    }

    /** {@code data} with the output columns of {@code options} appended to each row. */
    public static Dataset<Row> run(Dataset<Row> data, String inputColumn, ModelSpec spec, InferenceOptions options) {
        StructType schema = data.schema();
        if (!Arrays.asList(schema.fieldNames()).contains(inputColumn)) {
            throw new IllegalArgumentException("no column " + inputColumn + " in " + schema.simpleString());
        }
        int column = schema.fieldIndex(inputColumn);
        DataType type = schema.fields()[column].dataType();
        if (!InputDecoder.supports(type)) {
            throw new IllegalArgumentException("column " + inputColumn + " is " + type.simpleString()
                    + "; jtorch takes binary (image bytes), string (image paths) or an array of numbers (a tensor)");
        }
        validate(spec, options.layer());
        StructType out = OutputColumns.schema(schema, options);
        int nameColumn = Arrays.asList(schema.fieldNames()).indexOf("path");
        return data.mapPartitions(new PartitionInference(spec, options, column, type, nameColumn), Encoders.row(out));
    }

    /**
     * Registers {@code jtorch_predict(image, 'model')} in {@code spark}'s SQL: the image's bytes
     * (binary) or path (string) and one of {@code models}' names give a struct of {@code labels},
     * {@code indices}, {@code probabilities} (top 5) and {@code error}. It runs row by row (a
     * scalar function cannot batch); for throughput use {@link #run}.
     */
    public static void registerFunction(SparkSession spark, Map<String, ModelSpec> models) {
        registerFunction(spark, PREDICT_FUNCTION, models);
    }

    public static void registerFunction(SparkSession spark, String name, Map<String, ModelSpec> models) {
        models.values().forEach(spec -> validate(spec, null));
        Map<String, ModelSpec> named = Map.copyOf(models);
        InferenceOptions options = InferenceOptions.predictions().withBatchSize(1);
        UDF2<Object, String, Row> predict = (image, model) -> {
            ModelSpec spec = named.get(model);
            if (spec == null) throw new IllegalArgumentException("no model named '" + model + "'; registered: " + named.keySet());
            DataType type = image instanceof byte[] ? DataTypes.BinaryType : DataTypes.StringType;
            Row input = RowFactory.create(image);
            Row out = new PartitionInference(spec, options, 0, type, -1).call(List.of(input).iterator()).next();
            return RowFactory.create(out.get(1), out.get(2), out.get(3), out.get(4));
        };
        spark.udf().register(name, predict, OutputColumns.PREDICTION);
    }

    /** Loads the model on the driver, with the layer an embedding taps, so that any failure comes now. */
    private static void validate(ModelSpec spec, String layer) {
        Module model = spec.validate();
        if (layer == null) return;
        try {
            model.getSubmodule(layer);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("layer " + layer + " of " + spec.model() + ": " + e.getMessage(), e);
        }
    }
}
