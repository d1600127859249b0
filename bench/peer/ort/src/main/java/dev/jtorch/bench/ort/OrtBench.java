package dev.jtorch.bench.ort;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.TensorInfo;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * ONNX Runtime's figure for bench/peer_compare.sh: the same measurement {@code jtorch bench model}
 * makes, on an ONNX export of the same model (bench/peer/export_onnx.py).
 *
 * <pre>OrtBench MODEL.onnx --batch B --size H W --threads T [--name NAME] [--warmup N]
 *          [--warmup-seconds S] [--iters N] [--check INPUT OUTPUT]</pre>
 *
 * An iteration is one {@code session.run} (output allocation included, as jtorch's forward
 * includes it) on a fixed input. Warm-up: at least N (3) iterations and S (2) seconds; then the
 * median of --iters timed runs, by default enough for ~10 s (5 to 50) — jtorch's rule exactly.
 * With --check the input is read from INPUT and the first result must match OUTPUT (PyTorch's, raw
 * little-endian float32) within 1e-3 of the output's largest magnitude, else nothing is timed.
 */
public final class OrtBench {
    private OrtBench() {}

    public static void main(String[] argv) throws Exception {
        try {
            bench(Args.parse(argv));
        } catch (IllegalArgumentException e) { // a usage error (e.g. a shape the export did not fix): no stack trace
            System.err.println("error: " + e.getMessage());
            System.exit(64);
        }
    }

    private static void bench(Args a) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (SessionOptions opts = sessionOptions(a.threads);
             OrtSession session = env.createSession(a.model.toString(), opts)) {
            String inputName = session.getInputNames().iterator().next();
            long[] shape = inputShape(session.getInputInfo().get(inputName), a);
            FloatBuffer data = a.checkInput != null ? readFloats(a.checkInput, shape) : randn(shape);
            try (OnnxTensor x = OnnxTensor.createTensor(env, data, shape)) {
                Map<String, OnnxTensor> feed = Map.of(inputName, x);

                // The first inference, timed from the JVM's start: what a user waits for on a cold start.
                float[] first;
                try (OrtSession.Result r = session.run(feed)) {
                    first = toArray(((OnnxTensor) r.get(0)).getFloatBuffer());
                }
                long firstResultMs = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
                if (a.checkOutput != null && !check(first, readFloats(a.checkOutput))) System.exit(2);

                Runnable step = () -> {
                    try (OrtSession.Result r = session.run(feed)) {
                        r.get(0); // run() is synchronous; closing the result frees the output, as jtorch's GC frees its own
                    } catch (OrtException e) {
                        throw new IllegalStateException(e);
                    }
                };
                long warmStart = System.nanoTime();
                for (int i = 0; i < a.warmup || System.nanoTime() - warmStart < a.warmupSeconds * 1e9; i++) step.run();
                long once = time(step);
                int runs = a.iters > 0 ? a.iters : (int) Math.max(5, Math.min(50, 10e9 / Math.max(1, once)));
                double[] ms = new double[runs];
                for (int i = 0; i < runs; i++) ms[i] = time(step) / 1e6;
                Arrays.sort(ms);
                System.out.printf(Locale.ROOT, "ort_model model=%s batch=%d size=%dx%d threads=%d mode=eval ms=%.2f min_ms=%.2f"
                                + " iters=%d rss_peak_mb=%.1f first_result_ms=%d ort=%s%n",
                        a.name, shape[0], shape[2], shape[3], a.threads, ms[runs / 2], ms[0], runs,
                        rssPeakBytes() / 1048576.0, firstResultMs, env.getVersion());
            }
        }
    }

    /** Intra-op T threads (ORT counts the calling thread among them), no inter-op parallelism: jtorch's setting. */
    private static SessionOptions sessionOptions(int threads) throws OrtException {
        SessionOptions o = new SessionOptions();
        o.setIntraOpNumThreads(threads);
        o.setInterOpNumThreads(1);
        o.setExecutionMode(SessionOptions.ExecutionMode.SEQUENTIAL);
        o.setOptimizationLevel(SessionOptions.OptLevel.ALL_OPT);
        return o;
    }

    /** The model's input shape, which the export fixed; --batch and --size must agree with it. */
    private static long[] inputShape(NodeInfo info, Args a) {
        long[] shape = ((TensorInfo) info.getInfo()).getShape();
        if (shape.length != 4 || shape[0] != a.batch || shape[2] != a.height || shape[3] != a.width) {
            throw new IllegalArgumentException("the model's input is " + Arrays.toString(shape) + ", not [" + a.batch
                    + ", C, " + a.height + ", " + a.width + "]: export it for this batch and size");
        }
        return shape;
    }

    /** Reports the largest difference from PyTorch's output; true if it is within 1e-3 of the output's scale. */
    private static boolean check(float[] got, float[] want) {
        if (got.length != want.length) {
            System.err.printf("ort_check FAILED: %d outputs, PyTorch has %d%n", got.length, want.length);
            return false;
        }
        double maxDiff = 0, scale = 0;
        for (int i = 0; i < got.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs((double) got[i] - want[i]));
            scale = Math.max(scale, Math.abs(want[i]));
        }
        boolean ok = maxDiff <= 1e-3 * Math.max(scale, 1e-12);
        System.out.printf(Locale.ROOT, "ort_check max_abs_diff=%.3g output_scale=%.3g rel=%.3g %s%n",
                maxDiff, scale, maxDiff / Math.max(scale, 1e-12), ok ? "ok" : "FAILED (limit 1e-3)");
        return ok;
    }

    /** Raw little-endian float32 (export_onnx.py's files); with a shape, the count must match it. */
    private static FloatBuffer readFloats(Path file, long[] shape) throws IOException {
        FloatBuffer f = java.nio.ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        if (shape != null && f.remaining() != count(shape)) {
            throw new IllegalArgumentException(file + " holds " + f.remaining() + " floats, the input needs " + count(shape));
        }
        float[] copy = new float[f.remaining()]; // a heap buffer: OnnxTensor copies it into native memory once
        f.get(copy);
        return FloatBuffer.wrap(copy);
    }

    private static float[] readFloats(Path file) throws IOException { return toArray(readFloats(file, null)); }

    private static FloatBuffer randn(long[] shape) {
        Random rng = new Random(0);
        float[] v = new float[Math.toIntExact(count(shape))];
        for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextGaussian();
        return FloatBuffer.wrap(v);
    }

    private static float[] toArray(FloatBuffer b) {
        float[] v = new float[b.remaining()];
        b.get(v);
        return v;
    }

    private static long count(long[] shape) { return Arrays.stream(shape).reduce(1, Math::multiplyExact); }

    private static long time(Runnable step) {
        long t0 = System.nanoTime();
        step.run();
        return System.nanoTime() - t0;
    }

    /** VmHWM from /proc/self/status (peak resident set, native memory included), or 0 where there is none. */
    private static long rssPeakBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    /** The command line; small enough that a parser library would be more code than it saves. */
    private static final class Args {
        Path model;
        String name;
        int batch = 1, height = 224, width = 224, threads, warmup = 3, iters;
        double warmupSeconds = 2;
        Path checkInput, checkOutput;

        static Args parse(String[] argv) {
            Args a = new Args();
            try {
                for (int i = 0; i < argv.length; i++) {
                    switch (argv[i]) {
                        case "--batch" -> a.batch = Integer.parseInt(argv[++i]);
                        case "--size" -> { a.height = Integer.parseInt(argv[++i]); a.width = Integer.parseInt(argv[++i]); }
                        case "--threads" -> a.threads = Integer.parseInt(argv[++i]);
                        case "--name" -> a.name = argv[++i];
                        case "--warmup" -> a.warmup = Integer.parseInt(argv[++i]);
                        case "--warmup-seconds" -> a.warmupSeconds = Double.parseDouble(argv[++i]);
                        case "--iters" -> a.iters = Integer.parseInt(argv[++i]);
                        case "--check" -> { a.checkInput = Path.of(argv[++i]); a.checkOutput = Path.of(argv[++i]); }
                        default -> {
                            if (argv[i].startsWith("--") || a.model != null) throw new IllegalArgumentException("unexpected " + argv[i]);
                            a.model = Path.of(argv[i]);
                        }
                    }
                }
            } catch (ArrayIndexOutOfBoundsException e) {
                usage(argv[argv.length - 1] + " needs a value");
            } catch (NumberFormatException e) {
                usage("not a number: " + e.getMessage());
            } catch (IllegalArgumentException e) {
                usage(e.getMessage());
            }
            if (a.model == null || a.threads <= 0 || a.batch <= 0 || a.height <= 0 || a.width <= 0) {
                usage("MODEL.onnx and a positive --threads are required");
            }
            if (a.name == null) a.name = a.model.getFileName().toString().replaceFirst("\\.onnx$", "");
            return a;
        }

        private static void usage(String why) {
            System.err.println("error: " + why + "\nusage: OrtBench MODEL.onnx --batch B --size H W --threads T [--name NAME]"
                    + " [--warmup N] [--warmup-seconds S] [--iters N] [--check INPUT.f32 OUTPUT.f32]");
            System.exit(64);
        }
    }
}
