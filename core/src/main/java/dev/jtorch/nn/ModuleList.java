package dev.jtorch.nn;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** {@code nn.ModuleList}: an indexable list of registered modules. It has no forward of its own. */
public class ModuleList extends Module implements Iterable<Module> {

    public ModuleList(Module... modules) { extend(List.of(modules)); }

    public ModuleList(List<? extends Module> modules) { extend(modules); }

    /** {@code len(list)}: every entry, a module appended twice counting twice. */
    public int size() { return registeredChildren().size(); }

    public Module get(int index) {
        List<Module> all = new ArrayList<>(registeredChildren().values());
        int i = index < 0 ? index + all.size() : index;
        if (i < 0 || i >= all.size()) throw new IndexOutOfBoundsException("index " + index + " is out of range");
        return all.get(i);
    }

    public ModuleList append(Module module) {
        addModule(Integer.toString(size()), module);
        return this;
    }

    public ModuleList extend(List<? extends Module> modules) {
        for (Module m : modules) append(m);
        return this;
    }

    /** Inserts before {@code index}; later modules are renumbered, as PyTorch does. */
    public void insert(int index, Module module) {
        List<Module> all = new ArrayList<>(registeredChildren().values());
        int i = index < 0 ? Math.max(index + all.size(), 0) : Math.min(index, all.size());
        all.add(i, module);
        for (String name : new ArrayList<>(registeredChildren().keySet())) deleteSubmodule(name);
        extend(all);
    }

    @Override
    public Iterator<Module> iterator() { return new ArrayList<>(registeredChildren().values()).iterator(); }
}
