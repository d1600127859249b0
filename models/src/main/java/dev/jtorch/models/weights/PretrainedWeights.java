package dev.jtorch.models.weights;

import dev.jtorch.Tensor;
import dev.jtorch.data.Image;
import dev.jtorch.data.transforms.CenterCrop;
import dev.jtorch.data.transforms.Compose;
import dev.jtorch.data.transforms.Normalize;
import dev.jtorch.data.transforms.Resize;
import dev.jtorch.data.transforms.ToTensor;
import dev.jtorch.data.transforms.Transform;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One of torchvision's pretrained weights ({@code ResNet50_Weights.IMAGENET1K_V2}), with the
 * metadata torchvision keeps: where the file is, its parameter count, the evaluation transform
 * (resize, center crop, interpolation, mean and std) and the category names. Read from the
 * catalog generated from torchvision 0.14 ({@code tools/make_weights_catalog.py}).
 *
 * @param model         jtorch's (and torchvision's) model name, e.g. {@code resnet50}
 * @param enumName      torchvision's enum, e.g. {@code ResNet50_Weights}
 * @param name          the entry, e.g. {@code IMAGENET1K_V2}
 * @param categories    the class names, in index order; empty for weights that have none
 * @param acc1          torchvision's ImageNet-1K top-1 accuracy in percent (NaN where it gives none)
 * @param isDefault     whether torchvision's {@code DEFAULT} names this entry
 */
public record PretrainedWeights(String model, String enumName, String name, String url, long numParams, int cropSize,
                                int resizeSize, String interpolation, double[] mean, double[] std, List<String> categories,
                                double acc1, double acc5, boolean isDefault) {

    /** torch.hub's HASH_REGEX: the hex digits between the last '-' and the extension of the file name. */
    private static final Pattern HASH = Pattern.compile("-([a-f0-9]*)\\.");

    /** The file name torch.hub stores it under: the URL's last segment, e.g. {@code resnet50-11ad3fa6.pth}. */
    public String fileName() {
        return url.substring(url.lastIndexOf('/') + 1);
    }

    /** The start of the file's SHA-256 that its name carries (torchvision's check_hash), or "" when none. */
    public String hashPrefix() {
        return hashPrefix(fileName());
    }

    /** The hash prefix in a torch.hub file name ({@code resnet50-11ad3fa6.pth} → {@code 11ad3fa6}), or "". */
    public static String hashPrefix(String fileName) {
        Matcher m = HASH.matcher(fileName);
        String prefix = "";
        while (m.find()) prefix = m.group(1);
        return prefix;
    }

    /**
     * torchvision's evaluation transform for these weights ({@code weights.transforms()}, the
     * ImageClassification preset): resize the shorter side to {@link #resizeSize} (bilinear, as
     * Pillow does it), center-crop {@link #cropSize}, scale to [0, 1], normalize by mean and std.
     */
    public Transform<Image, Tensor> transforms() {
        if (!interpolation.equals("bilinear")) {
            throw new UnsupportedOperationException(this + ": " + interpolation + " interpolation is not implemented (only bilinear)");
        }
        return Compose.of(new Resize(resizeSize)).then(new CenterCrop(cropSize)).then(new ToTensor()).then(new Normalize(mean, std));
    }

    @Override
    public String toString() {
        return enumName + "." + name;
    }
}
