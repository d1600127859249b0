package dev.jtorch.nn;

import dev.jtorch.Tensor;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code nn.Sequential}: runs its children in order. Built from modules (named "0", "1", ...) or
 * from an ordered map of names to modules ({@code Sequential(OrderedDict(...))}).
 */
public class Sequential extends Module implements Iterable<Module> {

    public Sequential(Module... modules) {
        for (int i = 0; i < modules.length; i++) addModule(Integer.toString(i), modules[i]);
    }

    public Sequential(List<? extends Module> modules) {
        for (int i = 0; i < modules.size(); i++) addModule(Integer.toString(i), modules.get(i));
    }

    /** Named layers, in the map's iteration order (use a LinkedHashMap). */
    public Sequential(Map<String, ? extends Module> named) {
        named.forEach(this::addModule);
    }

    /**
     * {@code nn.Sequential(OrderedDict([('fc1', ...), ('relu1', ...)]))}, the names given in order:
     * {@snippet :
     * var classifier = Sequential.of(
     *         entry("fc1", new Linear(2048, 128)),
     *         entry("relu1", new ReLU()),
     *         entry("output", new Softmax(1)));     // import static java.util.Map.entry
     * }
     */
    @SafeVarargs
    public static Sequential of(Map.Entry<String, ? extends Module>... named) {
        Sequential out = new Sequential();
        for (var e : named) out.addModule(e.getKey(), e.getValue());
        return out;
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        List<Module> layers = new ArrayList<>(registeredChildren().values());
        Tensor[] folded = new Tensor[1];
        for (int i = 0; i < layers.size(); ) {
            // Conv2d + BatchNorm2d (+ ReLU) in eval mode without gradients run as one convolution.
            int consumed = ConvBnFolding.runFolded(layers, i, x, folded);
            if (consumed > 0) {
                x = folded[0];
                i += consumed;
            } else {
                x = layers.get(i++).forward(x);
            }
        }
        return x;
    }

    /** {@code len(seq)}: every registered entry, a module registered twice counting twice. */
    public int size() { return registeredChildren().size(); }

    /** The child at {@code index} (negative counts from the end), whatever its name. */
    public Module get(int index) {
        List<Module> all = new ArrayList<>(registeredChildren().values());
        int i = index < 0 ? index + all.size() : index;
        if (i < 0 || i >= all.size()) throw new IndexOutOfBoundsException("index " + index + " is out of range");
        return all.get(i);
    }

    /** {@code seq[from:to]} as a new Sequential that shares the modules and keeps their names. */
    public Sequential slice(int from, int to) {
        List<Map.Entry<String, Module>> all = new ArrayList<>(registeredChildren().entrySet());
        int n = all.size();
        int s = Math.max(0, Math.min(from < 0 ? from + n : from, n));
        int e = Math.max(0, Math.min(to < 0 ? to + n : to, n));
        Sequential out = new Sequential();
        for (int i = s; i < e; i++) out.addModule(all.get(i).getKey(), all.get(i).getValue());
        return out;
    }

    /** Appends with the next positional name. */
    public Sequential append(Module module) {
        addModule(Integer.toString(size()), module);
        return this;
    }

    @Override
    public Iterator<Module> iterator() { return new ArrayList<>(registeredChildren().values()).iterator(); }
}
