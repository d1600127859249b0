package dev.jtorch.cli;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Locale;

/**
 * The built-in demo: a two-layer network, written with jtorch's tensors and autograd, learns to
 * tell three interleaved spirals apart. Nothing is downloaded. (Later it grows into the
 * transfer-learning walkthrough once the nn and models packages exist.)
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train a small network on a built-in synthetic task and print its loss falling.")
final class DemoCommand implements Runnable {

    @Option(names = "--epochs", defaultValue = "300", description = "Training steps (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--hidden", defaultValue = "64", description = "Hidden units (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public void run() {
        Torch.manualSeed(seed);
        int perClass = 200, classes = 3;
        Spirals data = Spirals.make(perClass, classes);
        System.out.printf(Locale.ROOT, "jtorch demo: %d points on %d interleaved spirals, a 2-%d-%d network, SGD with momentum%n",
                perClass * classes, classes, hidden, classes);

        // Parameters as leaves that require grad, initialised like nn.Linear (uniform in ±1/sqrt(fan_in)).
        Tensor w1 = Torch.rand(2, hidden).mul(2).sub(1).mul(1 / Math.sqrt(2)).requiresGrad_(true);
        Tensor b1 = Torch.zeros(hidden).requiresGrad_(true);
        Tensor w2 = Torch.rand(hidden, classes).mul(2).sub(1).mul(1 / Math.sqrt(hidden)).requiresGrad_(true);
        Tensor b2 = Torch.zeros(classes).requiresGrad_(true);
        Tensor[] params = {w1, b1, w2, b2};
        Tensor[] velocity = new Tensor[params.length];
        double lr = 0.5, momentum = 0.9;

        long start = System.nanoTime();
        for (int epoch = 1; epoch <= epochs; epoch++) {
            Tensor logits = Torch.addmm(b2, Torch.addmm(b1, data.x(), w1).relu(), w2);
            Tensor loss = crossEntropy(logits, data.y());
            for (Tensor p : params) p.setGrad(null);
            loss.backward();
            try (var g = Torch.noGrad()) {
                for (int i = 0; i < params.length; i++) {
                    velocity[i] = velocity[i] == null ? params[i].grad().clone() : velocity[i].mul_(momentum).add_(params[i].grad());
                    params[i].sub_(velocity[i].mul(lr));
                }
            }
            if (epoch == 1 || epoch % (epochs / 10) == 0) {
                System.out.printf(Locale.ROOT, "epoch %4d  loss %.4f  accuracy %5.1f%%%n", epoch, loss.item(),
                        100 * accuracy(logits, data.y()));
            }
        }
        System.out.printf(Locale.ROOT, "trained in %.1f s%n", (System.nanoTime() - start) / 1e9);
    }

    /** Mean negative log-likelihood of the true class under log_softmax, picked with gather. */
    static Tensor crossEntropy(Tensor logits, Tensor target) {
        return logits.logSoftmax(1).gather(1, target.unsqueeze(1)).mean().neg();
    }

    static double accuracy(Tensor logits, Tensor target) {
        return logits.argmax(1, false).eq(target).to(dev.jtorch.DType.FLOAT32).mean().item();
    }
}
