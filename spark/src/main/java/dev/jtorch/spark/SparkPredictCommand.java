package dev.jtorch.spark;

import dev.jtorch.models.weights.HubCache;
import dev.jtorch.models.weights.PretrainedWeights;
import dev.jtorch.models.weights.WeightsCatalog;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;

/**
 * {@code jtorch spark-predict}: classifies a directory of images through Spark and writes one row
 * per image (path, top-k labels, their class indices, probabilities, error) to Parquet, or to CSV
 * (lists joined with ';') when the output name ends in {@code .csv}.
 */
@Command(name = "spark-predict", mixinStandardHelpOptions = true,
        description = "Classify a directory of images with a jtorch model on Spark; write Parquet or CSV.")
public final class SparkPredictCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "A zoo model (resnet18, ...).")
    String model;

    @Option(names = "--weights", required = true, paramLabel = "NAME|FILE.pth",
            description = "torchvision's weights by name (IMAGENET1K_V1, DEFAULT: from PyTorch's hub cache) or a state dict"
                    + " file every executor can read.")
    String weights;

    @Option(names = "--input", required = true, description = "A directory of images (PNG, JPEG, GIF, BMP), read recursively.")
    String input;

    @Option(names = "--output", required = true, description = "OUT.parquet (a Parquet directory) or OUT.csv.")
    String output;

    @Option(names = "--master", defaultValue = "local[*]", description = "Spark master (default: ${DEFAULT-VALUE}).")
    String master;

    @Option(names = "--batch", defaultValue = "32", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--topk", defaultValue = "5", description = "Labels per image (default: ${DEFAULT-VALUE}).")
    int topk;

    @Option(names = "--threads", defaultValue = "1",
            description = "Threads per forward pass inside each task (default: ${DEFAULT-VALUE}; tasks x threads <= cores).")
    int threads;

    @Option(names = "--num-classes", description = "The head's size, for a fine-tuned checkpoint (labels are then 0..N-1).")
    Integer numClasses;

    @Option(names = "--fail-fast", description = "Fail the job on the first unreadable image instead of writing its error.")
    boolean failFast;

    @Option(names = "--overwrite", description = "Replace the output if it exists.")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        ModelSpec.Builder builder = ModelSpec.builder(model);
        PretrainedWeights named = WeightsCatalog.named(model, weights);
        if (named != null) builder.transformOf(weights);
        builder.checkpoint(named != null ? HubCache.resolve(named, HubCache.Progress.NONE) : Path.of(weights));
        if (numClasses != null) builder.numClasses(numClasses);
        builder.intraOpThreads(threads);
        ModelSpec spec = builder.build();
        InferenceOptions options = InferenceOptions.predictions().withTopk(topk).withBatchSize(batch).withFailFast(failFast);

        SparkSession spark = SparkSession.builder().master(master).appName("jtorch spark-predict " + model)
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            long start = System.nanoTime();
            Dataset<Row> images = spark.read().format("binaryFile").option("recursiveFileLookup", "true")
                    .option("pathGlobFilter", "*.{png,PNG,jpg,JPG,jpeg,JPEG,gif,GIF,bmp,BMP}").load(input)
                    .select("path", "content");
            Dataset<Row> predicted = JTorchSpark.run(images, "content", spec, options)
                    .select("path", "labels", "indices", "probabilities", "error");
            boolean csv = output.toLowerCase(Locale.ROOT).endsWith(".csv");
            var writer = (csv ? asText(predicted) : predicted).write()
                    .mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists);
            if (csv) writer.option("header", "true").csv(output);
            else writer.parquet(output);
            Dataset<Row> written = csv ? spark.read().option("header", "true").csv(output) : spark.read().parquet(output);
            long rows = written.count(), errors = written.filter(col("error").isNotNull()).count();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "%d images (%d unreadable) in %d partitions, %.1f s, %.1f images/s, through %s;"
                    + " written to %s%n", rows, errors, images.rdd().getNumPartitions(), seconds, rows / seconds, master, output);
            return 0;
        } finally {
            spark.stop();
        }
    }

    /** Lists as text for CSV, which has no list type: values joined with ';'. */
    private static Dataset<Row> asText(Dataset<Row> predicted) {
        return predicted.select(col("path"), joined("labels"), joined("indices"), joined("probabilities"), col("error"));
    }

    private static Column joined(String name) {
        return concat_ws(";", col(name).cast("array<string>")).as(name);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new SparkPredictCommand()).execute(args));
    }
}
