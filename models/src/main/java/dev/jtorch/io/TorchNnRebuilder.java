package dev.jtorch.io;

import dev.jtorch.nn.AdaptiveAvgPool2d;
import dev.jtorch.nn.AdaptiveMaxPool2d;
import dev.jtorch.nn.AvgPool2d;
import dev.jtorch.nn.BatchNorm1d;
import dev.jtorch.nn.BatchNorm2d;
import dev.jtorch.nn.Conv2d;
import dev.jtorch.nn.ConvTranspose2d;
import dev.jtorch.nn.DataParallel;
import dev.jtorch.nn.Dropout;
import dev.jtorch.nn.Dropout2d;
import dev.jtorch.nn.Embedding;
import dev.jtorch.nn.Flatten;
import dev.jtorch.nn.GELU;
import dev.jtorch.nn.Identity;
import dev.jtorch.nn.IntOrTuple;
import dev.jtorch.nn.LeakyReLU;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.LogSoftmax;
import dev.jtorch.nn.MaxPool2d;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.ModuleDict;
import dev.jtorch.nn.ModuleList;
import dev.jtorch.nn.ReLU;
import dev.jtorch.nn.ReLU6;
import dev.jtorch.nn.Sequential;
import dev.jtorch.nn.Sigmoid;
import dev.jtorch.nn.Softmax;
import dev.jtorch.nn.Tanh;
import dev.jtorch.nn.Upsample;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.SequencedMap;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Rebuilds the torch.nn layers and containers jtorch has from their pickled settings, with the
 * constructor arguments PyTorch stored in {@code __dict__} ({@code in_channels},
 * {@code kernel_size}, {@code eps}, {@code inplace}, ...); bias presence comes from
 * {@code _parameters['bias']} being None or not. A setting jtorch does not support (a
 * {@code padding_mode} other than 'zeros', an Embedding {@code max_norm}) is refused with its name
 * rather than silently ignored. {@code nn.DataParallel} (its device settings mean nothing here)
 * becomes jtorch's {@link DataParallel} around its {@code module}.
 */
public final class TorchNnRebuilder implements ModuleRebuilder {
    private static final Map<String, BiFunction<PickledModule, ModuleSettings, Module>> LAYERS = new HashMap<>();
    private static final Set<String> CONTAINERS = Set.of("Sequential", "ModuleList", "ModuleDict");

    static {
        LAYERS.put("Conv2d", TorchNnRebuilder::conv2d);
        LAYERS.put("ConvTranspose2d", TorchNnRebuilder::convTranspose2d);
        LAYERS.put("BatchNorm1d", (d, s) -> new BatchNorm1d(s.integer("num_features"), s.number("eps", 1e-5),
                s.optNumber("momentum"), s.bool("affine", true), s.bool("track_running_stats", true)));
        LAYERS.put("BatchNorm2d", (d, s) -> new BatchNorm2d(s.integer("num_features"), s.number("eps", 1e-5),
                s.optNumber("momentum"), s.bool("affine", true), s.bool("track_running_stats", true)));
        LAYERS.put("Linear", (d, s) -> new Linear(s.integer("in_features"), s.integer("out_features"), hasBias(d)));
        LAYERS.put("ReLU", (d, s) -> new ReLU(s.bool("inplace", false)));
        LAYERS.put("ReLU6", (d, s) -> new ReLU6(s.bool("inplace", false)));
        LAYERS.put("LeakyReLU", (d, s) -> new LeakyReLU(s.number("negative_slope", 0.01), s.bool("inplace", false)));
        LAYERS.put("GELU", (d, s) -> new GELU(s.string("approximate", "none")));
        LAYERS.put("Sigmoid", (d, s) -> new Sigmoid());
        LAYERS.put("Tanh", (d, s) -> new Tanh());
        LAYERS.put("Softmax", (d, s) -> new Softmax(dim(s)));
        LAYERS.put("LogSoftmax", (d, s) -> new LogSoftmax(dim(s)));
        LAYERS.put("Dropout", (d, s) -> new Dropout(s.number("p", 0.5), s.bool("inplace", false)));
        LAYERS.put("Dropout2d", (d, s) -> new Dropout2d(s.number("p", 0.5), s.bool("inplace", false)));
        LAYERS.put("MaxPool2d", (d, s) -> new MaxPool2d(s.intOrTuple("kernel_size"), optIntOrTuple(s, "stride"),
                s.intOrTuple("padding"), s.intOrTuple("dilation"), s.bool("return_indices", false), s.bool("ceil_mode", false)));
        LAYERS.put("AvgPool2d", (d, s) -> new AvgPool2d(s.intOrTuple("kernel_size"), optIntOrTuple(s, "stride"),
                s.intOrTuple("padding"), s.bool("ceil_mode", false), s.bool("count_include_pad", true),
                s.optInteger("divisor_override")));
        LAYERS.put("AdaptiveAvgPool2d", (d, s) -> {
            Integer[] size = outputSize(s);
            return s.raw("output_size") instanceof PyTuple ? new AdaptiveAvgPool2d(size[0], size[1]) : new AdaptiveAvgPool2d(size[0]);
        });
        LAYERS.put("AdaptiveMaxPool2d", (d, s) -> {
            Integer[] size = outputSize(s);
            boolean indices = s.bool("return_indices", false);
            return s.raw("output_size") instanceof PyTuple ? new AdaptiveMaxPool2d(size[0], size[1], indices)
                    : new AdaptiveMaxPool2d(size[0], indices);
        });
        LAYERS.put("Upsample", (d, s) -> new Upsample(s.raw("size") == null ? null : s.intOrTuple("size"),
                s.optNumbers("scale_factor"), s.string("mode", "nearest"), s.optBool("align_corners")));
        LAYERS.put("Flatten", (d, s) -> new Flatten(s.integer("start_dim", 1), s.integer("end_dim", -1)));
        LAYERS.put("Identity", (d, s) -> new Identity());
        LAYERS.put("Embedding", TorchNnRebuilder::embedding);
    }

    /** Whether {@code g} names a torch.nn class this rebuilder makes. */
    public static boolean knows(PyGlobal g) {
        return g.module().startsWith("torch.nn.modules.") && (LAYERS.containsKey(g.name()) || CONTAINERS.contains(g.name()))
                || isDataParallel(g);
    }

    private static boolean isDataParallel(PyGlobal g) {
        return g.module().startsWith("torch.nn.parallel.") && g.name().equals("DataParallel");
    }

    @Override
    public Module rebuild(PickledModule description, SequencedMap<String, Module> children) {
        if (!knows(description.type())) return null;
        if (isDataParallel(description.type())) {
            Module inner = children.get("module");
            if (inner == null) throw new IllegalArgumentException("DataParallel without its 'module'");
            return new DataParallel(inner);
        }
        return switch (description.type().name()) {
            // containers come back empty: the caller registers the pickled children in their order
            case "Sequential" -> new Sequential();
            case "ModuleList" -> new ModuleList();
            case "ModuleDict" -> new ModuleDict();
            default -> LAYERS.get(description.type().name()).apply(description, new ModuleSettings(description));
        };
    }

    static boolean hasBias(PickledModule d) { return d.parameters().get("bias") != null; }

    private static Conv2d conv2d(PickledModule d, ModuleSettings s) {
        var b = Conv2d.builder(s.integer("in_channels"), s.integer("out_channels"), s.ints("kernel_size"))
                .stride(s.ints("stride")).dilation(s.ints("dilation")).groups(s.integer("groups", 1)).bias(hasBias(d))
                .paddingMode(s.string("padding_mode", "zeros"));
        if (s.raw("padding") instanceof String p) b.padding(p);
        else b.padding(s.ints("padding"));
        return b.build();
    }

    private static ConvTranspose2d convTranspose2d(PickledModule d, ModuleSettings s) {
        if (!s.string("padding_mode", "zeros").equals("zeros")) {
            throw new IllegalArgumentException("Only \"zeros\" padding mode is supported for ConvTranspose2d");
        }
        return ConvTranspose2d.builder(s.integer("in_channels"), s.integer("out_channels"), s.ints("kernel_size"))
                .stride(s.ints("stride")).padding(s.ints("padding")).outputPadding(s.ints("output_padding"))
                .dilation(s.ints("dilation")).groups(s.integer("groups", 1)).bias(hasBias(d)).build();
    }

    private static Embedding embedding(PickledModule d, ModuleSettings s) {
        if (s.raw("max_norm") != null) throw new IllegalArgumentException("Embedding max_norm is not supported");
        if (s.bool("scale_grad_by_freq", false)) throw new IllegalArgumentException("Embedding scale_grad_by_freq=True is not supported");
        if (s.bool("sparse", false)) throw new IllegalArgumentException("Embedding sparse=True is not supported");
        return new Embedding(s.integer("num_embeddings"), s.integer("embedding_dim"), s.optInteger("padding_idx"));
    }

    private static int dim(ModuleSettings s) {
        Integer dim = s.optInteger("dim");
        if (dim == null) throw new IllegalArgumentException("dim=None (the implicit dim of old PyTorch) is not supported; give dim");
        return dim;
    }

    private static IntOrTuple optIntOrTuple(ModuleSettings s, String key) {
        return s.raw(key) == null ? null : s.intOrTuple(key);
    }

    private static Integer[] outputSize(ModuleSettings s) {
        Integer[] size = s.sizeWithNones("output_size");
        if (size.length == 1 && !(s.raw("output_size") instanceof PyTuple)) return size;
        if (size.length != 2) throw new IllegalArgumentException("output_size should have 2 entries, got " + new ArrayList<>(java.util.Arrays.asList(size)));
        return size;
    }
}
