package dev.jtorch.cli;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.io.Checkpoints;
import dev.jtorch.io.PthWriter;
import dev.jtorch.models.KernelWarmup;
import dev.jtorch.nn.Module;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * {@code jtorch run MODEL --weights W.pth --input X.pth --output Y.pth}: one forward pass in eval
 * mode without autograd, the output written in {@code torch.save}'s format (PyTorch's
 * {@code torch.load(Y)} reads it). A pickled MODEL brings its weights; {@code --weights} then
 * replaces them.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a model on an input tensor saved by torch.save; write the output tensor the same way.")
final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "A zoo name or a whole pickled model file.")
    String model;

    @Option(names = "--weights", paramLabel = "W.pth|NAME", description = {"State dict (or checkpoint dict holding one); required for a zoo name.",
            "Or torchvision's weights by name (IMAGENET1K_V1, DEFAULT, ...): taken from PyTorch's hub cache, downloaded there if missing."})
    Path weights;

    @Option(names = "--input", paramLabel = "X.pth", required = true, description = "The input tensor (torch.save(x, 'X.pth')).")
    Path input;

    @Option(names = "--output", paramLabel = "Y.pth", required = true, description = "Where to write the output tensor.")
    Path output;

    @Mixin
    ModelSource source;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (weights == null && !ModelSource.isFile(model)) {
            throw new IllegalArgumentException("--weights is required for zoo model '" + model
                    + "' (a zoo model alone has random weights)");
        }
        CliFiles.requireReadable(input);
        if (weights != null) weights = PretrainedOption.resolve(model, weights, err);
        if (weights != null) CliFiles.requireReadable(weights);
        // With --weights the strict load below overwrites everything, so the zoo model skips its random init.
        var loaded = source.load(model, weights != null);
        Module net = loaded.pickled() == null ? loaded.module() : loaded.pickled().runnableModule();
        if (weights != null) ModelSource.loadWeights(net, weights, err);
        Object x = Checkpoints.load(input);
        if (!(x instanceof Tensor t)) {
            throw new IllegalArgumentException(input + ": expected one tensor (torch.save(x, path)), got "
                    + (x == null ? "None" : x instanceof java.util.Map<?, ?> ? "a dict" : x.getClass().getSimpleName()));
        }
        net.eval();
        KernelWarmup.stop(); // started by Main.main; the forward pass gets both cores
        Tensor y;
        try (var g = Torch.noGrad()) {
            y = net.forward(t);
        }
        PthWriter.save(y, output);
        out.println("wrote " + output + ": " + y.dtype().pyName() + " " + Arrays.toString(y.shape()));
        out.flush();
        err.flush();
        return 0;
    }
}
