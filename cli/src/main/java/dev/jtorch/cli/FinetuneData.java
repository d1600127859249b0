package dev.jtorch.cli;

import dev.jtorch.Generator;
import dev.jtorch.Tensor;
import dev.jtorch.data.Dataset;
import dev.jtorch.data.IdxDataset;
import dev.jtorch.data.Image;
import dev.jtorch.data.ImageFolder;
import dev.jtorch.data.Sample;
import dev.jtorch.data.Subset;
import dev.jtorch.data.transforms.CenterCrop;
import dev.jtorch.data.transforms.Compose;
import dev.jtorch.data.transforms.Grayscale;
import dev.jtorch.data.transforms.Normalize;
import dev.jtorch.data.transforms.RandomHorizontalFlip;
import dev.jtorch.data.transforms.Resize;
import dev.jtorch.data.transforms.ToTensor;
import dev.jtorch.data.transforms.Transform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The training and validation sets {@code jtorch finetune} reads from a directory: MNIST-style idx
 * files ({@code train-*} and {@code t10k-*}), an ImageFolder with {@code train/} and {@code val/}
 * (or {@code test/}), or one ImageFolder from which a validation part is split off.
 *
 * @param kind     how the directory was read, for the log
 * @param train    the training samples
 * @param val      the validation samples
 * @param classes  the class names, index order
 */
record FinetuneData(String kind, Dataset<Sample> train, Dataset<Sample> val, List<String> classes) {

    /** Preprocessing options shared by both splits. */
    record Preprocess(Integer imageSize, boolean hflip) {

        /**
         * [Resize(S), CenterCrop(S)] when an image size is given, [RandomHorizontalFlip] for
         * training when asked, Grayscale(3) for grey datasets, ToTensor, Normalize(ImageNet).
         */
        Transform<Image, Tensor> transform(boolean train, boolean grey) {
            Compose<Image, Image> steps = Compose.empty();
            if (imageSize != null) steps = steps.then(new Resize(imageSize)).then(new CenterCrop(imageSize));
            if (train && hflip) steps = steps.then(new RandomHorizontalFlip());
            if (grey) steps = steps.then(new Grayscale(3));
            return steps.then(new ToTensor()).then(Normalize.imagenet());
        }
    }

    static FinetuneData open(Path dir, Preprocess pre, double valFraction, long seed) throws IOException {
        if (!Files.isDirectory(dir)) {
            if (!Files.exists(dir)) throw new NoSuchFileException(dir.toString(), null, "no such directory");
            throw new IllegalArgumentException(dir + ": --data must be a directory (an ImageFolder or idx files)");
        }
        if (IdxDataset.isIdxDirectory(dir)) {
            IdxDataset train = IdxDataset.open(dir, true, pre.transform(true, true));
            IdxDataset val;
            try {
                val = IdxDataset.open(dir, false, pre.transform(false, true));
            } catch (NoSuchFileException e) {
                int[][] parts = splitIndices(train.size(), valFraction, seed);
                IdxDataset plain = IdxDataset.open(dir, true, pre.transform(false, true));
                return new FinetuneData("idx files (no t10k-* files: " + parts[1].length + " training images held out for validation)",
                        new Subset<>(train, parts[0]), new Subset<>(plain, parts[1]), numbered(train.numClasses()));
            }
            int classes = Math.max(train.numClasses(), val.numClasses());
            return new FinetuneData("idx files (train-* for training, t10k-* for validation)", train, val, numbered(classes));
        }
        Path valDir = Files.isDirectory(dir.resolve("val")) ? dir.resolve("val") : dir.resolve("test");
        if (Files.isDirectory(dir.resolve("train")) && Files.isDirectory(valDir)) {
            ImageFolder train = new ImageFolder(dir.resolve("train"), pre.transform(true, false));
            ImageFolder val = new ImageFolder(valDir, pre.transform(false, false));
            if (!train.classes().equals(val.classes())) {
                throw new IllegalArgumentException(dir + ": train/ and " + valDir.getFileName() + "/ have different classes: "
                        + train.classes() + " and " + val.classes());
            }
            return new FinetuneData("ImageFolder (train/ and " + valDir.getFileName() + "/)", train, val, train.classes());
        }
        ImageFolder train = new ImageFolder(dir, pre.transform(true, false));
        ImageFolder val = new ImageFolder(dir, pre.transform(false, false));
        int[][] parts = splitIndices(train.size(), valFraction, seed);
        return new FinetuneData("ImageFolder (" + parts[1].length + " of " + train.size() + " images held out for validation)",
                new Subset<>(train, parts[0]), new Subset<>(val, parts[1]), train.classes());
    }

    /** A seeded random split of 0..n-1 into training and validation indices (at least one of each). */
    private static int[][] splitIndices(int n, double valFraction, long seed) {
        if (n < 2) throw new IllegalArgumentException("cannot split " + n + " image(s) into training and validation parts");
        int val = Math.clamp(Math.round(n * valFraction), 1, n - 1);
        Dataset<Integer> ids = new Dataset<>() {
            public int size() { return n; }
            public Integer get(int i) { return i; }
        };
        List<Subset<Integer>> parts = Subset.randomSplit(ids, new int[]{n - val, val}, new Generator(seed));
        return new int[][]{parts.get(0).indices(), parts.get(1).indices()};
    }

    private static List<String> numbered(int n) {
        String[] names = new String[n];
        Arrays.setAll(names, Integer::toString);
        return List.of(names);
    }
}
