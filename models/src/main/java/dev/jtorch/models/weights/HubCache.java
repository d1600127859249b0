package dev.jtorch.models.weights;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Where PyTorch keeps downloaded weights, and the download itself, as {@code torch.hub} does it:
 * {@code $TORCH_HOME/hub/checkpoints} (TORCH_HOME defaulting to {@code $XDG_CACHE_HOME/torch},
 * then {@code ~/.cache/torch}), so a machine that ever ran torchvision already has the files. A
 * missing file is fetched with Java's HttpClient into {@code <name>.partial} beside it (resumed
 * with a Range request when a partial file is there), its SHA-256 checked against the prefix in
 * its name (torchvision's {@code check_hash}), and only then renamed into place.
 */
public final class HubCache {
    private HubCache() {}

    /** Reports download progress: bytes so far, and the total (-1 when the server did not say). */
    @FunctionalInterface
    public interface Progress {
        void update(long done, long total);

        Progress NONE = (done, total) -> { };
    }

    /** {@code torch.hub.get_dir()/checkpoints}, from the environment as PyTorch reads it. */
    public static Path checkpointsDir() {
        String torchHome = System.getenv("TORCH_HOME");
        if (torchHome == null) {
            String xdg = System.getenv("XDG_CACHE_HOME");
            Path cache = xdg != null ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
            return cache.resolve("torch").resolve("hub").resolve("checkpoints");
        }
        return Path.of(torchHome).resolve("hub").resolve("checkpoints");
    }

    /** The file of {@code weights} in {@link #checkpointsDir()}, downloaded first if it is not there. */
    public static Path resolve(PretrainedWeights weights, Progress progress) throws IOException {
        return resolve(weights.url(), checkpointsDir(), progress);
    }

    /**
     * The file {@code url} names, in {@code dir}: there already (no network), or downloaded,
     * hash-checked and renamed into place. Offline, the error names the file, the folder and the URL.
     */
    public static Path resolve(String url, Path dir, Progress progress) throws IOException {
        String name = url.substring(url.lastIndexOf('/') + 1);
        Path file = dir.resolve(name);
        if (Files.isRegularFile(file)) return file;
        Files.createDirectories(dir);
        Path partial = dir.resolve(name + ".partial");
        try {
            download(url, partial, progress);
        } catch (IOException e) {
            throw new IOException(name + " is not in " + dir + " and could not be downloaded from " + url + " (" + e
                    + "); download it there by hand, or set TORCH_HOME to a folder whose hub/checkpoints has it", e);
        }
        String expected = PretrainedWeights.hashPrefix(name);
        String actual = sha256(partial);
        if (!actual.startsWith(expected)) {
            Files.delete(partial);
            throw new IOException("invalid hash value for " + url + " (expected " + expected + ", got " + actual
                    + "): the download was corrupt or the file changed; it was deleted");
        }
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    /** Appends the rest of {@code url} to {@code partial}: from where it stops, when the server honours Range. */
    private static void download(String url, Path partial, Progress progress) throws IOException {
        HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build();
        long have = Files.exists(partial) ? Files.size(partial) : 0;
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(30)).GET();
        if (have > 0) request.header("Range", "bytes=" + have + "-");
        HttpResponse<InputStream> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        int status = response.statusCode();
        if (status == 416 && have > 0) { // the partial file already holds everything: the hash check decides
            response.body().close();
            return;
        }
        boolean resumed = status == 206;
        if (status != 200 && !resumed) {
            response.body().close();
            throw new IOException("HTTP " + status);
        }
        long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        long done = resumed ? have : 0;
        long total = length < 0 ? -1 : done + length;
        try (InputStream in = response.body();
             OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     resumed ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                done += n;
                progress.update(done, total);
            }
        }
        if (total >= 0 && done != total) throw new IOException("the connection ended after " + done + " of " + total + " bytes");
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) d.update(buf, 0, n);
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
