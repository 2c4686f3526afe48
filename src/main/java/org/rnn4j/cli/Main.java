package org.rnn4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;
import java.util.Properties;
import org.rnn4j.kernel.FmaPeak;
import org.rnn4j.kernel.KernelSelector;

/**
 * The {@code rnn4j} command line: {@code java --add-modules jdk.incubator.vector -jar rnn4j.jar <command>}.
 * Dispatches to subcommands; every error is one line on stderr and a non-zero exit code.
 */
public final class Main {
    private Main() {}

    static final String USAGE = String.join("\n",
            "usage: rnn4j <command> [options]",
            "",
            "commands:",
            "  info        JDK, Vector API status, species width, CPU SIMD features, chosen kernels, FMA peak",
            "              (--jit: check that C2 compiles rnn4j's Vector API code without fallbacks)",
            "  gradcheck   check every RNN/LSTM/GRU gradient: reference vs finite differences, engine vs reference",
            "  train       train a language model (no options: a character-level LSTM on the embedded corpus)",
            "  sample      generate text from a model written by train",
            "  infer       run a PyTorch RNN/LSTM/GRU model (safetensors state_dict) on an input file",
            "  longterm    adding problem / copy task: tanh RNN, IRNN, LSTM, GRU trained per lag vs the baseline",
            "  gradflow    vanishing gradients measured: |dL/dh_t| against the distance to the loss, per cell",
            "  bench       this machine's figures without JMH: training step, inference, streaming step",
            "",
            "options:",
            "  --help      this text (also: rnn4j <command> --help)",
            "  --version   the rnn4j version",
            "",
            "SIMD needs the JVM flag " + KernelSelector.ENABLE_HINT + "; without it rnn4j runs its scalar kernels.");

    /**
     * Entry point.
     *
     * @param args command and its options
     */
    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * Runs a command, printing to the given streams.
     *
     * @param args command and its options; not null
     * @param out standard output
     * @param err standard error
     * @return the process exit code: 0 success, 1 a check failed, 2 usage error
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            out.println(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        if (args[0].equals("--version")) {
            out.println("rnn4j " + version());
            return 0;
        }
        switch (args[0]) {
            case "info":
                return info(args, out, err);
            case "gradcheck":
                return GradcheckCommand.run(args, out, err);
            case "train":
                return TrainCommand.run(args, out, err);
            case "sample":
                return SampleCommand.run(args, out, err);
            case "infer":
                return InferCommand.run(args, out, err);
            case "longterm":
                return LongtermCommand.run(args, out, err);
            case "gradflow":
                return GradflowCommand.run(args, out, err);
            case "bench":
                return BenchCommand.run(args, out, err);
            default:
                err.println("rnn4j: unknown command '" + args[0] + "' (try rnn4j --help)");
                return 2;
        }
    }

    static final String INFO_USAGE = String.join("\n",
            "usage: rnn4j info [--jit [--seconds S]]",
            "",
            "Prints the JDK, whether the Vector API is active, the vector species in use,",
            "the CPU's SIMD features as the JVM and the OS report them, which kernels rnn4j chose, and this",
            "core's float32 FMA peak measured with the chosen kernels' loop (fma.peak; about 0.4 s).",
            "",
            "options:",
            "  --jit         instead: run every hot loop of rnn4j in a child JVM with the compile log on, and",
            "                report each place where C2 left Vector API code out of line in a compile of an",
            "                rnn4j method (a failed intrinsic, or a vector helper not inlined for a size",
            "                budget: vectors are then boxed, garbage per step), and the bytes a few loops",
            "                allocate per call. The child uses this JVM's java, class path, -Drnn4j.* and",
            "                -XX: options: java -Drnn4j.vector.bits=256 ... info --jit checks 256-bit vectors.",
            "  --seconds S   with --jit: how long the loops run before the check   [3]",
            "",
            "exit code: 0 done (with --jit: nothing found), 1 --jit found something or could not run, 2 usage error");

    private static int info(String[] args, PrintStream out, PrintStream err) {
        boolean jit = false;
        String seconds = null;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    out.println(INFO_USAGE);
                    return 0;
                }
                case "--jit" -> jit = true;
                case "--seconds" -> {
                    if (i + 1 >= args.length) {
                        err.println("rnn4j info: --seconds needs a value");
                        return 2;
                    }
                    seconds = args[++i];
                }
                default -> {
                    err.println("rnn4j info: unknown option '" + args[i] + "'");
                    return 2;
                }
            }
        }
        if (seconds != null && !jit) {
            err.println("rnn4j info: --seconds needs --jit");
            return 2;
        }
        double s = 3.0;
        if (seconds != null) {
            try {
                s = Double.parseDouble(seconds);
            } catch (NumberFormatException e) {
                s = Double.NaN;
            }
            if (!(s >= 0.1 && s <= 600)) {
                err.println("rnn4j info: --seconds must be in [0.1, 600], got " + seconds);
                return 2;
            }
        }
        if (jit) {
            return JitCheck.run(s, out, err);
        }
        out.println("rnn4j " + version());
        for (Map.Entry<String, String> e : KernelSelector.describe().entrySet()) {
            out.printf("%-16s %s%n", e.getKey(), e.getValue());
        }
        out.printf("%-16s %s%n", "fma.peak", FmaPeak.measure());
        return 0;
    }

    /** @return the version from the jar manifest or the bundled properties, or "unknown" */
    public static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        if (v != null) {
            return v;
        }
        try (InputStream in = Main.class.getResourceAsStream("/org/rnn4j/version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "unknown");
            }
        } catch (IOException ignored) {
            // fall through
        }
        return "unknown";
    }
}
