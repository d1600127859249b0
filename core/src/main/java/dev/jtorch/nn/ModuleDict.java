package dev.jtorch.nn;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** {@code nn.ModuleDict}: registered modules by name, in insertion order. */
public class ModuleDict extends Module implements Iterable<Map.Entry<String, Module>> {

    public ModuleDict() {}

    public ModuleDict(Map<String, ? extends Module> modules) { modules.forEach(this::put); }

    public <M extends Module> M put(String key, M module) {
        if (contains(key)) setSubmodule(key, module);
        else addModule(key, module);
        return module;
    }

    public Module get(String key) {
        if (!contains(key)) throw new IllegalArgumentException("KeyError: '" + key + "'");
        return child(key);
    }

    public boolean contains(String key) { return registeredChildren().containsKey(key); }

    public Module remove(String key) {
        if (!contains(key)) throw new IllegalArgumentException("KeyError: '" + key + "'");
        return deleteSubmodule(key);
    }

    /** Every key in insertion order (a module stored under two keys is under both, as in PyTorch). */
    public List<String> keys() { return new ArrayList<>(registeredChildren().keySet()); }

    public List<Module> values() { return new ArrayList<>(registeredChildren().values()); }

    public int size() { return registeredChildren().size(); }

    @Override
    public Iterator<Map.Entry<String, Module>> iterator() {
        return new ArrayList<>(registeredChildren().entrySet()).iterator();
    }
}
