package dev.jtorch.spark;

import dev.jtorch.Tensor;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * One partition's rows through the executor's model, a batch at a time, streamed: each output row
 * is the input row followed by the output columns. A row whose input cannot be decoded (not an
 * image, a wrong-sized tensor, a null) gets null outputs and its error, unless {@code failFast}.
 */
final class PartitionInference implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    private final ModelSpec spec;
    private final InferenceOptions options;
    private final int inputColumn;
    private final DataType inputType;
    /** A column that names rows in error messages ({@code path}), or -1. */
    private final int nameColumn;

    PartitionInference(ModelSpec spec, InferenceOptions options, int inputColumn, DataType inputType, int nameColumn) {
        this.spec = spec;
        this.options = options;
        this.inputColumn = inputColumn;
        this.inputType = inputType;
        this.nameColumn = nameColumn;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        BatchRunner runner = ExecutorModels.get(spec, options.layer(), options.batchSize());
        return new Iterator<>() {
            private final ArrayDeque<Row> ready = new ArrayDeque<>();
            private long index;

            @Override
            public boolean hasNext() {
                if (ready.isEmpty() && rows.hasNext()) nextBatch();
                return !ready.isEmpty();
            }

            @Override
            public Row next() {
                if (!hasNext()) throw new NoSuchElementException();
                return ready.removeFirst();
            }

            private void nextBatch() {
                List<Row> batch = new ArrayList<>(options.batchSize());
                while (batch.size() < options.batchSize() && rows.hasNext()) batch.add(rows.next());
                Object[][] outputs = new Object[batch.size()][];
                List<Tensor> inputs = new ArrayList<>();
                List<Integer> decoded = new ArrayList<>();
                for (int i = 0; i < batch.size(); i++) {
                    Row row = batch.get(i);
                    String name = name(row, index + i);
                    try {
                        Tensor input = InputDecoder.decode(row, inputColumn, inputType, name, runner.transform(),
                                runner.inputShape());
                        runner.checkShape(input);
                        inputs.add(input);
                        decoded.add(i);
                    } catch (Exception e) {
                        String message = String.valueOf(e.getMessage());
                        String error = message.contains(name) ? message : name + ": " + message;
                        if (options.failFast()) throw new IllegalArgumentException(error, e);
                        outputs[i] = OutputColumns.failed(error, options);
                    }
                }
                float[][] results = runner.run(inputs);
                for (int j = 0; j < results.length; j++) {
                    outputs[decoded.get(j)] = OutputColumns.values(results[j], options, runner.labels());
                }
                for (int i = 0; i < batch.size(); i++) ready.addLast(append(batch.get(i), outputs[i]));
                index += batch.size();
            }
        };
    }

    private String name(Row row, long index) {
        if (nameColumn >= 0 && !row.isNullAt(nameColumn)) return String.valueOf(row.get(nameColumn));
        return "row " + index + " of the partition";
    }

    private static Row append(Row row, Object[] extra) {
        Object[] values = new Object[row.length() + extra.length];
        for (int i = 0; i < row.length(); i++) values[i] = row.get(i);
        System.arraycopy(extra, 0, values, row.length(), extra.length);
        return RowFactory.create(values);
    }
}
