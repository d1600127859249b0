package dev.jtorch.nn;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code torch.nn.Module}: a tree of named children, parameters and buffers. Registration order is
 * the order of {@link #stateDict()}, {@link #namedParameters()} and of the printed tree.
 *
 * <p>Layers look their children up through the tree (see {@link #child(String)}), so replacing a
 * child by name ({@code model.setSubmodule("fc", new Linear(2048, 10))}) changes forward, printing,
 * parameters and state-dict keys at once.
 *
 * <p>Thread safety: a module in eval mode may run {@code forward} from several threads at once
 * (forward reads parameters and buffers without writing them). Training mode writes BatchNorm's
 * running statistics and draws dropout masks: use one thread, or one module copy per thread.
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Set<String> nonPersistentBuffers = new LinkedHashSet<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** The module applied to one input; modules with other signatures declare their own methods. */
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("Module [" + typeName() + "] is missing the required \"forward\" function");
    }

    // ---- registration ----------------------------------------------------------------------

    private static void checkName(String name, String what) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException(what + " name can't be empty string \"\"");
        if (name.contains(".")) throw new IllegalArgumentException(what + " name can't contain \".\", got: " + name);
    }

    private void checkFree(String name, Map<String, ?> own) {
        if (own != parameters && parameters.containsKey(name)
                || own != buffers && buffers.containsKey(name)
                || own != children && children.containsKey(name)) {
            throw new IllegalArgumentException("attribute '" + name + "' already exists");
        }
    }

    /** Registers a parameter (null for an absent one, like {@code bias=None}); it is made to require grad. */
    protected Tensor registerParameter(String name, Tensor value) {
        checkName(name, "parameter");
        checkFree(name, parameters);
        if (value != null && value.isLeaf() && !value.requiresGrad()) value.requiresGrad_(true);
        parameters.put(name, value);
        return value;
    }

    /** Registers a buffer: state that is not trained; persistent ones are in the state dict. */
    protected Tensor registerBuffer(String name, Tensor value, boolean persistent) {
        checkName(name, "buffer");
        checkFree(name, buffers);
        buffers.put(name, value);
        if (persistent) nonPersistentBuffers.remove(name);
        else nonPersistentBuffers.add(name);
        return value;
    }

    protected Tensor registerBuffer(String name, Tensor value) { return registerBuffer(name, value, true); }

    /** {@code add_module}: adds (or replaces) a child, keeping its place if the name exists. */
    public <M extends Module> M addModule(String name, M module) {
        checkName(name, "module");
        checkFree(name, children);
        children.put(name, module);
        return module;
    }

    /** {@code register_module}, PyTorch's alias of {@link #addModule}. */
    public <M extends Module> M registerModule(String name, M module) { return addModule(name, module); }

    /** The parameter registered under a direct name (e.g. "weight"), or null. */
    public Tensor parameter(String name) { return parameters.get(name); }

    /** Replaces the value of a registered parameter (for example with a new shape). */
    public void setParameter(String name, Tensor value) {
        if (!parameters.containsKey(name)) throw new IllegalArgumentException(typeName() + " has no parameter '" + name + "'");
        if (value != null && value.isLeaf() && !value.requiresGrad() && value.isFloatingPoint()) value.requiresGrad_(true);
        parameters.put(name, value);
    }

    public Tensor buffer(String name) { return buffers.get(name); }

    public void setBuffer(String name, Tensor value) {
        if (!buffers.containsKey(name)) throw new IllegalArgumentException(typeName() + " has no buffer '" + name + "'");
        buffers.put(name, value);
    }

    /** The direct child called {@code name}; fails clearly when there is none. */
    public Module child(String name) {
        Module m = children.get(name);
        if (m == null && !children.containsKey(name)) {
            throw new IllegalArgumentException("'" + typeName() + "' object has no attribute '" + name + "'");
        }
        return m;
    }

    /**
     * The direct children by name exactly as registered (a read-only view): unlike
     * {@link #namedChildren()}, a module registered under two names is here under both, which is
     * what containers count, index and iterate, as PyTorch's {@code _modules} does.
     */
    protected final Map<String, Module> registeredChildren() { return Collections.unmodifiableMap(children); }

    /** Runs the child called {@code name} on {@code x}: how layers call their children. */
    protected Tensor call(String name, Tensor x) { return child(name).forward(x); }

    // ---- paths -------------------------------------------------------------------------------

    /** {@code get_submodule("layer4.1.conv2")}; the empty path is this module. */
    public Module getSubmodule(String path) {
        if (path.isEmpty()) return this;
        Module m = this;
        StringBuilder walked = new StringBuilder();
        for (String part : path.split("\\.", -1)) {
            if (!m.children.containsKey(part)) {
                if (m.parameters.containsKey(part) || m.buffers.containsKey(part)) {
                    throw new IllegalArgumentException("`" + part + "` is not an nn.Module");
                }
                throw new IllegalArgumentException(m.typeName() + (walked.length() == 0 ? "" : " (" + walked + ")")
                        + " has no attribute `" + part + "`");
            }
            m = m.children.get(part);
            walked.append(walked.length() == 0 ? "" : ".").append(part);
        }
        return m;
    }

    /** Replaces the submodule at a dotted path (its parent must exist); like {@code model.fc = ...}. */
    public <M extends Module> M setSubmodule(String path, M module) {
        int dot = path.lastIndexOf('.');
        Module parent = dot < 0 ? this : getSubmodule(path.substring(0, dot));
        String name = path.substring(dot + 1);
        checkName(name, "module");
        parent.checkFree(name, parent.children);
        parent.children.put(name, module);
        return module;
    }

    /** Removes the submodule at a dotted path ({@code del model.fc}). */
    public Module deleteSubmodule(String path) {
        int dot = path.lastIndexOf('.');
        Module parent = dot < 0 ? this : getSubmodule(path.substring(0, dot));
        String name = path.substring(dot + 1);
        if (!parent.children.containsKey(name)) throw new IllegalArgumentException(parent.typeName() + " has no attribute `" + name + "`");
        return parent.children.remove(name);
    }

    // ---- traversal ---------------------------------------------------------------------------

    public Map<String, Module> namedChildren() {
        Map<String, Module> out = new LinkedHashMap<>();
        Set<Module> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        children.forEach((n, m) -> { if (m != null && seen.add(m)) out.put(n, m); });
        return out;
    }

    public List<Module> children() { return new ArrayList<>(namedChildren().values()); }

    /** Every module of the tree, this one first ("" is its name), each shared module once. */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", out, Collections.newSetFromMap(new IdentityHashMap<>()));
        return out;
    }

    private void collectModules(String prefix, Map<String, Module> out, Set<Module> seen) {
        if (!seen.add(this)) return;
        out.put(prefix, this);
        children.forEach((n, m) -> { if (m != null) m.collectModules(prefix.isEmpty() ? n : prefix + "." + n, out, seen); });
    }

    public List<Module> modules() { return new ArrayList<>(namedModules().values()); }

    /** Parameters with dotted names, each shared tensor once (first name wins), as PyTorch lists them. */
    public Map<String, Tensor> namedParameters() { return namedTensors(true, false); }

    public List<Tensor> parameters() { return new ArrayList<>(namedParameters().values()); }

    public Map<String, Tensor> namedBuffers() { return namedTensors(false, false); }

    public List<Tensor> buffers() { return new ArrayList<>(namedBuffers().values()); }

    private Map<String, Tensor> namedTensors(boolean params, boolean persistentOnly) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        namedModules().forEach((prefix, m) -> {
            Map<String, Tensor> own = params ? m.parameters : m.buffers;
            own.forEach((n, t) -> {
                if (t == null || (persistentOnly && m.nonPersistentBuffers.contains(n)) || !seen.add(t)) return;
                out.put(prefix.isEmpty() ? n : prefix + "." + n, t);
            });
        });
        return out;
    }

    /** Applies {@code fn} to every submodule (children first) and then to this one. */
    public Module apply(Consumer<Module> fn) {
        for (Module m : children()) m.apply(fn);
        fn.accept(this);
        return this;
    }

    // ---- modes -------------------------------------------------------------------------------

    public Module train(boolean mode) {
        training = mode;
        for (Module m : children()) m.train(mode);
        return this;
    }

    public Module train() { return train(true); }

    public Module eval() { return train(false); }

    public boolean isTraining() { return training; }

    /** Sets requires_grad on every parameter (freezing with false). */
    public Module requiresGrad_(boolean requires) {
        for (Tensor p : parameters()) p.requiresGrad_(requires);
        return this;
    }

    /** Clears every parameter's gradient (to null, PyTorch 2's default). */
    public void zeroGrad() {
        for (Tensor p : parameters()) p.setGrad(null);
    }

    // ---- state -------------------------------------------------------------------------------

    /**
     * Parameters and persistent buffers by dotted name, in registration order. The tensors are
     * detached views of the module's own (writing into them writes the module), as in PyTorch.
     * Unlike {@link #namedParameters()}, a tensor shared by two modules appears under both names.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectState("", out);
        return out;
    }

    private void collectState(String prefix, Map<String, Tensor> out) {
        parameters.forEach((n, t) -> { if (t != null) out.put(prefix + n, t.detach()); });
        buffers.forEach((n, t) -> { if (t != null && !nonPersistentBuffers.contains(n)) out.put(prefix + n, t.detach()); });
        children.forEach((n, m) -> { if (m != null) m.collectState(prefix + n + ".", out); });
    }

    /**
     * Copies matching entries into this module's parameters and buffers. Returns what did not
     * match; {@code strict} throws {@link StateDictException} carrying that report instead when
     * anything is missing, unexpected or of another shape. Non-strict loading skips (and reports)
     * shape mismatches where PyTorch would raise: nothing is ever dropped without a line in the report.
     */
    public LoadReport loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> own = new LinkedHashMap<>();
        collectLive("", own);
        Set<String> optional = new LinkedHashSet<>();
        namedModules().forEach((prefix, m) -> m.optionalStateKeys()
                .forEach(k -> optional.add(prefix.isEmpty() ? k : prefix + "." + k)));
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>();
        List<LoadReport.Mismatch> mismatched = new ArrayList<>();
        for (var e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src == null && !optional.contains(e.getKey())) missing.add(e.getKey());
            else if (src == null) continue; // an optional entry keeps its current value
            else if (!java.util.Arrays.equals(src.shape(), e.getValue().shape())) {
                mismatched.add(new LoadReport.Mismatch(e.getKey(), src.shape(), e.getValue().shape()));
            }
        }
        for (String k : state.keySet()) if (!own.containsKey(k)) unexpected.add(k);
        LoadReport report = new LoadReport(missing, unexpected, mismatched);
        if (strict && !report.isClean()) throw new StateDictException(typeName(), report);
        try (var g = Torch.noGrad()) {
            for (var e : own.entrySet()) {
                Tensor src = state.get(e.getKey());
                if (src != null && java.util.Arrays.equals(src.shape(), e.getValue().shape())) e.getValue().copy_(src);
            }
        }
        return report;
    }

    public LoadReport loadStateDict(Map<String, Tensor> state) { return loadStateDict(state, true); }

    /**
     * Names of this module's own state entries that a checkpoint may lack without being reported
     * missing. BatchNorm's {@code num_batches_tracked} is one: checkpoints saved before PyTorch 0.4.1
     * (torchvision's original pretrained weights among them) do not have it, and PyTorch fills it in.
     */
    protected Set<String> optionalStateKeys() { return Set.of(); }

    /** Like {@link #stateDict()} but the module's own tensors (not detached views), for loading into. */
    private void collectLive(String prefix, Map<String, Tensor> out) {
        parameters.forEach((n, t) -> { if (t != null) out.put(prefix + n, t); });
        buffers.forEach((n, t) -> { if (t != null && !nonPersistentBuffers.contains(n)) out.put(prefix + n, t); });
        children.forEach((n, m) -> { if (m != null) m.collectLive(prefix + n + ".", out); });
    }

    // ---- printing ----------------------------------------------------------------------------

    /** The class name PyTorch would print ({@code _get_name}). */
    public String typeName() {
        String simple = getClass().getSimpleName();
        return simple.isEmpty() ? getClass().getName().substring(getClass().getName().lastIndexOf('.') + 1) : simple;
    }

    /** The settings printed inside the parentheses, e.g. {@code in_features=2, out_features=3, bias=True}. */
    public String extraRepr() { return ""; }

    /** Exactly PyTorch's {@code repr(module)}. */
    @Override
    public String toString() {
        List<String> extra = extraRepr().isEmpty() ? List.of() : List.of(extraRepr().split("\n", -1));
        List<String> childLines = new ArrayList<>();
        children.forEach((n, m) -> childLines.add("(" + n + "): " + (m == null ? "None" : indentAfterFirstLine(m.toString()))));
        StringBuilder sb = new StringBuilder(typeName()).append('(');
        if (extra.size() == 1 && childLines.isEmpty()) {
            sb.append(extra.get(0));
        } else if (!extra.isEmpty() || !childLines.isEmpty()) {
            List<String> lines = new ArrayList<>(extra);
            lines.addAll(childLines);
            sb.append("\n  ").append(String.join("\n  ", lines)).append('\n');
        }
        return sb.append(')').toString();
    }

    private static String indentAfterFirstLine(String s) {
        return s.replace("\n", "\n  ");
    }

    /** Python's spelling of a boolean in extra_repr. */
    protected static String py(boolean b) { return b ? "True" : "False"; }
}
