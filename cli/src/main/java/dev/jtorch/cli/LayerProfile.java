package dev.jtorch.cli;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.nn.Module;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where an inference forward spends its time, per layer type: every leaf module is swapped for a
 * timing stand-in (parents look children up by name, so forward runs through it), a few forwards
 * run, the originals go back. Time outside leaf modules (residual adds, concatenations, flatten)
 * is reported as "other".
 */
final class LayerProfile {
    private LayerProfile() {}

    /** A leaf module with a stopwatch; prints and counts as the module it wraps. */
    private static final class Timed extends Module {
        final Module inner;
        final long[] total;

        Timed(Module inner, long[] total) {
            this.inner = inner;
            this.total = total;
        }

        @Override
        public Tensor forward(Tensor x) {
            long t0 = System.nanoTime();
            Tensor y = inner.forward(x);
            total[0] += System.nanoTime() - t0;
            total[1]++;
            return y;
        }

        @Override
        public String typeName() { return inner.typeName(); }
    }

    static void print(Module net, Tensor x, PrintWriter out) {
        Map<String, long[]> byType = new LinkedHashMap<>();
        Map<String, Module> originals = new LinkedHashMap<>();
        net.namedModules().forEach((path, m) -> {
            if (!path.isEmpty() && m.namedChildren().isEmpty()) originals.put(path, m);
        });
        originals.forEach((path, m) -> net.setSubmodule(path, new Timed(m, byType.computeIfAbsent(m.typeName(), k -> new long[2]))));
        int runs = 5;
        long wall = 0;
        try (var g = Torch.noGrad()) {
            net.forward(x);
            byType.values().forEach(v -> { v[0] = 0; v[1] = 0; });
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                net.forward(x);
                wall += System.nanoTime() - t0;
            }
        } finally {
            originals.forEach(net::setSubmodule);
        }
        List<Map.Entry<String, long[]>> rows = new ArrayList<>(byType.entrySet());
        rows.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
        long inLeaves = 0;
        out.printf(Locale.ROOT, "profile: %.2f ms per forward (mean of %d, timers on)%n", wall / 1e6 / runs, runs);
        for (var e : rows) {
            long ns = e.getValue()[0];
            inLeaves += ns;
            out.printf(Locale.ROOT, "  %-20s %9.2f ms %5.1f%%  %d calls%n", e.getKey(), ns / 1e6 / runs, 100.0 * ns / wall,
                    e.getValue()[1] / runs);
        }
        out.printf(Locale.ROOT, "  %-20s %9.2f ms %5.1f%%%n", "other", (wall - inLeaves) / 1e6 / runs, 100.0 * (wall - inLeaves) / wall);
    }
}
