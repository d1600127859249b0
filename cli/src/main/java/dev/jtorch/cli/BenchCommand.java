package dev.jtorch.cli;

import picocli.CommandLine.Command;

/** {@code jtorch bench ...}: throughput of engine pieces, to set beside PyTorch's (see bench/). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks; compare with PyTorch using the scripts in bench/.",
        subcommands = {GemmBench.class, ModelBench.class})
final class BenchCommand implements Runnable {
    @Override
    public void run() {
        picocli.CommandLine.usage(this, System.out);
    }
}
