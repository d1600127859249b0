package dev.jtorch.models;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.nn.AdaptiveAvgPool2d;
import dev.jtorch.nn.BatchNorm2d;
import dev.jtorch.nn.Conv2d;
import dev.jtorch.nn.Dropout;
import dev.jtorch.nn.Init;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.MaxPool2d;
import dev.jtorch.nn.Module;
import dev.jtorch.models.InceptionBlocks.BasicConv2d;
import dev.jtorch.models.InceptionBlocks.InceptionA;
import dev.jtorch.models.InceptionBlocks.InceptionAux;
import dev.jtorch.models.InceptionBlocks.InceptionB;
import dev.jtorch.models.InceptionBlocks.InceptionC;
import dev.jtorch.models.InceptionBlocks.InceptionD;
import dev.jtorch.models.InceptionBlocks.InceptionE;

import java.util.List;

/**
 * torchvision's {@code Inception3} (Rethinking the Inception Architecture, Szegedy et al.), with
 * its attribute names ({@code Conv2d_1a_3x3} ... {@code Mixed_7c}, {@code AuxLogits}, {@code fc}).
 * Inputs must be at least 75x75 (299x299 for the published weights).
 *
 * <p>{@link #forward} returns the logits, in training mode too; {@link #forwardWithAux} returns
 * what PyTorch's forward returns in training mode with {@code aux_logits=True}: both heads.
 *
 * {@snippet :
 * var net = new Inception3(1000, true, false, true, 0.5);
 * net.train();
 * Inception3.InceptionOutputs out = net.forwardWithAux(images);   // out.logits(), out.auxLogits()
 * }
 */
public class Inception3 extends Module {
    public final boolean auxLogits, transformInput;

    /** {@code (logits, aux_logits)}; auxLogits is null when the head is absent or in eval mode. */
    public record InceptionOutputs(Tensor logits, Tensor auxLogits) {}

    /**
     * @param initWeights torchvision's truncated-normal init (std 0.1, 0.001 for {@code AuxLogits.fc});
     *                    false keeps the layers' default initialisation
     */
    public Inception3(int numClasses, boolean auxLogits, boolean transformInput, boolean initWeights, double dropout) {
        this.auxLogits = auxLogits;
        this.transformInput = transformInput;
        addModule("Conv2d_1a_3x3", new BasicConv2d(Conv2d.builder(3, 32, 3).stride(2)));
        addModule("Conv2d_2a_3x3", new BasicConv2d(Conv2d.builder(32, 32, 3)));
        addModule("Conv2d_2b_3x3", new BasicConv2d(Conv2d.builder(32, 64, 3).padding(1)));
        addModule("maxpool1", new MaxPool2d(3, 2));
        addModule("Conv2d_3b_1x1", new BasicConv2d(Conv2d.builder(64, 80, 1)));
        addModule("Conv2d_4a_3x3", new BasicConv2d(Conv2d.builder(80, 192, 3)));
        addModule("maxpool2", new MaxPool2d(3, 2));
        addModule("Mixed_5b", new InceptionA(192, 32));
        addModule("Mixed_5c", new InceptionA(256, 64));
        addModule("Mixed_5d", new InceptionA(288, 64));
        addModule("Mixed_6a", new InceptionB(288));
        addModule("Mixed_6b", new InceptionC(768, 128));
        addModule("Mixed_6c", new InceptionC(768, 160));
        addModule("Mixed_6d", new InceptionC(768, 160));
        addModule("Mixed_6e", new InceptionC(768, 192));
        if (auxLogits) addModule("AuxLogits", new InceptionAux(768, numClasses));
        addModule("Mixed_7a", new InceptionD(768));
        addModule("Mixed_7b", new InceptionE(1280));
        addModule("Mixed_7c", new InceptionE(2048));
        addModule("avgpool", new AdaptiveAvgPool2d(1, 1));
        addModule("dropout", new Dropout(dropout));
        addModule("fc", new Linear(2048, numClasses));

        if (initWeights) {
            for (var e : namedModules().entrySet()) {
                Module m = e.getValue();
                if (m instanceof Conv2d || m instanceof Linear) {
                    // torchvision reads a `stddev` attribute set only on AuxLogits.fc (and on
                    // AuxLogits.conv1, a BasicConv2d, so its inner conv keeps 0.1)
                    double std = e.getKey().equals("AuxLogits.fc") ? 0.001 : 0.1;
                    truncNormal_(m.parameter("weight"), 0, std, -2, 2);
                } else if (m instanceof BatchNorm2d) {
                    Init.constant_(m.parameter("weight"), 1);
                    Init.constant_(m.parameter("bias"), 0);
                }
            }
        }
    }

    /** No layers: {@link TorchvisionRebuilder} registers the pickled children. */
    Inception3(PickledShell shell, boolean auxLogits, boolean transformInput) {
        this.auxLogits = auxLogits;
        this.transformInput = transformInput;
    }

    /** torchvision's {@code inception_v3()} without weights: aux head, no input transform, truncated-normal init. */
    public Inception3(int numClasses) { this(numClasses, true, false, true, 0.5); }

    public Inception3() { this(1000); }

    @Override
    public Tensor forward(Tensor x) { return run(x, false).logits(); }

    /**
     * PyTorch's training-mode forward: the logits and, when the model has {@code AuxLogits} and is
     * training, the auxiliary head's logits (null otherwise).
     */
    public InceptionOutputs forwardWithAux(Tensor x) { return run(x, true); }

    private InceptionOutputs run(Tensor input, boolean withAux) {
        Tensor x = transformInput ? transformInput(input) : input;
        for (String name : List.of("Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "maxpool1", "Conv2d_3b_1x1",
                "Conv2d_4a_3x3", "maxpool2", "Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c",
                "Mixed_6d", "Mixed_6e")) {
            x = call(name, x);
        }
        Tensor aux = withAux && auxLogits && isTraining() ? call("AuxLogits", x) : null;
        for (String name : List.of("Mixed_7a", "Mixed_7b", "Mixed_7c", "avgpool", "dropout")) x = call(name, x);
        x = call("fc", x.flatten(1));
        return new InceptionOutputs(x, aux);
    }

    /** Re-normalises ImageNet-normalised input to the [-1, 1] scaling the Google weights expect. */
    private static Tensor transformInput(Tensor x) {
        Tensor c0 = x.select(1, 0).unsqueeze(1).mul(0.229 / 0.5).add((0.485 - 0.5) / 0.5);
        Tensor c1 = x.select(1, 1).unsqueeze(1).mul(0.224 / 0.5).add((0.456 - 0.5) / 0.5);
        Tensor c2 = x.select(1, 2).unsqueeze(1).mul(0.225 / 0.5).add((0.406 - 0.5) / 0.5);
        return Torch.cat(List.of(c0, c1, c2), 1);
    }

    /**
     * {@code trunc_normal_(t, mean, std, a, b)}: normal values redrawn until they fall in [a, b]
     * (the same distribution as PyTorch's inverse-CDF method; not the same numbers).
     */
    static Tensor truncNormal_(Tensor t, double mean, double std, double a, double b) {
        int n = t.numel();
        float[] out = new float[n];
        int filled = 0;
        for (int round = 0; filled < n; round++) {
            if (round > 1000) throw new IllegalArgumentException("trunc_normal_: [" + a + ", " + b + "] holds almost none of N(" + mean + ", " + std + "^2)");
            for (float v : Torch.randn(n).mul(std).add(mean).toFloatArray()) {
                if (v >= a && v <= b && filled < n) out[filled++] = v;
            }
        }
        try (var g = Torch.noGrad()) {
            return t.copy_(Torch.tensor(out, t.shape()));
        }
    }
}
