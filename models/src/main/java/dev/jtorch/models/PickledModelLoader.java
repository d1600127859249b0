package dev.jtorch.models;

import dev.jtorch.Tensor;
import dev.jtorch.io.CheckpointException;
import dev.jtorch.io.Checkpoints;
import dev.jtorch.io.ModuleRebuilder;
import dev.jtorch.io.PickledModule;
import dev.jtorch.io.TorchNnRebuilder;
import dev.jtorch.io.UnknownModule;
import dev.jtorch.io.Unpickler;
import dev.jtorch.nn.LoadReport;
import dev.jtorch.nn.Module;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.Set;

/**
 * Rebuilds a live module tree from a whole pickled model ({@code torch.save(model)}), without
 * running anything from the file: each pickled module becomes the jtorch class of the same name
 * (torch.nn layers and containers through {@link TorchNnRebuilder}, torchvision models and blocks
 * through {@link TorchvisionRebuilder}), with the pickled children registered in their order and
 * the pickled tensors as its parameters and buffers. A class jtorch does not have becomes an
 * {@link UnknownModule}: it prints like PyTorch, keeps its state dict and its rebuilt children,
 * and refuses forward; {@link Rebuilt#unknownClasses()} names every such class.
 *
 * {@snippet :
 * var rebuilt = PickledModelLoader.load(Path.of("resnet18_finetuned.pt"));  // torch.save(model, ...)
 * System.out.println(rebuilt.module());                                    // print(model)
 * Tensor y = rebuilt.runnableModule().forward(x);                          // fails if a class is unknown
 * }
 *
 * <p>Differences from {@code torch.load}: the model's Python code is never imported, so a
 * user's own class has no forward here; parameters keep their dtype, {@code requires_grad} and
 * storage sharing (tied weights stay tied); each module's {@code training} flag is kept.
 */
public final class PickledModelLoader {
    private PickledModelLoader() {}

    private static final List<ModuleRebuilder> REBUILDERS = List.of(new TorchNnRebuilder(), new TorchvisionRebuilder());
    /** Deeper than any real model; bounds recursion on a hostile file. */
    private static final int MAX_DEPTH = 200;

    /**
     * A rebuilt model.
     *
     * @param module         the tree, ready to run when {@code unknownClasses} is empty
     * @param unknownClasses the Python classes that became {@link UnknownModule}s, e.g. {@code __main__.Net}
     */
    public record Rebuilt(Module module, Set<String> unknownClasses) {
        public Rebuilt {
            unknownClasses = Collections.unmodifiableSet(new LinkedHashSet<>(unknownClasses));
        }

        /** The module, or an exception naming the classes jtorch cannot run. */
        public Module runnableModule() {
            if (!unknownClasses.isEmpty()) {
                throw new UnsupportedOperationException("the model uses " + (unknownClasses.size() == 1 ? "a class" : "classes")
                        + " jtorch does not know: " + String.join(", ", unknownClasses) + " (their Python forward is not in"
                        + " the file); the tree and the state dict are loaded, the forward is not");
            }
            return module;
        }
    }

    /** Reads a {@code torch.save(model)} file (zip or legacy) and rebuilds the model. */
    public static Rebuilt load(Path path) throws IOException {
        // Classes are only described (never instantiated), so user classes need no allow-listing.
        Object root = Checkpoints.load(path, new Unpickler.Options().describeModules(true));
        if (!(root instanceof PickledModule m)) {
            throw new CheckpointException(path, "not a whole pickled model (torch.save(model)): the file holds a "
                    + describe(root) + "; load it as a state dict into a model instead");
        }
        return rebuild(m, path);
    }

    /** Rebuilds an already-read description (its tensors read, as {@link Checkpoints#load} returns them). */
    public static Rebuilt rebuild(PickledModule root) throws CheckpointException {
        return rebuild(root, null);
    }

    private static Rebuilt rebuild(PickledModule root, Path path) throws CheckpointException {
        var walk = new Walk(path);
        Module module = walk.build(root, "", 0, new LinkedHashSet<>());
        LoadReport report = new LoadReport(walk.missing, walk.unexpected, walk.mismatched);
        if (!report.isClean()) {
            throw new CheckpointException(path, "the pickled tensors do not fit the rebuilt " + module.typeName() + ":"
                    + report.describe());
        }
        walk.applyTrainingFlags(module, root);
        return new Rebuilt(module, walk.unknown);
    }

    private static String describe(Object root) {
        if (root instanceof Map<?, ?> m) return "dict with keys " + new ArrayList<>(m.keySet()).subList(0, Math.min(8, m.size()));
        return root == null ? "None" : root.getClass().getSimpleName();
    }

    /** One rebuild: memo of shared modules, the unknown classes, and what did not fit. */
    private static final class Walk {
        final Path path;
        final Map<PickledModule, Module> built = new IdentityHashMap<>();
        final Set<String> unknown = new LinkedHashSet<>();
        final List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>();
        final List<LoadReport.Mismatch> mismatched = new ArrayList<>();

        Walk(Path path) { this.path = path; }

        Module build(PickledModule d, String where, int depth, Set<PickledModule> ancestors) throws CheckpointException {
            Module done = built.get(d);
            if (done != null) return done; // a module registered under two names stays one module
            if (depth > MAX_DEPTH) throw new CheckpointException(path, "module tree deeper than " + MAX_DEPTH + " at " + where);
            if (!ancestors.add(d)) throw new CheckpointException(path, (where.isEmpty() ? "the model" : where) + " contains itself");
            SequencedMap<String, Module> children = new LinkedHashMap<>();
            for (var e : d.children().entrySet()) {
                PickledModule c = e.getValue();
                children.put(e.getKey(), c == null ? null : build(c, join(where, e.getKey()), depth + 1, ancestors));
            }
            ancestors.remove(d);

            Module m = null;
            try {
                for (ModuleRebuilder r : REBUILDERS) {
                    m = r.rebuild(d, Collections.unmodifiableSequencedMap(children));
                    if (m != null) break;
                }
                if (m == null) {
                    unknown.add(d.type().fullName());
                    m = new UnknownModule(d);
                } else {
                    for (String name : new ArrayList<>(m.namedChildren().keySet())) m.deleteSubmodule(name);
                    takeTensors(m, d, where);
                }
                for (var e : children.entrySet()) m.addModule(e.getKey(), e.getValue());
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                throw new CheckpointException(path, "cannot rebuild " + (where.isEmpty() ? "the model" : where) + " ("
                        + d.type().fullName() + "): " + e.getMessage(), e);
            }
            built.put(d, m);
            return m;
        }

        /** Puts the pickled tensors in place of {@code m}'s own (it has no children yet); records what does not fit. */
        void takeTensors(Module m, PickledModule d, String where) {
            Map<String, Object> params = d.parameters(), buffers = d.buffers();
            Set<String> ownParams = m.namedParameters().keySet(), ownBuffers = m.namedBuffers().keySet();
            for (String name : ownParams) take(m, name, params.get(name), true, join(where, name));
            for (String name : ownBuffers) take(m, name, buffers.get(name), false, join(where, name));
            params.forEach((name, t) -> { if (t != null && !ownParams.contains(name)) unexpected.add(join(where, name)); });
            buffers.forEach((name, t) -> { if (t != null && !ownBuffers.contains(name)) unexpected.add(join(where, name)); });
        }

        private void take(Module m, String name, Object pickled, boolean parameter, String key) {
            Tensor own = parameter ? m.parameter(name) : m.buffer(name);
            if (!(pickled instanceof Tensor t)) {
                missing.add(key);
                return;
            }
            if (!Arrays.equals(t.shape(), own.shape())) {
                mismatched.add(new LoadReport.Mismatch(key, t.shape(), own.shape()));
                return;
            }
            if (parameter) {
                boolean requiresGrad = t.requiresGrad();
                m.setParameter(name, t);
                if (!requiresGrad) t.requiresGrad_(false);
            } else {
                m.setBuffer(name, t);
            }
        }

        /** Each module's own {@code training} flag, as pickled (train() is recursive, so parents first). */
        void applyTrainingFlags(Module m, PickledModule d) {
            m.train(d.training());
            for (var e : d.children().entrySet()) {
                if (e.getValue() != null) applyTrainingFlags(m.child(e.getKey()), e.getValue());
            }
        }

        private static String join(String where, String name) { return where.isEmpty() ? name : where + "." + name; }
    }
}
