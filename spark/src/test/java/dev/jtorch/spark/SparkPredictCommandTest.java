package dev.jtorch.spark;

import dev.jtorch.Torch;
import dev.jtorch.models.Models;
import dev.jtorch.models.TorchIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `./jtorch spark-predict` end to end: Parquet and CSV, an unreadable image, an existing output. */
class SparkPredictCommandTest {

    @Test
    void writesParquetAndCsvWithOneRowPerImage(@TempDir Path dir) throws Exception {
        Torch.manualSeed(0);
        Path weights = dir.resolve("w.pth");
        TorchIO.save(Models.resnet18(3).stateDict(), weights);
        Path images = Files.createDirectories(dir.resolve("in/sub"));
        Random random = new Random(2);
        for (int i = 0; i < 3; i++) {
            BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
            for (int p = 0; p < 32 * 32; p++) img.setRGB(p % 32, p / 32, random.nextInt(0x1000000));
            ImageIO.write(img, "png", images.resolve("i" + i + ".png").toFile());
        }
        Files.writeString(images.resolve("bad.jpg"), "truncated");
        Files.writeString(images.resolve("notes.txt"), "not an image name: skipped");

        String[] common = {"--model", "resnet18", "--weights", weights.toString(), "--num-classes", "3",
                "--input", dir.resolve("in").toString(), "--master", "local[2]", "--batch", "2", "--topk", "2"};
        Path parquet = dir.resolve("out.parquet"), csv = dir.resolve("out.csv");
        assertEquals(0, run(common, "--output", parquet.toString()));
        assertEquals(0, run(common, "--output", csv.toString()));
        assertNotEquals(0, run(common, "--output", csv.toString()), "an existing output is kept unless --overwrite");

        SparkSession spark = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate();
        try {
            List<Row> rows = spark.read().parquet(parquet.toString()).orderBy("path").collectAsList();
            assertEquals(4, rows.size());
            assertEquals(List.of("path", "labels", "indices", "probabilities", "error"),
                    List.of(spark.read().parquet(parquet.toString()).columns()));
            Row bad = rows.get(0);
            assertTrue(bad.getString(0).endsWith("bad.jpg"));
            assertTrue(bad.getString(4).contains("bad.jpg"), bad.getString(4));
            for (Row r : rows.subList(1, 4)) {
                assertNull(r.get(4));
                assertEquals(2, r.getList(1).size());
                assertTrue(List.of("0", "1", "2").containsAll(r.getList(1)), r.toString());
            }
            List<Row> text = spark.read().option("header", "true").csv(csv.toString()).orderBy("path").collectAsList();
            assertEquals(4, text.size());
            Row first = rows.get(1), firstText = text.get(1);
            assertEquals(String.join(";", first.<String>getList(1)), firstText.getString(1));
            assertEquals(first.getList(2).get(0) + ";" + first.getList(2).get(1), firstText.getString(2));
        } finally {
            spark.stop();
        }
    }

    private static int run(String[] common, String... more) {
        String[] args = new String[common.length + more.length];
        System.arraycopy(common, 0, args, 0, common.length);
        System.arraycopy(more, 0, args, common.length, more.length);
        return new CommandLine(new SparkPredictCommand()).execute(args);
    }
}
