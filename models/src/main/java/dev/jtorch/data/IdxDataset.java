package dev.jtorch.data;

import dev.jtorch.Tensor;
import dev.jtorch.data.transforms.ToTensor;
import dev.jtorch.data.transforms.Transform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * MNIST, Fashion-MNIST and any other pair of idx files ({@code torchvision.datasets.MNIST} /
 * {@code FashionMNIST} without the download): an images file of shape {@code [N, rows, cols]}
 * and a labels file of shape {@code [N]}, gzipped or not, read whole into memory and checked
 * ({@link IdxFile}). Each sample is the image (mode {@code L}) through the transform, with its
 * label.
 *
 * {@snippet :
 * // Debian: apt-get install dataset-fashion-mnist
 * var test = IdxDataset.open(Path.of("/usr/share/datasets/fashion-mnist"), false, new ToTensor());
 * Sample s = test.get(0);     // s.input(): [1, 28, 28] in [0, 1]; s.target(): 9 (ankle boot)
 * }
 */
public final class IdxDataset implements Dataset<Sample> {
    /** {@code torchvision.datasets.FashionMNIST.classes}. */
    public static final List<String> FASHION_MNIST_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private final IdxFile images;
    private final IdxFile labels;
    private final int rows, cols;
    private final Transform<Image, Tensor> transform;

    /** The pair of files, images through {@code transform}. */
    public IdxDataset(Path imagesFile, Path labelsFile, Transform<Image, Tensor> transform) throws IOException {
        this(IdxFile.read(imagesFile), IdxFile.read(labelsFile), transform);
    }

    /** Already-read files (checked to be an images and a labels file of one count). */
    public IdxDataset(IdxFile images, IdxFile labels, Transform<Image, Tensor> transform) throws IOException {
        if (images.shape().length != 3) {
            throw new IdxFormatException(images.path(), 3, "an images file has 3 dimensions [N, rows, cols], this one has "
                    + images.shape().length + " " + Arrays.toString(images.shape()));
        }
        if (labels.shape().length != 1) {
            throw new IdxFormatException(labels.path(), 3, "a labels file has 1 dimension [N], this one has "
                    + labels.shape().length + " " + Arrays.toString(labels.shape()));
        }
        if (images.shape()[0] != labels.shape()[0]) {
            throw new IOException(images.path() + " holds " + images.shape()[0] + " images but " + labels.path() + " holds "
                    + labels.shape()[0] + " labels");
        }
        if (images.shape()[1] == 0 || images.shape()[2] == 0) {
            throw new IdxFormatException(images.path(), 8, "images of size " + images.shape()[1] + "x" + images.shape()[2]);
        }
        this.images = images;
        this.labels = labels;
        this.rows = images.shape()[1];
        this.cols = images.shape()[2];
        this.transform = transform;
    }

    /**
     * The training ({@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte}) or test
     * ({@code t10k-*}) split in {@code dir}; each file may end in {@code .gz} and may use a dot
     * before {@code idx} ({@code train-images.idx3-ubyte}), as the MNIST downloads do.
     */
    public static IdxDataset open(Path dir, boolean train, Transform<Image, Tensor> transform) throws IOException {
        String prefix = train ? "train" : "t10k";
        return new IdxDataset(find(dir, prefix + "-images", "idx3-ubyte"), find(dir, prefix + "-labels", "idx1-ubyte"), transform);
    }

    /** {@link #open} with {@link ToTensor}. */
    public static IdxDataset open(Path dir, boolean train) throws IOException { return open(dir, train, new ToTensor()); }

    /** True when {@code dir} holds the training images file of an idx dataset. */
    public static boolean isIdxDirectory(Path dir) {
        return !candidates(dir, "train-images", "idx3-ubyte").stream().filter(Files::isRegularFile).toList().isEmpty();
    }

    private static List<Path> candidates(Path dir, String stem, String kind) {
        List<Path> out = new ArrayList<>();
        for (String sep : new String[]{"-", "."}) {
            for (String gz : new String[]{"", ".gz"}) out.add(dir.resolve(stem + sep + kind + gz));
        }
        return out;
    }

    private static Path find(Path dir, String stem, String kind) throws IOException {
        List<Path> tried = candidates(dir, stem, kind);
        for (Path p : tried) if (Files.isRegularFile(p)) return p;
        throw new NoSuchFileException(dir.resolve(stem + "-" + kind).toString(), null,
                "no " + stem + " file in " + dir + " (looked for " + String.join(", ", tried.stream().map(p -> p.getFileName().toString()).toList()) + ")");
    }

    @Override
    public int size() { return labels.numel(); }

    public int rows() { return rows; }
    public int cols() { return cols; }

    /** The label of every sample. */
    public int[] targets() {
        byte[] l = labels.data();
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) out[i] = l[i] & 0xFF;
        return out;
    }

    /** One more than the largest label. */
    public int numClasses() {
        int max = -1;
        for (byte b : labels.data()) max = Math.max(max, b & 0xFF);
        return max + 1;
    }

    /** Image {@code index}, before the transform. */
    public Image image(int index) {
        if (index < 0 || index >= size()) throw Dataset.indexError(index, size());
        int n = rows * cols;
        return new Image(cols, rows, Image.Mode.L, Arrays.copyOfRange(images.data(), index * n, (index + 1) * n));
    }

    @Override
    public Sample get(int index) {
        return new Sample(transform.apply(image(index)), labels.data()[index] & 0xFF);
    }

    @Override
    public String toString() {
        return "Dataset IdxDataset\n    Number of datapoints: " + size() + "\n    Images: " + images.path()
                + "\n    Labels: " + labels.path() + "\n    StandardTransform\nTransform: "
                + String.valueOf(transform).replace("\n", "\n           ");
    }
}
