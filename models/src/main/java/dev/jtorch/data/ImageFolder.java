package dev.jtorch.data;

import dev.jtorch.Tensor;
import dev.jtorch.data.transforms.ToTensor;
import dev.jtorch.data.transforms.Transform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code torchvision.datasets.ImageFolder}: a directory with one subdirectory per class,
 * {@code root/dog/xxx.png}, {@code root/cat/123.jpg}. Classes are the subdirectory names sorted by
 * code point (Python's {@code sorted}) and numbered from 0; samples are the image files under
 * each class directory, subdirectories included, in torchvision's order (directories, then file
 * names, sorted), class after class. So a folder gives the same class indices and sample order
 * in jtorch as in torchvision.
 *
 * <p>Images are decoded by {@code javax.imageio} (see {@link Image#read}) when a sample is asked
 * for, converted to RGB by default as torchvision's loader does (a grey image is repeated into
 * the three channels), then passed to the transform. Files with torchvision's image extensions
 * that {@code javax.imageio} cannot decode (WebP, PPM, PGM) are refused at construction with
 * their name, not skipped.
 *
 * {@snippet :
 * var train = new ImageFolder(Path.of("data/train"), Compose.of(new Resize(256))
 *         .then(new CenterCrop(224)).then(new ToTensor()).then(Normalize.imagenet()));
 * System.out.println(train.classes());   // [cat, dog]
 * }
 */
public final class ImageFolder implements Dataset<Sample> {
    /** torchvision's {@code IMG_EXTENSIONS}. */
    public static final Set<String> EXTENSIONS = Set.of(".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp");
    private static final Set<String> UNREADABLE = Set.of(".ppm", ".pgm", ".webp");

    /** One image file and its class index. */
    public record Entry(Path path, int target) {}

    private final Path root;
    private final List<String> classes;
    private final Map<String, Integer> classToIdx;
    private final List<Entry> samples;
    private final Transform<Image, Tensor> transform;
    private final Image.Mode mode;

    /** A folder whose images become RGB tensors in [0, 1] ({@link ToTensor}). */
    public ImageFolder(Path root) throws IOException { this(root, new ToTensor()); }

    /** A folder whose RGB images go through {@code transform}. */
    public ImageFolder(Path root, Transform<Image, Tensor> transform) throws IOException {
        this(root, transform, Image.Mode.RGB);
    }

    /**
     * A folder whose images are converted to {@code mode} (null: kept as decoded, grey as
     * {@code L}, colour as {@code RGB}) before {@code transform}.
     */
    public ImageFolder(Path root, Transform<Image, Tensor> transform, Image.Mode mode) throws IOException {
        if (!Files.isDirectory(root)) {
            if (!Files.exists(root)) throw new NoSuchFileException(root.toString(), null, "no such directory");
            throw new IOException(root + ": not a directory");
        }
        this.root = root;
        this.transform = transform;
        this.mode = mode;
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            s.filter(Files::isDirectory).forEach(p -> names.add(p.getFileName().toString()));
        }
        names.sort(ImageFolder::compareCodePoints);
        if (names.isEmpty()) throw new IOException("Couldn't find any class folder in " + root + ".");
        this.classes = List.copyOf(names);
        Map<String, Integer> idx = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) idx.put(names.get(i), i);
        this.classToIdx = Collections.unmodifiableMap(idx);
        List<Entry> found = new ArrayList<>();
        List<String> empty = new ArrayList<>();
        for (int c = 0; c < names.size(); c++) {
            int before = found.size();
            for (Path file : imageFiles(root.resolve(names.get(c)))) found.add(new Entry(file, c));
            if (found.size() == before) empty.add(names.get(c));
        }
        if (!empty.isEmpty()) {
            throw new IOException("Found no valid file for the classes " + String.join(", ", empty) + " in " + root
                    + ". Supported extensions are: " + String.join(", ", sortedExtensions()));
        }
        this.samples = List.copyOf(found);
    }

    /** The image files under a class directory, in torchvision's order: sorted directories, then sorted names. */
    private static List<Path> imageFiles(Path classDir) throws IOException {
        List<Path> dirs;
        try (Stream<Path> s = Files.walk(classDir, FileVisitOption.FOLLOW_LINKS)) {
            dirs = new ArrayList<>(s.filter(Files::isDirectory).toList());
        }
        dirs.sort(Comparator.comparing(Path::toString, ImageFolder::compareCodePoints));
        List<Path> out = new ArrayList<>();
        for (Path dir : dirs) {
            List<Path> files;
            try (Stream<Path> s = Files.list(dir)) {
                files = new ArrayList<>(s.filter(p -> !Files.isDirectory(p)).toList());
            }
            files.sort(Comparator.comparing(p -> p.getFileName().toString(), ImageFolder::compareCodePoints));
            for (Path f : files) {
                String ext = extension(f);
                if (!EXTENSIONS.contains(ext)) continue;
                if (UNREADABLE.contains(ext)) {
                    throw new IOException(f + ": " + ext + " images cannot be decoded by javax.imageio; convert them to PNG");
                }
                out.add(f);
            }
        }
        return out;
    }

    private static String extension(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot);
    }

    private static List<String> sortedExtensions() {
        return EXTENSIONS.stream().sorted().toList();
    }

    /** Python's string order: by code point (Java's compareTo orders by UTF-16 unit). */
    static int compareCodePoints(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i), cb = b.codePointAt(j);
            if (ca != cb) return Integer.compare(ca, cb);
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    public Path root() { return root; }

    /** The class names, index order. */
    public List<String> classes() { return classes; }

    /** {@code class_to_idx}. */
    public Map<String, Integer> classToIdx() { return classToIdx; }

    /** {@code samples}: every image file with its class index, in dataset order. */
    public List<Entry> samples() { return samples; }

    /** {@code targets}: the class index of every sample. */
    public int[] targets() { return samples.stream().mapToInt(Entry::target).toArray(); }

    @Override
    public int size() { return samples.size(); }

    /** Sample {@code index}'s image, decoded and converted to the folder's mode, before the transform. */
    public Image image(int index) throws IOException {
        if (index < 0 || index >= samples.size()) throw Dataset.indexError(index, samples.size());
        Image img = Image.read(samples.get(index).path());
        return mode == null ? img : img.convert(mode);
    }

    @Override
    public Sample get(int index) {
        try {
            return new Sample(transform.apply(image(index)), samples.get(index).target());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "Dataset ImageFolder\n    Number of datapoints: " + size() + "\n    Root location: " + root
                + "\n    StandardTransform\nTransform: " + String.valueOf(transform).replace("\n", "\n           ");
    }
}
