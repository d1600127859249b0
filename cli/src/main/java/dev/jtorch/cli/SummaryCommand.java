package dev.jtorch.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code jtorch summary MODEL}: the model's tree exactly as PyTorch's {@code print(model)} prints
 * it. MODEL is a zoo name or a whole pickled model; classes jtorch does not know print under
 * their Python name, with a note on stderr.
 */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Print a model as PyTorch's print(model) does (a zoo name, or a torch.save(model) file).")
final class SummaryCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "A zoo name (resnet50, vgg16_bn, unet, ...) or a whole pickled model file.")
    String model;

    @Mixin
    ModelSource source;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        var loaded = source.load(model, true); // the structure is printed, never the values: no random init
        if (loaded.pickled() != null && !loaded.pickled().unknownClasses().isEmpty()) {
            err.println("note: " + model + ": classes jtorch does not know (printed, not runnable): "
                    + String.join(", ", loaded.pickled().unknownClasses()));
        }
        out.println(loaded.module());
        out.flush();
        err.flush();
        return 0;
    }
}
