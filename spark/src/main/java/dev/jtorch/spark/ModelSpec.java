package dev.jtorch.spark;

import dev.jtorch.Device;
import dev.jtorch.data.Image;
import dev.jtorch.data.transforms.Transform;
import dev.jtorch.Tensor;
import dev.jtorch.models.ModelOptions;
import dev.jtorch.models.Models;
import dev.jtorch.models.weights.PretrainedWeights;
import dev.jtorch.models.weights.WeightsCatalog;
import dev.jtorch.nn.Module;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A model described once on the driver and shipped to the executors, which each load it once: a
 * zoo name, a checkpoint (a path every executor can read, or the file's bytes), the evaluation
 * transform and labels of a torchvision weights entry, and the device.
 *
 * <p>{@link #validate()} loads it on the driver, so a missing, malformed or hostile checkpoint
 * fails there with the loader's message, before any task starts. Each spec has an id of its own;
 * executors cache the loaded model under it ({@link ExecutorModels}).
 */
public final class ModelSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String id = UUID.randomUUID().toString();
    private final String model;
    private final String checkpointPath;
    private final byte[] checkpointBytes;
    private final String transformWeights;
    private final int numClasses;
    private final List<String> labels;
    private final String device;
    private final int intraOpThreads;

    private ModelSpec(Builder b) {
        this.model = b.model;
        this.checkpointPath = b.checkpointPath;
        this.checkpointBytes = b.checkpointBytes;
        this.transformWeights = b.transformWeights;
        this.numClasses = b.numClasses;
        this.labels = b.labels == null ? null : List.copyOf(b.labels);
        this.device = b.device;
        this.intraOpThreads = b.intraOpThreads;
    }

    /** A spec for zoo model {@code model} ({@code resnet18}, ...); a checkpoint is required. */
    public static Builder builder(String model) {
        return new Builder(model);
    }

    public String id() { return id; }
    public String model() { return model; }
    public String device() { return device; }
    public int intraOpThreads() { return intraOpThreads; }

    /** The torchvision weights entry whose evaluation transform (and labels) this model uses. */
    public PretrainedWeights transformWeights() {
        return WeightsCatalog.get(model, transformWeights);
    }

    /** The evaluation transform: resize, center crop, scale to [0, 1], normalize. */
    public Transform<Image, Tensor> transform() {
        return transformWeights().transforms();
    }

    /** The class names, in index order: given ones, else the weights entry's, else "0", "1", .... */
    public List<String> labels() {
        if (labels != null) return labels;
        List<String> categories = transformWeights().categories();
        int classes = classes();
        if (categories.size() == classes) return categories;
        List<String> numbered = new ArrayList<>(classes);
        for (int i = 0; i < classes; i++) numbered.add(Integer.toString(i));
        return numbered;
    }

    /** The number of outputs of the model's head. */
    public int classes() {
        if (numClasses > 0) return numClasses;
        if (labels != null) return labels.size();
        int categories = transformWeights().categories().size();
        return categories > 0 ? categories : 1000;
    }

    /**
     * Builds the model and loads the checkpoint into it strictly, in eval mode. Called once on the
     * driver ({@link #validate}) and once per executor JVM.
     */
    public Module load() throws IOException {
        if (!Device.parse(device).equals(Device.CPU)) {
            throw new IllegalArgumentException("device " + device + ": jtorch's CUDA backend is not built yet; use cpu");
        }
        Path file = checkpointPath != null ? Path.of(checkpointPath) : bytesToTempFile();
        try {
            Module m = Models.create(model, ModelOptions.numClasses(classes()), file);
            m.eval();
            return m;
        } finally {
            if (checkpointPath == null) Files.deleteIfExists(file);
        }
    }

    /**
     * Loads the model on the driver, so that whatever would fail on the executors (a missing file,
     * a malformed or hostile checkpoint, mismatched keys) fails here, first, with the loader's
     * message; returns the loaded model for further checks.
     */
    public Module validate() {
        try {
            return load();
        } catch (IOException e) {
            throw new UncheckedIOException("model " + model + " from " + source() + ": " + e.getMessage(), e);
        }
    }

    /** Where the checkpoint comes from, for messages. */
    public String source() {
        return checkpointPath != null ? checkpointPath : "checkpoint bytes (" + checkpointBytes.length + " bytes)";
    }

    private Path bytesToTempFile() throws IOException {
        Path file = Files.createTempFile("jtorch-spark-", ".pth");
        Files.write(file, checkpointBytes);
        return file;
    }

    @Override
    public String toString() {
        return "ModelSpec(" + model + ", " + source() + ", transform " + transformWeights + ", " + device + ")";
    }

    /** Builds a {@link ModelSpec}. */
    public static final class Builder {
        private final String model;
        private String checkpointPath;
        private byte[] checkpointBytes;
        private String transformWeights = "DEFAULT";
        private int numClasses;
        private List<String> labels;
        private String device = "cpu";
        private int intraOpThreads = 1;

        private Builder(String model) {
            if (!Models.names().contains(model)) {
                throw new IllegalArgumentException("unknown model '" + model + "'; the zoo has " + Models.names());
            }
            this.model = model;
        }

        /** A checkpoint file every executor can read at this path (a shared or distributed file system). */
        public Builder checkpoint(Path path) {
            this.checkpointPath = path.toAbsolutePath().toString();
            this.checkpointBytes = null;
            return this;
        }

        /** The checkpoint's bytes, shipped with the job (for files only the driver can read). */
        public Builder checkpointBytes(byte[] bytes) {
            this.checkpointBytes = bytes.clone();
            this.checkpointPath = null;
            return this;
        }

        /** The torchvision weights entry ({@code DEFAULT}, {@code IMAGENET1K_V1}, ...) whose transform and labels to use. */
        public Builder transformOf(String weightsName) {
            WeightsCatalog.get(model, weightsName); // fails now on an unknown name
            this.transformWeights = weightsName;
            return this;
        }

        /** The head's size, for a fine-tuned checkpoint (default: the weights entry's categories). */
        public Builder numClasses(int classes) {
            if (classes < 1) throw new IllegalArgumentException("numClasses must be >= 1, got " + classes);
            this.numClasses = classes;
            return this;
        }

        /** Class names in index order, for a fine-tuned checkpoint. */
        public Builder labels(List<String> names) {
            this.labels = List.copyOf(names);
            return this;
        }

        /** {@code cpu} (the default; the CUDA backend is not built yet). */
        public Builder device(String name) {
            Device.parse(name);
            this.device = name;
            return this;
        }

        /**
         * Threads each forward pass uses inside the executor (default 1): Spark already runs one task
         * per core, so more would only make the tasks compete for the same cores.
         */
        public Builder intraOpThreads(int threads) {
            if (threads < 1) throw new IllegalArgumentException("intraOpThreads must be >= 1, got " + threads);
            this.intraOpThreads = threads;
            return this;
        }

        public ModelSpec build() {
            if (checkpointPath == null && checkpointBytes == null) {
                throw new IllegalArgumentException("model " + model + ": a checkpoint (path or bytes) is required");
            }
            if (labels != null && numClasses > 0 && labels.size() != numClasses) {
                throw new IllegalArgumentException(labels.size() + " labels for " + numClasses + " classes");
            }
            return new ModelSpec(this);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelSpec other && other.id.equals(id);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id);
    }
}
