package dev.jtorch.cli;

import dev.jtorch.io.CheckpointFile;
import dev.jtorch.io.SafeTensors;
import dev.jtorch.io.SafeTensorsHeader;
import dev.jtorch.io.Unpickler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code jtorch inspect FILE}: one line per tensor, {@code name<TAB>dtype<TAB>shape}, in file
 * order, then a summary line. Only the file's header or pickle is read, never the tensor data, so
 * a multi-gigabyte checkpoint lists at once. A whole pickled model lists its state dict.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "List the tensors of a checkpoint (.pth/.pt/.pkl or .safetensors): name, dtype, shape.")
final class InspectCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "The checkpoint to list.")
    Path file;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<TensorTree.Leaf> leaves = list(file);
        if (CheckpointFormat.of(file) != CheckpointFormat.SAFETENSORS) TrustNotes.print(file, spec.commandLine().getErr());
        long elements = 0, bytes = 0;
        for (TensorTree.Leaf l : leaves) {
            out.println(l.name() + "\t" + l.dtype().pyName() + "\t" + TensorTree.shape(l.shape()));
            elements += l.numel();
            bytes += l.numel() * l.dtype().itemSize();
        }
        out.println(leaves.size() + (leaves.size() == 1 ? " tensor, " : " tensors, ") + elements
                + (elements == 1 ? " element, " : " elements, ") + bytes + (bytes == 1 ? " byte" : " bytes"));
        out.flush();
        return 0;
    }

    static List<TensorTree.Leaf> list(Path file) throws Exception {
        CliFiles.requireReadable(file);
        if (CheckpointFormat.of(file) == CheckpointFormat.SAFETENSORS) {
            SafeTensorsHeader header = SafeTensors.readHeader(file);
            return header.entries().stream().map(e -> new TensorTree.Leaf(e.name(), e.dtype(), e.shape(), null)).toList();
        }
        try (CheckpointFile f = CheckpointFile.open(file, new Unpickler.Options().describeModules(true))) {
            return TensorTree.of(f.root()).leaves();
        }
    }
}
