package dev.jtorch.models.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.jtorch.models.ModelOptions;
import dev.jtorch.models.Models;
import dev.jtorch.nn.Module;
import dev.jtorch.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * torch.hub's cache and download, against an HTTP server on the loopback address serving
 * generated files under torchvision-style names ({@code name-<sha256 prefix>.pth}).
 */
class HubCacheTest {
    @TempDir
    Path dir;

    private HttpServer server;
    private byte[] content;
    private String goodName;
    private final AtomicInteger requests = new AtomicInteger();
    /** When set, the next plain (non-Range) response stops after this many bytes. */
    private volatile int cutAfter = -1;

    @BeforeEach
    void start() throws Exception {
        content = new byte[300_000];
        new Random(7).nextBytes(content);
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        goodName = "tiny-" + hash.substring(0, 8) + ".pth";
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/models/", exchange -> {
            requests.incrementAndGet();
            String range = exchange.getRequestHeaders().getFirst("Range");
            try (OutputStream out = exchange.getResponseBody()) {
                if (range != null && Integer.parseInt(range.substring("bytes=".length(), range.length() - 1)) >= content.length) {
                    exchange.sendResponseHeaders(416, -1); // Range Not Satisfiable: nothing left to send
                } else if (range != null) {
                    int from = Integer.parseInt(range.substring("bytes=".length(), range.length() - 1));
                    exchange.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
                    exchange.sendResponseHeaders(206, content.length - from);
                    out.write(content, from, content.length - from);
                } else {
                    exchange.sendResponseHeaders(200, content.length);
                    int n = cutAfter >= 0 ? cutAfter : content.length;
                    cutAfter = -1;
                    out.write(content, 0, n);
                    out.flush();
                    // An exception out of the handler makes the server drop the connection: the client
                    // has fewer bytes than Content-Length said, as when a download is interrupted.
                    if (n < content.length) throw new IllegalStateException("connection cut after " + n + " bytes");
                }
            } catch (IOException e) {
                // the client went away
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        if (server != null) server.stop(0);
    }

    private String url(String name) {
        return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + "/models/" + name;
    }

    @Test
    void downloadsChecksTheHashAndThenServesFromTheCacheOffline() throws Exception {
        List<long[]> progress = new ArrayList<>();
        Path file = HubCache.resolve(url(goodName), dir, (done, total) -> progress.add(new long[]{done, total}));
        assertEquals(dir.resolve(goodName), file);
        assertArrayEquals(content, Files.readAllBytes(file));
        assertFalse(Files.exists(dir.resolve(goodName + ".partial")));
        assertFalse(progress.isEmpty());
        assertEquals(content.length, progress.getLast()[0]);
        assertEquals(content.length, progress.getLast()[1]);
        for (int i = 1; i < progress.size(); i++) assertTrue(progress.get(i)[0] > progress.get(i - 1)[0]);

        server.stop(0); // a cache hit needs no network
        server = null;
        assertEquals(file, HubCache.resolve("http://127.0.0.1:9/models/" + goodName, dir, HubCache.Progress.NONE));
    }

    @Test
    void aFileWhoseHashDoesNotMatchItsNameIsRefusedAndDeleted() {
        String badName = "tiny-deadbeef.pth";
        IOException e = assertThrows(IOException.class, () -> HubCache.resolve(url(badName), dir, HubCache.Progress.NONE));
        assertTrue(e.getMessage().contains("invalid hash value") && e.getMessage().contains("expected deadbeef"), e.getMessage());
        assertFalse(Files.exists(dir.resolve(badName)));
        assertFalse(Files.exists(dir.resolve(badName + ".partial")));
    }

    @Test
    void anInterruptedDownloadResumesWhereItStopped() throws Exception {
        cutAfter = 100_000;
        IOException e = assertThrows(IOException.class, () -> HubCache.resolve(url(goodName), dir, HubCache.Progress.NONE));
        assertTrue(e.getMessage().contains(url(goodName)), e.getMessage());
        long kept = Files.size(dir.resolve(goodName + ".partial"));
        assertTrue(kept > 0 && kept < content.length, "partial file of " + kept + " bytes");
        Path file = HubCache.resolve(url(goodName), dir, HubCache.Progress.NONE);
        assertArrayEquals(content, Files.readAllBytes(file));
        assertEquals(2, requests.get());
    }

    @Test
    void aCompletePartialFileLeftByACrashIsCheckedAndKept() throws Exception {
        // A crash between the last byte and the rename leaves the whole file as .partial.
        Files.write(dir.resolve(goodName + ".partial"), content);
        Path file = HubCache.resolve(url(goodName), dir, HubCache.Progress.NONE);
        assertArrayEquals(content, Files.readAllBytes(file));
        assertEquals(1, requests.get());
    }

    @Test
    void offlineTheErrorNamesTheFileTheFolderAndTheUrl() {
        String url = "http://127.0.0.1:9/models/" + goodName; // port 9 (discard): nothing listens
        IOException e = assertThrows(IOException.class, () -> HubCache.resolve(url, dir, HubCache.Progress.NONE));
        assertTrue(e.getMessage().startsWith(goodName + " is not in " + dir + " and could not be downloaded from " + url),
                e.getMessage());
    }

    @Test
    void theCatalogHasTorchvisionsEntriesWithTheirMetadata() {
        PretrainedWeights w = WeightsCatalog.get("resnet50", "IMAGENET1K_V2");
        assertEquals("resnet50-11ad3fa6.pth", w.fileName());
        assertEquals("11ad3fa6", w.hashPrefix());
        assertEquals("ResNet50_Weights.IMAGENET1K_V2", w.toString());
        assertEquals(232, w.resizeSize());
        assertEquals(224, w.cropSize());
        assertEquals(w, WeightsCatalog.get("resnet50", "DEFAULT"));
        assertEquals(1000, w.categories().size());
        assertEquals("tench", w.categories().get(0));
        assertEquals(342, WeightsCatalog.get("inception_v3", "DEFAULT").resizeSize());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WeightsCatalog.get("resnet50", "V3"));
        assertEquals("no weights 'V3' for resnet50; there are: DEFAULT, IMAGENET1K_V1, IMAGENET1K_V2", e.getMessage());
        // The enums name the same entries, DEFAULT included, as torchvision's do.
        assertEquals(w, ResNet50_Weights.IMAGENET1K_V2.weights());
        assertEquals(ResNet50_Weights.IMAGENET1K_V2, ResNet50_Weights.DEFAULT);
        assertEquals("Inception_V3_Weights.IMAGENET1K_V1", Inception_V3_Weights.DEFAULT.weights().toString());
        assertEquals(2, VGG16_Weights.values().length); // IMAGENET1K_V1 and IMAGENET1K_FEATURES
        assertTrue(VGG16_Weights.IMAGENET1K_FEATURES.weights().categories().isEmpty());
        // torchvision's parameter count is jtorch's model's, for every entry.
        for (PretrainedWeights p : WeightsCatalog.all()) {
            Module m = Models.createForOverwrite(p.model(), ModelOptions.defaults());
            long n = 0;
            for (Tensor t : m.parameters()) n += t.numel();
            assertEquals(p.numParams(), n, p.toString());
        }
    }
}
