package dev.jtorch.models;

import dev.jtorch.io.Checkpoints;
import dev.jtorch.io.StateDict;
import dev.jtorch.models.weights.*; // the catalog, the hub cache and torchvision's 23 weights enums
import dev.jtorch.nn.Init;
import dev.jtorch.nn.Module;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The model zoo by torchvision's names: {@code Models.resnet50()}, {@code Models.resnet50(10)} (ten
 * classes), {@code Models.resnet50(weights)} (loads a PyTorch state dict strictly), and
 * {@link #create(String, ModelOptions)} for a name known only at run time.
 *
 * {@snippet :
 * Module net = Models.resnet18(Path.of("resnet18.pth"));     // torch.save(model.state_dict(), ...)
 * Module head = Models.create("vgg16_bn", ModelOptions.numClasses(10));
 * }
 */
public final class Models {
    private Models() {}

    /**
     * Every zoo name, in the order {@link #names()} lists them; {@link #build} has a case for each.
     * A switch rather than a map of lambdas: the JVM spins a class for each lambda when the map
     * is built, 25 of them, ~30 ms of every CLI start (the AOT cache cannot hold them while
     * --add-modules turns its module graph off).
     */
    private static final Set<String> NAMES = Collections.unmodifiableSet(new LinkedHashSet<>(List.of(
            "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d", "wide_resnet50_2",
            "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
            "alexnet", "squeezenet1_0", "squeezenet1_1",
            "densenet121", "densenet161", "densenet169", "densenet201",
            "inception_v3", "unet")));

    /** Every zoo name, in registration order. */
    public static Set<String> names() { return NAMES; }

    /** Builds the model called {@code name} (a torchvision name, or {@code unet}) with PyTorch's initialisation. */
    public static Module create(String name, ModelOptions options) {
        if (!NAMES.contains(name)) throw new IllegalArgumentException("Unknown model " + name + "; known models: " + String.join(", ", NAMES));
        return build(name, options);
    }

    private static Module build(String name, ModelOptions o) {
        return switch (name) {
            case "resnet18" -> ResNet.resnet18(o);
            case "resnet34" -> ResNet.resnet34(o);
            case "resnet50" -> ResNet.resnet50(o);
            case "resnet101" -> ResNet.resnet101(o);
            case "resnet152" -> ResNet.resnet152(o);
            case "resnext50_32x4d" -> ResNet.resnext50_32x4d(o);
            case "wide_resnet50_2" -> ResNet.wide_resnet50_2(o);
            case "vgg11" -> VGG.vgg("A", false, o);
            case "vgg11_bn" -> VGG.vgg("A", true, o);
            case "vgg13" -> VGG.vgg("B", false, o);
            case "vgg13_bn" -> VGG.vgg("B", true, o);
            case "vgg16" -> VGG.vgg("D", false, o);
            case "vgg16_bn" -> VGG.vgg("D", true, o);
            case "vgg19" -> VGG.vgg("E", false, o);
            case "vgg19_bn" -> VGG.vgg("E", true, o);
            case "alexnet" -> new AlexNet(o.numClasses());
            case "squeezenet1_0" -> new SqueezeNet("1_0", o.numClasses());
            case "squeezenet1_1" -> new SqueezeNet("1_1", o.numClasses());
            case "densenet121" -> DenseNet.densenet121(o.numClasses());
            case "densenet161" -> DenseNet.densenet161(o.numClasses());
            case "densenet169" -> DenseNet.densenet169(o.numClasses());
            case "densenet201" -> DenseNet.densenet201(o.numClasses());
            case "inception_v3" -> new Inception3(o.numClasses(), o.flag("aux_logits", true),
                    o.flag("transform_input", false), o.flag("init_weights", true),
                    o.extras().get("dropout") == null ? 0.5 : Double.parseDouble(o.extras().get("dropout").toString()));
            case "unet" -> new UNet(o.inChannels(), o.numClasses(), o.bilinear());
            default -> throw new IllegalStateException("Models.NAMES lists " + name + " but build has no case for it");
        };
    }

    public static Module create(String name) { return create(name, ModelOptions.defaults()); }

    /**
     * Builds {@code name} and loads {@code weights} (a PyTorch state dict) into it strictly. The
     * random initialisation is skipped ({@link Init#forOverwrite}): the strict load overwrites every
     * value it would have written, and a failed load throws before the model is returned. While
     * the checkpoint is read, {@link KernelWarmup} gets the kernels compiled on another core (once
     * per JVM; it ends when this returns), so that a first forward pass right after is not slow.
     */
    public static Module create(String name, ModelOptions options, Path weights) {
        KernelWarmup.start();
        try {
            return loadWeights(createForOverwrite(name, options), weights);
        } finally {
            KernelWarmup.stop();
        }
    }

    /**
     * torchvision's pretrained model: {@code Models.pretrained("resnet50", "IMAGENET1K_V2")} (or
     * {@code "DEFAULT"}), its weights taken from PyTorch's hub cache ({@code ~/.cache/torch/hub/checkpoints},
     * see {@link HubCache}) or downloaded there first, hash-checked, then loaded strictly.
     */
    public static Module pretrained(String name, String weights) throws IOException {
        return create(name, WeightsCatalog.get(name, weights));
    }

    /** As {@link #pretrained(String, String)}, for a catalog entry already in hand. */
    public static Module create(String name, PretrainedWeights weights) throws IOException {
        if (!weights.model().equals(name)) {
            throw new IllegalArgumentException(weights + " are weights for " + weights.model() + ", not " + name);
        }
        // Weights without categories (VGG16's IMAGENET1K_FEATURES) still hold the 1000-class head.
        int classes = weights.categories().isEmpty() ? 1000 : weights.categories().size();
        return create(name, ModelOptions.numClasses(classes), HubCache.resolve(weights, HubCache.Progress.NONE));
    }

    /**
     * {@link #create(String, ModelOptions)} without the random initialisation, for a caller that
     * strictly loads a state dict into the model before anything else sees it.
     */
    public static Module createForOverwrite(String name, ModelOptions options) {
        return Init.forOverwrite(() -> create(name, options));
    }

    /**
     * Loads a PyTorch state dict (zip or legacy {@code .pth}, or a checkpoint dict holding one) into
     * {@code model} strictly. A {@code module.} prefix (DataParallel) is stripped with a note on stderr.
     */
    public static <M extends Module> M loadWeights(M model, Path weights) {
        StateDict state;
        try {
            state = Checkpoints.loadStateDict(weights);
        } catch (IOException e) {
            throw new UncheckedIOException(weights + ": " + e.getMessage(), e);
        }
        if (!state.isEmpty() && state.keySet().stream().allMatch(k -> k.startsWith("module."))) {
            System.err.println("note: " + weights + ": stripping the 'module.' prefix (DataParallel) from its keys");
            state = state.withoutPrefix("module.");
        }
        if (model instanceof DenseNet) state = DenseNet.upgradeLegacyStateDict(model, state);
        model.loadStateDict(state, true);
        return model;
    }

    private static Module make(String name) { return create(name, ModelOptions.defaults()); }

    private static Module make(String name, int numClasses) { return create(name, ModelOptions.numClasses(numClasses)); }

    private static Module make(String name, Path weights) { return create(name, ModelOptions.defaults(), weights); }

    /** torchvision's weights by enum ({@code resnet50(ResNet50_Weights.IMAGENET1K_V2)}); a failed download or read is unchecked, as for a Path. */
    private static Module make(String name, TorchvisionWeights weights) {
        try {
            return create(name, weights.weights());
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    // ---- builders by name: NAME(), NAME(numClasses), NAME(weights file), NAME(torchvision weights) ----

    public static ResNet resnet18() { return (ResNet) make("resnet18"); }
    public static ResNet resnet18(int numClasses) { return (ResNet) make("resnet18", numClasses); }
    public static ResNet resnet18(Path weights) { return (ResNet) make("resnet18", weights); }
    public static ResNet resnet18(ResNet18_Weights weights) { return (ResNet) make("resnet18", weights); }
    public static ResNet resnet34() { return (ResNet) make("resnet34"); }
    public static ResNet resnet34(int numClasses) { return (ResNet) make("resnet34", numClasses); }
    public static ResNet resnet34(Path weights) { return (ResNet) make("resnet34", weights); }
    public static ResNet resnet34(ResNet34_Weights weights) { return (ResNet) make("resnet34", weights); }
    public static ResNet resnet50() { return (ResNet) make("resnet50"); }
    public static ResNet resnet50(int numClasses) { return (ResNet) make("resnet50", numClasses); }
    public static ResNet resnet50(Path weights) { return (ResNet) make("resnet50", weights); }
    public static ResNet resnet50(ResNet50_Weights weights) { return (ResNet) make("resnet50", weights); }
    public static ResNet resnet101() { return (ResNet) make("resnet101"); }
    public static ResNet resnet101(int numClasses) { return (ResNet) make("resnet101", numClasses); }
    public static ResNet resnet101(Path weights) { return (ResNet) make("resnet101", weights); }
    public static ResNet resnet101(ResNet101_Weights weights) { return (ResNet) make("resnet101", weights); }
    public static ResNet resnet152() { return (ResNet) make("resnet152"); }
    public static ResNet resnet152(int numClasses) { return (ResNet) make("resnet152", numClasses); }
    public static ResNet resnet152(Path weights) { return (ResNet) make("resnet152", weights); }
    public static ResNet resnet152(ResNet152_Weights weights) { return (ResNet) make("resnet152", weights); }
    public static ResNet resnext50_32x4d() { return (ResNet) make("resnext50_32x4d"); }
    public static ResNet resnext50_32x4d(int numClasses) { return (ResNet) make("resnext50_32x4d", numClasses); }
    public static ResNet resnext50_32x4d(Path weights) { return (ResNet) make("resnext50_32x4d", weights); }
    public static ResNet resnext50_32x4d(ResNeXt50_32X4D_Weights weights) { return (ResNet) make("resnext50_32x4d", weights); }
    public static ResNet wide_resnet50_2() { return (ResNet) make("wide_resnet50_2"); }
    public static ResNet wide_resnet50_2(int numClasses) { return (ResNet) make("wide_resnet50_2", numClasses); }
    public static ResNet wide_resnet50_2(Path weights) { return (ResNet) make("wide_resnet50_2", weights); }
    public static ResNet wide_resnet50_2(Wide_ResNet50_2_Weights weights) { return (ResNet) make("wide_resnet50_2", weights); }

    public static VGG vgg11() { return (VGG) make("vgg11"); }
    public static VGG vgg11(int numClasses) { return (VGG) make("vgg11", numClasses); }
    public static VGG vgg11(Path weights) { return (VGG) make("vgg11", weights); }
    public static VGG vgg11(VGG11_Weights weights) { return (VGG) make("vgg11", weights); }
    public static VGG vgg11_bn() { return (VGG) make("vgg11_bn"); }
    public static VGG vgg11_bn(int numClasses) { return (VGG) make("vgg11_bn", numClasses); }
    public static VGG vgg11_bn(Path weights) { return (VGG) make("vgg11_bn", weights); }
    public static VGG vgg11_bn(VGG11_BN_Weights weights) { return (VGG) make("vgg11_bn", weights); }
    public static VGG vgg13() { return (VGG) make("vgg13"); }
    public static VGG vgg13(int numClasses) { return (VGG) make("vgg13", numClasses); }
    public static VGG vgg13(Path weights) { return (VGG) make("vgg13", weights); }
    public static VGG vgg13(VGG13_Weights weights) { return (VGG) make("vgg13", weights); }
    public static VGG vgg13_bn() { return (VGG) make("vgg13_bn"); }
    public static VGG vgg13_bn(int numClasses) { return (VGG) make("vgg13_bn", numClasses); }
    public static VGG vgg13_bn(Path weights) { return (VGG) make("vgg13_bn", weights); }
    public static VGG vgg13_bn(VGG13_BN_Weights weights) { return (VGG) make("vgg13_bn", weights); }
    public static VGG vgg16() { return (VGG) make("vgg16"); }
    public static VGG vgg16(int numClasses) { return (VGG) make("vgg16", numClasses); }
    public static VGG vgg16(Path weights) { return (VGG) make("vgg16", weights); }
    public static VGG vgg16(VGG16_Weights weights) { return (VGG) make("vgg16", weights); }
    public static VGG vgg16_bn() { return (VGG) make("vgg16_bn"); }
    public static VGG vgg16_bn(int numClasses) { return (VGG) make("vgg16_bn", numClasses); }
    public static VGG vgg16_bn(Path weights) { return (VGG) make("vgg16_bn", weights); }
    public static VGG vgg16_bn(VGG16_BN_Weights weights) { return (VGG) make("vgg16_bn", weights); }
    public static VGG vgg19() { return (VGG) make("vgg19"); }
    public static VGG vgg19(int numClasses) { return (VGG) make("vgg19", numClasses); }
    public static VGG vgg19(Path weights) { return (VGG) make("vgg19", weights); }
    public static VGG vgg19(VGG19_Weights weights) { return (VGG) make("vgg19", weights); }
    public static VGG vgg19_bn() { return (VGG) make("vgg19_bn"); }
    public static VGG vgg19_bn(int numClasses) { return (VGG) make("vgg19_bn", numClasses); }
    public static VGG vgg19_bn(Path weights) { return (VGG) make("vgg19_bn", weights); }
    public static VGG vgg19_bn(VGG19_BN_Weights weights) { return (VGG) make("vgg19_bn", weights); }

    public static AlexNet alexnet() { return (AlexNet) make("alexnet"); }
    public static AlexNet alexnet(int numClasses) { return (AlexNet) make("alexnet", numClasses); }
    public static AlexNet alexnet(Path weights) { return (AlexNet) make("alexnet", weights); }
    public static AlexNet alexnet(AlexNet_Weights weights) { return (AlexNet) make("alexnet", weights); }

    public static SqueezeNet squeezenet1_0() { return (SqueezeNet) make("squeezenet1_0"); }
    public static SqueezeNet squeezenet1_0(int numClasses) { return (SqueezeNet) make("squeezenet1_0", numClasses); }
    public static SqueezeNet squeezenet1_0(Path weights) { return (SqueezeNet) make("squeezenet1_0", weights); }
    public static SqueezeNet squeezenet1_0(SqueezeNet1_0_Weights weights) { return (SqueezeNet) make("squeezenet1_0", weights); }
    public static SqueezeNet squeezenet1_1() { return (SqueezeNet) make("squeezenet1_1"); }
    public static SqueezeNet squeezenet1_1(int numClasses) { return (SqueezeNet) make("squeezenet1_1", numClasses); }
    public static SqueezeNet squeezenet1_1(Path weights) { return (SqueezeNet) make("squeezenet1_1", weights); }
    public static SqueezeNet squeezenet1_1(SqueezeNet1_1_Weights weights) { return (SqueezeNet) make("squeezenet1_1", weights); }

    public static DenseNet densenet121() { return (DenseNet) make("densenet121"); }
    public static DenseNet densenet121(int numClasses) { return (DenseNet) make("densenet121", numClasses); }
    public static DenseNet densenet121(Path weights) { return (DenseNet) make("densenet121", weights); }
    public static DenseNet densenet121(DenseNet121_Weights weights) { return (DenseNet) make("densenet121", weights); }
    public static DenseNet densenet161() { return (DenseNet) make("densenet161"); }
    public static DenseNet densenet161(int numClasses) { return (DenseNet) make("densenet161", numClasses); }
    public static DenseNet densenet161(Path weights) { return (DenseNet) make("densenet161", weights); }
    public static DenseNet densenet161(DenseNet161_Weights weights) { return (DenseNet) make("densenet161", weights); }
    public static DenseNet densenet169() { return (DenseNet) make("densenet169"); }
    public static DenseNet densenet169(int numClasses) { return (DenseNet) make("densenet169", numClasses); }
    public static DenseNet densenet169(Path weights) { return (DenseNet) make("densenet169", weights); }
    public static DenseNet densenet169(DenseNet169_Weights weights) { return (DenseNet) make("densenet169", weights); }
    public static DenseNet densenet201() { return (DenseNet) make("densenet201"); }
    public static DenseNet densenet201(int numClasses) { return (DenseNet) make("densenet201", numClasses); }
    public static DenseNet densenet201(Path weights) { return (DenseNet) make("densenet201", weights); }
    public static DenseNet densenet201(DenseNet201_Weights weights) { return (DenseNet) make("densenet201", weights); }

    public static Inception3 inception_v3() { return (Inception3) make("inception_v3"); }
    public static Inception3 inception_v3(int numClasses) { return (Inception3) make("inception_v3", numClasses); }
    public static Inception3 inception_v3(Path weights) { return (Inception3) make("inception_v3", weights); }
    public static Inception3 inception_v3(Inception_V3_Weights weights) { return (Inception3) make("inception_v3", weights); }

    /** The tutorial's {@code UNet(n_channels, n_classes, bilinear)}. */
    public static UNet unet(int nChannels, int nClasses, boolean bilinear) {
        return (UNet) create("unet", ModelOptions.defaults().withInChannels(nChannels).withNumClasses(nClasses).withBilinear(bilinear));
    }
}
