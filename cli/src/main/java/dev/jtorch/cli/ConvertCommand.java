package dev.jtorch.cli;

import dev.jtorch.Tensor;
import dev.jtorch.io.Checkpoints;
import dev.jtorch.io.PthWriter;
import dev.jtorch.io.SafeTensors;
import dev.jtorch.io.Unpickler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code jtorch convert IN OUT}: re-saves a checkpoint, the formats chosen by the extensions.
 * <ul>
 *   <li>.pth → .pth: the whole value (checkpoint dicts with epochs and optimizer states too).</li>
 *   <li>.pth → .safetensors: every tensor, named by its path ({@code model_state_dict.fc.weight});
 *       safetensors holds tensors only, so other values are dropped, with a warning naming them.</li>
 *   <li>.safetensors → .pth: an OrderedDict state dict, as {@code torch.load} expects;
 *       {@code __metadata__} has no place there and is dropped, with a warning.</li>
 *   <li>.safetensors → .safetensors: tensors and metadata.</li>
 * </ul>
 * The output is written atomically: an existing OUT is replaced only once the new file is whole.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Re-save a checkpoint; .pth/.pt <-> .safetensors by the file extensions.")
final class ConvertCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IN", description = "The checkpoint to read.")
    Path input;

    @Parameters(index = "1", paramLabel = "OUT", description = "The file to write (.pth, .pt or .safetensors).")
    Path output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        CheckpointFormat to = CheckpointFormat.forOutput(output);
        CliFiles.requireReadable(input);
        int count;
        if (CheckpointFormat.of(input) == CheckpointFormat.SAFETENSORS) {
            SafeTensors.Contents contents = SafeTensors.read(input);
            count = contents.tensors().size();
            if (to == CheckpointFormat.SAFETENSORS) {
                SafeTensors.save(contents.tensors(), contents.metadata(), output);
            } else {
                if (!contents.metadata().isEmpty()) {
                    err.println("warning: __metadata__ (" + String.join(", ", contents.metadata().keySet())
                            + ") has no place in a .pth state dict; dropped");
                }
                PthWriter.save(contents.tensors(), output);
            }
        } else {
            TrustNotes.print(input, err);
            Object value = Checkpoints.load(input, new Unpickler.Options().describeModules(true));
            TensorTree tree = TensorTree.of(value);
            count = tree.leaves().size();
            if (to == CheckpointFormat.PTH) {
                PthWriter.save(value, output);
            } else {
                Map<String, Tensor> tensors = new LinkedHashMap<>(tree.tensors());
                List<String> skipped = tree.skipped();
                if (!skipped.isEmpty()) {
                    err.println("warning: safetensors holds tensors only; dropped " + skipped.size()
                            + (skipped.size() == 1 ? " other value: " : " other values: ") + preview(skipped));
                }
                SafeTensors.save(tensors, output);
            }
        }
        out.println("wrote " + output + ": " + count + (count == 1 ? " tensor" : " tensors"));
        out.flush();
        err.flush();
        return 0;
    }

    private static String preview(List<String> names) {
        int shown = Math.min(names.size(), 8);
        String list = String.join(", ", names.subList(0, shown));
        return names.size() > shown ? list + ", ..." : list;
    }
}
