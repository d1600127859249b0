package dev.jtorch.io;

/**
 * A Python global (class or function) named by a pickle's GLOBAL or STACK_GLOBAL opcode. It is
 * only a name: nothing is looked up or run. Writers emit it as {@code GLOBAL module\nname\n}.
 *
 * @param module e.g. {@code torch._utils}
 * @param name   e.g. {@code _rebuild_tensor_v2}
 */
public record PyGlobal(String module, String name) {

    public static final PyGlobal ORDERED_DICT = new PyGlobal("collections", "OrderedDict");
    public static final PyGlobal REBUILD_TENSOR_V2 = new PyGlobal("torch._utils", "_rebuild_tensor_v2");
    public static final PyGlobal REBUILD_PARAMETER = new PyGlobal("torch._utils", "_rebuild_parameter");

    /** {@code module.name}, as Python prints it. */
    public String fullName() { return module + "." + name; }

    @Override
    public String toString() { return fullName(); }
}
