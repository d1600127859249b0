/**
 * The torchvision model zoo with its pretrained-weights catalog, PyTorch checkpoint and
 * safetensors reading and writing, and datasets with torchvision's transforms.
 */
module dev.jtorch.models {
    requires transitive dev.jtorch.core;
    requires java.desktop;   // javax.imageio: decoding images for datasets and predict
    requires java.net.http;  // downloading pretrained weights into the torch hub cache

    exports dev.jtorch.models;
    exports dev.jtorch.models.weights;
    exports dev.jtorch.io;
    exports dev.jtorch.data;
    exports dev.jtorch.data.transforms;
}
