package dev.jtorch.models;

import java.util.Map;

/**
 * The settings a zoo model is built with by {@link Models#create(String, ModelOptions)}: torchvision's
 * {@code num_classes}, U-Net's input channels and upsampling mode, and {@code extras} for the keyword
 * arguments only some models take (e.g. {@code "aux_logits" -> false}, {@code "zero_init_residual" -> true}).
 *
 * {@snippet :
 * Module net = Models.create("resnet18", ModelOptions.defaults().withNumClasses(10));
 * }
 */
public record ModelOptions(int numClasses, int inChannels, boolean bilinear, Map<String, Object> extras) {
    public ModelOptions {
        if (numClasses <= 0) throw new IllegalArgumentException("num_classes must be positive, got " + numClasses);
        if (inChannels <= 0) throw new IllegalArgumentException("in_channels must be positive, got " + inChannels);
        extras = Map.copyOf(extras);
    }

    /**
     * torchvision's defaults: 1000 classes, 3 input channels, no extras; U-Net upsamples bilinearly,
     * the default of the tutorials' {@code UNet(n_channels, n_classes, bilinear=True)}.
     */
    public static ModelOptions defaults() { return new ModelOptions(1000, 3, true, Map.of()); }

    public static ModelOptions numClasses(int numClasses) { return defaults().withNumClasses(numClasses); }

    public ModelOptions withNumClasses(int n) { return new ModelOptions(n, inChannels, bilinear, extras); }

    public ModelOptions withInChannels(int c) { return new ModelOptions(numClasses, c, bilinear, extras); }

    public ModelOptions withBilinear(boolean b) { return new ModelOptions(numClasses, inChannels, b, extras); }

    /** A copy with one more extra keyword argument. */
    public ModelOptions with(String key, Object value) {
        var m = new java.util.LinkedHashMap<>(extras);
        m.put(key, value);
        return new ModelOptions(numClasses, inChannels, bilinear, m);
    }

    /** The extra called {@code key} as a boolean, or {@code fallback} when absent. */
    public boolean flag(String key, boolean fallback) {
        Object v = extras.get(key);
        if (v == null) return fallback;
        if (v instanceof Boolean b) return b;
        return Boolean.parseBoolean(v.toString());
    }
}
