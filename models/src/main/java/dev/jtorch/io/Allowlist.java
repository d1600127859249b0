package dev.jtorch.io;

import dev.jtorch.DType;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The globals a checkpoint may name without any opt-in: PyTorch 2's {@code weights_only} list
 * (torch/_weights_only_unpickler.py: OrderedDict, the {@code _rebuild_*} functions, storage
 * classes, dtypes, torch.Size, torch.device, Parameter, _codecs.encode, set, frozenset,
 * bytearray), plus {@code torch.storage._load_from_bytes}, which plain {@code pickle.dump} of a
 * tensor writes (jtorch parses its bytes as a legacy file instead of calling torch.load), and the
 * module classes of torch.nn and torchvision, which are only ever described.
 */
final class Allowlist {
    private Allowlist() {}

    static final Set<String> FUNCTIONS = Set.of(
            "collections.OrderedDict", "collections.defaultdict",
            "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2",
            "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
            "torch._tensor._rebuild_from_type_v2", "torch._tensor._rebuild_from_type",
            "torch.nn.parameter.Parameter", "torch.Tensor", "torch._tensor.Tensor",
            "torch.Size", "torch.device", "torch.storage._load_from_bytes",
            "torch.serialization._get_layout",
            "_codecs.encode", "builtins.set", "builtins.frozenset", "builtins.bytearray",
            // referenced (e.g. as a defaultdict factory), never called by us
            "builtins.list", "builtins.dict", "builtins.int", "builtins.float", "builtins.str",
            "builtins.tuple", "builtins.bool");

    private static final Map<String, DType> STORAGE_TYPES = new HashMap<>();
    private static final Map<String, DType> DTYPES = new HashMap<>();

    static {
        for (DType d : DType.values()) {
            STORAGE_TYPES.put("torch." + d.legacyName() + "Storage", d);
            STORAGE_TYPES.put("torch.cuda." + d.legacyName() + "Storage", d);
            DTYPES.put("torch." + d.pyName(), d);
        }
        // PyTorch 2 spells the byte storage of an untyped save this way.
        STORAGE_TYPES.put("torch.UntypedStorage", DType.UINT8);
        STORAGE_TYPES.put("torch.storage.UntypedStorage", DType.UINT8);
        STORAGE_TYPES.put("torch.storage._UntypedStorage", DType.UINT8);
        STORAGE_TYPES.put("torch.ByteStorage", DType.UINT8);
        for (String alias : new String[] {"float", "double", "half", "long", "int", "short"}) {
            DTYPES.put("torch." + alias, DType.fromPyName(alias));
        }
    }

    /** Python 2 module names that protocol-2 pickles written by Python 3 use. */
    static String python3Module(String module) {
        return switch (module) {
            case "__builtin__" -> "builtins";
            case "copy_reg" -> "copyreg";
            default -> module;
        };
    }

    /** The dtype a storage class holds ({@code torch.FloatStorage} → float32), or null. */
    static DType storageDType(PyGlobal g) {
        return STORAGE_TYPES.get(g.fullName());
    }

    /** The dtype a global such as {@code torch.float32} names, or null. */
    static DType dtype(PyGlobal g) {
        return DTYPES.get(g.fullName());
    }

    /** torch.storage.TypedStorage: pickled by PyTorch 2 with its dtype in the persistent id. */
    static boolean isTypedStorage(PyGlobal g) {
        return g.fullName().equals("torch.storage.TypedStorage") || g.fullName().equals("torch.TypedStorage");
    }

    static boolean isKnown(PyGlobal g) {
        return isWeightsOnly(g) || isLibraryModuleClass(g);
    }

    /** What PyTorch's weights-only unpickler accepts too: no module classes, only data. */
    static boolean isWeightsOnly(PyGlobal g) {
        return FUNCTIONS.contains(g.fullName()) || storageDType(g) != null || dtype(g) != null || isTypedStorage(g);
    }

    /** A module class of torch.nn or torchvision: safe to describe (never instantiated). */
    static boolean isLibraryModuleClass(PyGlobal g) {
        String m = g.module();
        return (m.startsWith("torch.nn.modules.") || m.startsWith("torchvision.models.")
                || m.startsWith("torchvision.ops.")) && !g.name().startsWith("_") && isIdentifier(g.name());
    }

    private static boolean isIdentifier(String s) {
        if (s.isEmpty() || !Character.isJavaIdentifierStart(s.charAt(0))) return false;
        for (int i = 1; i < s.length(); i++) if (!Character.isJavaIdentifierPart(s.charAt(i))) return false;
        return true;
    }
}
