package dev.jtorch.models.weights;

/**
 * What torchvision's weights enums have in common ({@code ResNet50_Weights}, {@code VGG16_Weights},
 * ...): each constant stands for one catalog entry.
 */
public interface TorchvisionWeights {
    /** The entry's file, URL and metadata. */
    PretrainedWeights weights();
}
