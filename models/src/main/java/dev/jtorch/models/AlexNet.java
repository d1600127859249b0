package dev.jtorch.models;

import dev.jtorch.Tensor;
import dev.jtorch.nn.AdaptiveAvgPool2d;
import dev.jtorch.nn.Conv2d;
import dev.jtorch.nn.Dropout;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.MaxPool2d;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.ReLU;
import dev.jtorch.nn.Sequential;

/**
 * torchvision's {@code AlexNet} ("One weird trick for parallelizing convolutional neural networks"):
 * {@code features}, {@code avgpool} to 6x6, {@code classifier}; PyTorch's default layer initialisation.
 */
public class AlexNet extends Module {
    /** {@code AlexNet(num_classes=1000, dropout=0.5)}. */
    public AlexNet(int numClasses, double dropout) {
        addModule("features", new Sequential(
                Conv2d.builder(3, 64, 11).stride(4).padding(2).build(),
                new ReLU(true),
                MaxPool2d.builder(3).stride(2).build(),
                Conv2d.builder(64, 192, 5).padding(2).build(),
                new ReLU(true),
                MaxPool2d.builder(3).stride(2).build(),
                Conv2d.builder(192, 384, 3).padding(1).build(),
                new ReLU(true),
                Conv2d.builder(384, 256, 3).padding(1).build(),
                new ReLU(true),
                Conv2d.builder(256, 256, 3).padding(1).build(),
                new ReLU(true),
                MaxPool2d.builder(3).stride(2).build()));
        addModule("avgpool", new AdaptiveAvgPool2d(6, 6));
        addModule("classifier", new Sequential(
                new Dropout(dropout),
                new Linear(256 * 6 * 6, 4096),
                new ReLU(true),
                new Dropout(dropout),
                new Linear(4096, 4096),
                new ReLU(true),
                new Linear(4096, numClasses)));
    }

    /** No layers: {@link TorchvisionRebuilder} registers the pickled children. */
    AlexNet(PickledShell shell) {}

    public AlexNet(int numClasses) { this(numClasses, 0.5); }

    public AlexNet() { this(1000); }

    @Override
    public Tensor forward(Tensor x) {
        x = call("features", x);
        x = call("avgpool", x);
        x = x.flatten(1);
        return call("classifier", x);
    }
}
