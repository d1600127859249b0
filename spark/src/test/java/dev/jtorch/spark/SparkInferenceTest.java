package dev.jtorch.spark;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.data.Image;
import dev.jtorch.models.Models;
import dev.jtorch.models.TorchIO;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * jtorch inside Spark in local mode, two task threads and one retry allowed per task: every
 * result is compared with what the same model gives in this JVM without Spark.
 */
class SparkInferenceTest {
    private static final int IMAGES = 10, BATCH = 4;
    private static SparkSession spark;
    private static Path dir, checkpoint, images;
    private static ModelSpec spec;

    @BeforeAll
    static void start() throws IOException {
        dir = Files.createTempDirectory("jtorch-spark-test");
        Torch.manualSeed(0);
        checkpoint = dir.resolve("resnet18.pth");
        TorchIO.save(Models.resnet18().stateDict(), checkpoint);
        images = Files.createDirectories(dir.resolve("images"));
        Random random = new Random(1);
        for (int i = 0; i < IMAGES; i++) {
            BufferedImage img = new BufferedImage(48 + 8 * i, 40, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) img.setRGB(x, y, random.nextInt(0x1000000));
            }
            ImageIO.write(img, "png", images.resolve(String.format("img%02d.png", i)).toFile());
        }
        Files.writeString(images.resolve("broken.png"), "not an image");
        spark = SparkSession.builder().master("local[2,2]").appName("jtorch-spark-test")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
        spec = ModelSpec.builder("resnet18").checkpoint(checkpoint).build();
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    /** The image files in three partitions, in path order. */
    private static Dataset<Row> imageFiles() {
        return spark.read().format("binaryFile").load(images.toString()).select("path", "content").repartition(3);
    }

    /** What the model gives for one image in this JVM, without Spark, with the same batch size. */
    private static float[] singleJvm(BatchRunner runner, String path) throws IOException {
        Tensor x = spec.transform().apply(Image.read(Path.of(java.net.URI.create(path))));
        return runner.run(List.of(x))[0];
    }

    private static Map<String, Row> byPath(List<Row> rows) {
        Map<String, Row> out = new HashMap<>();
        for (Row r : rows) out.put(r.getAs("path"), r);
        return out;
    }

    @Test
    void predictionsEqualTheSingleJvmOnesExactlyAndTheModelIsLoadedOncePerJvm() throws IOException {
        ModelSpec fresh = ModelSpec.builder("resnet18").checkpoint(checkpoint).build();
        int loadsBefore = ExecutorModels.loadCount();
        Dataset<Row> out = JTorchSpark.run(imageFiles(), "content", fresh, InferenceOptions.predictions().withBatchSize(BATCH));
        List<Row> rows = out.collectAsList();
        assertEquals(1, ExecutorModels.loadCount() - loadsBefore, "one load in this JVM for all three partitions' tasks");
        assertEquals(IMAGES + 1, rows.size());

        BatchRunner reference = BatchRunner.load(spec, null, BATCH);
        List<String> labels = spec.labels();
        int checked = 0;
        for (Row r : rows) {
            String path = r.getAs("path");
            if (path.endsWith("broken.png")) {
                assertNull(r.getAs("labels"));
                String error = r.getAs("error");
                assertTrue(error.contains("broken.png") && error.contains("not an image format"), error);
                continue;
            }
            assertNull(r.getAs("error"), path);
            Object[] expected = OutputColumns.values(singleJvm(reference, path), InferenceOptions.predictions(), labels);
            assertEquals(Arrays.asList((String[]) expected[0]), r.getList(r.fieldIndex("labels")), path);
            assertEquals(boxed((int[]) expected[1]), r.getList(r.fieldIndex("indices")), path);
            assertEquals(boxed((float[]) expected[2]), r.getList(r.fieldIndex("probabilities")), path);
            checked++;
        }
        assertEquals(IMAGES, checked);
    }

    @Test
    void embeddingsAreTheTappedLayersOutputAndAnUnknownLayerFailsOnTheDriver() throws IOException {
        List<Row> rows = JTorchSpark.run(imageFiles(), "content", spec, InferenceOptions.embeddings("avgpool")
                .withBatchSize(BATCH)).collectAsList();
        BatchRunner reference = BatchRunner.load(spec, "avgpool", BATCH);
        for (Row r : rows) {
            String path = r.getAs("path");
            if (path.endsWith("broken.png")) continue;
            List<Float> embedding = r.getList(r.fieldIndex("embedding"));
            assertEquals(512, embedding.size());
            assertEquals(boxed(singleJvm(reference, path)), embedding, path);
        }
        var e = assertThrows(IllegalArgumentException.class,
                () -> JTorchSpark.run(imageFiles(), "content", spec, InferenceOptions.embeddings("layer9")));
        assertTrue(e.getMessage().contains("layer9"), e.getMessage());
    }

    @Test
    void tensorRowsOfTheWrongShapeGetAnErrorAndTheOthersTheirLogits() throws IOException {
        Torch.manualSeed(3);
        float[] good = Torch.randn(3, 224, 224).toFloatArray();
        StructType schema = new StructType().add("id", DataTypes.StringType)
                .add("x", DataTypes.createArrayType(DataTypes.FloatType));
        List<Row> input = List.of(RowFactory.create("good", good), RowFactory.create("short", new float[]{1, 2, 3}),
                RowFactory.create("null", null));
        Dataset<Row> data = spark.createDataFrame(input, schema).repartition(2);
        Map<String, Row> rows = new HashMap<>();
        for (Row r : JTorchSpark.run(data, "x", spec, InferenceOptions.logits().withBatchSize(BATCH)).collectAsList()) {
            rows.put(r.getAs("id"), r);
        }
        float[] expected = BatchRunner.load(spec, null, BATCH).run(List.of(Torch.tensor(good, 3, 224, 224)))[0];
        assertEquals(boxed(expected), rows.get("good").getList(rows.get("good").fieldIndex("logits")));
        assertNull(rows.get("good").getAs("error"));
        String shortError = rows.get("short").getAs("error");
        assertTrue(shortError.contains("an input of 3 numbers; the model takes [3, 224, 224]"), shortError);
        assertNull(rows.get("short").getAs("logits"));
        assertTrue(rows.get("null").<String>getAs("error").contains("the input is null"));
    }

    @Test
    void aColumnOfPathsWorksLikeTheBytes() {
        Map<String, Row> fromBytes = byPath(JTorchSpark.run(imageFiles(), "content", spec,
                InferenceOptions.logits().withBatchSize(BATCH)).collectAsList());
        Map<String, Row> fromPaths = byPath(JTorchSpark.run(imageFiles().select("path"), "path", spec,
                InferenceOptions.logits().withBatchSize(BATCH)).collectAsList());
        assertEquals(fromBytes.keySet(), fromPaths.keySet());
        for (String path : fromBytes.keySet()) {
            Row a = fromBytes.get(path), b = fromPaths.get(path);
            assertEquals(a.get(a.fieldIndex("logits")), b.get(b.fieldIndex("logits")), path);
            assertEquals(a.get(a.fieldIndex("error")) == null, b.get(b.fieldIndex("error")) == null, path);
        }
    }

    @Test
    void failFastTurnsABadRowIntoAFailedJobNamingTheFile() {
        Dataset<Row> out = JTorchSpark.run(imageFiles(), "content", spec,
                InferenceOptions.predictions().withBatchSize(BATCH).withFailFast(true));
        SparkException e = assertThrows(SparkException.class, out::collectAsList);
        assertTrue(e.getMessage().contains("broken.png"), e.getMessage());
    }

    @Test
    void aHostileOrMissingCheckpointFailsOnTheDriverBeforeAnyTask() throws IOException {
        // A protocol-0 pickle that would call os.system("echo pwned") under pickle.load.
        Path hostile = dir.resolve("hostile.pth");
        Files.write(hostile, "cos\nsystem\n(S'echo pwned'\ntR.".getBytes(StandardCharsets.ISO_8859_1));
        ModelSpec bad = ModelSpec.builder("resnet18").checkpoint(hostile).build();
        // JTorchSpark.predict runs no Spark job itself (the Dataset it returns is lazy): it throws first.
        var e = assertThrows(RuntimeException.class, () -> JTorchSpark.predict(imageFiles(), "content", bad));
        assertTrue(e.getMessage().contains("os.system") || e.getMessage().contains("posix.system"), e.getMessage());

        ModelSpec missing = ModelSpec.builder("resnet18").checkpoint(dir.resolve("nowhere.pth")).build();
        var m = assertThrows(RuntimeException.class, () -> JTorchSpark.predict(imageFiles(), "content", missing));
        assertTrue(m.getMessage().contains("nowhere.pth"), m.getMessage());
    }

    @Test
    void aTaskRetriedAfterAFailureGivesTheSameRowsOnceEach() {
        List<Row> clean = JTorchSpark.run(imageFiles(), "content", spec, InferenceOptions.predictions().withBatchSize(BATCH))
                .collectAsList();
        // The first attempt of every task dies after its first row, as on a lost executor.
        Dataset<Row> flaky = imageFiles().mapPartitions((MapPartitionsFunction<Row, Row>) rows -> {
            List<Row> all = new ArrayList<>();
            rows.forEachRemaining(all::add);
            if (TaskContext.get().attemptNumber() == 0 && all.size() > 1) throw new IllegalStateException("executor lost");
            return all.iterator();
        }, Encoders.row(imageFiles().schema()));
        List<Row> retried = JTorchSpark.run(flaky, "content", spec, InferenceOptions.predictions().withBatchSize(BATCH))
                .collectAsList();
        assertEquals(clean.size(), retried.size());
        Map<String, Row> a = byPath(clean), b = byPath(retried);
        assertEquals(a.keySet(), b.keySet());
        for (String path : a.keySet()) {
            assertEquals(a.get(path).get(a.get(path).fieldIndex("probabilities")),
                    b.get(path).get(b.get(path).fieldIndex("probabilities")), path);
        }
    }

    @Test
    void theSqlFunctionPredictsRowByRow() throws IOException {
        JTorchSpark.registerFunction(spark, Map.of("resnet18", spec));
        imageFiles().createOrReplaceTempView("images");
        List<Row> rows = spark.sql("SELECT path, jtorch_predict(content, 'resnet18') AS p FROM images").collectAsList();
        BatchRunner one = BatchRunner.load(spec, null, 1);
        for (Row r : rows) {
            String path = r.getAs("path");
            Row p = r.getAs("p");
            if (path.endsWith("broken.png")) {
                assertNotNull(p.getAs("error"));
                continue;
            }
            Object[] expected = OutputColumns.values(singleJvm(one, path), InferenceOptions.predictions(), spec.labels());
            assertEquals(Arrays.asList((String[]) expected[0]), p.getList(p.fieldIndex("labels")), path);
        }
        var e = assertThrows(Exception.class,
                () -> spark.sql("SELECT jtorch_predict(content, 'vgg99') FROM images").collectAsList());
        assertTrue(String.valueOf(e.getMessage()).contains("vgg99") || String.valueOf(e.getCause()).contains("vgg99"),
                e.toString());
    }

    private static List<Integer> boxed(int[] a) {
        return Arrays.stream(a).boxed().toList();
    }

    private static List<Float> boxed(float[] a) {
        List<Float> out = new ArrayList<>(a.length);
        for (float v : a) out.add(v);
        return out;
    }
}
