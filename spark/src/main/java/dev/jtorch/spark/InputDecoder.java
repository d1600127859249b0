package dev.jtorch.spark;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.data.Image;
import dev.jtorch.data.transforms.Transform;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * One row's input as the model's input tensor: an image file's bytes (a binary column, as
 * Spark's {@code binaryFile} source gives them), the path of an image file every executor can
 * read (a string column), or the input tensor itself (an array of numbers, flattened in C, H, W
 * order). Images go through the model's evaluation transform.
 */
final class InputDecoder {
    private InputDecoder() {}

    /** Whether inputs of this type can be decoded. */
    static boolean supports(DataType type) {
        return type instanceof BinaryType || type instanceof StringType
                || type instanceof ArrayType a && a.elementType() instanceof NumericType;
    }

    /** A plain path, or a {@code file:} URI as Spark's file sources give in their {@code path} column. */
    static Path localPath(String name) {
        return name.startsWith("file:") ? Path.of(URI.create(name)) : Path.of(name);
    }

    static Tensor decode(Row row, int column, DataType type, String name, Transform<Image, Tensor> transform,
                         int[] inputShape) throws IOException {
        if (row.isNullAt(column)) throw new IllegalArgumentException("the input is null");
        if (type instanceof BinaryType) return transform.apply(Image.decode((byte[]) row.get(column), name));
        if (type instanceof StringType) return transform.apply(Image.read(localPath(row.getString(column))));
        List<Object> values = row.getList(column);
        int expected = Arrays.stream(inputShape).reduce(1, (a, b) -> a * b);
        if (values.size() != expected) {
            throw new IllegalArgumentException("an input of " + values.size() + " numbers; the model takes "
                    + Arrays.toString(inputShape) + " = " + expected);
        }
        float[] data = new float[expected];
        for (int i = 0; i < expected; i++) {
            Object v = values.get(i);
            if (v == null) throw new IllegalArgumentException("element " + i + " of the input is null");
            data[i] = ((Number) v).floatValue();
        }
        return Torch.tensor(data, inputShape);
    }
}
