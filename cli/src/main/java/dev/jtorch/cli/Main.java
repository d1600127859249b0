package dev.jtorch.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code jtorch} command. Each subcommand is a class of its own. */
@Command(name = "jtorch", mixinStandardHelpOptions = true, version = "jtorch 0.1.0",
        description = "A deep-learning engine in Java that speaks PyTorch.",
        subcommands = {DemoCommand.class, BenchCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new Main());
        // One line on stderr for a user error, the stack trace only with --debug (set by JTORCH_DEBUG).
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (System.getenv("JTORCH_DEBUG") != null) ex.printStackTrace();
            else System.err.println("error: " + ex.getMessage());
            return 1;
        });
        System.exit(cli.execute(args));
    }
}
