package org.rnn4j.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code rnn4j info --jit}: runs {@link JitProbe} in a child JVM with the compile log on, reads the
 * log as it streams ({@link JitLogParser}) and reports where C2 left Vector API code out of line in
 * rnn4j's compiles, and how many bytes the probe's representative loops allocate per call.
 *
 * <p>The child is this JVM's own {@code java} with this JVM's class path, the Vector API module, every
 * {@code -Drnn4j.*} and {@code -Djdk.incubator.vector.*} property of this JVM (so
 * {@code -Drnn4j.vector.bits=256} checks that width) and this JVM's {@code -XX:} options (so
 * {@code -XX:UseAVX=2} or {@code -XX:MaxVectorSize=32} check what they would run), except those about
 * printing and compiler threads, which the check sets itself: {@code -XX:+PrintCompilation}, a
 * compiler directive that turns on {@code PrintInlining} and {@code PrintIntrinsics} for C2 compiles
 * of {@code org.rnn4j} methods only, and a single C2 compiler thread. The last two make the log
 * unambiguous: inlining lines carry no compile id, and with one C2 thread printing them, each belongs
 * to the latest tier-4 compile line ({@link JitLogParser.Source#C2_ONLY}). The inlining decisions are
 * the same as with the global flags; only fewer compiles print them. {@code -Drnn4j.jit.log=FILE}
 * keeps the child's log in FILE for reading by hand.
 */
final class JitCheck {
    private JitCheck() {}

    /** The outcome line when nothing was found; tools/jit-check and the tests look for it. */
    static final String CLEAN = "jit: no Vector API intrinsic failed to inline in rnn4j's C2 compiles";

    /**
     * The probe's own code is never compiled: it then calls the engine's entry points as real calls,
     * so every compile of engine code has an engine method as its root. Compiled, the probe's small
     * lambdas would inline whole kernels and become the roots (and the place of any boxing) instead.
     */
    private static final String DIRECTIVE = "[\n"
            + "  { match: \"" + JitProbe.class.getName().replace('.', '/') + "*.*\", Exclude: true },\n"
            + "  { match: \"org/rnn4j/*.*\", c2: { PrintInlining: true, PrintIntrinsics: true } }\n"
            + "]\n";

    /**
     * Runs the check.
     *
     * @param seconds how long the child runs the loops before measuring
     * @param out the report
     * @param err why the check could not run
     * @return 0 nothing found, 1 findings or the check failed
     */
    static int run(double seconds, PrintStream out, PrintStream err) {
        Path directives = null;
        try {
            directives = Files.createTempFile("rnn4j-jit", ".json");
            Files.writeString(directives, DIRECTIVE, StandardCharsets.UTF_8);
            return runChild(command(directives, seconds), seconds, out, err);
        } catch (IOException e) {
            err.println("rnn4j info: cannot run the JIT probe: " + e.getMessage());
            return 1;
        } finally {
            if (directives != null) {
                try {
                    Files.deleteIfExists(directives);
                } catch (IOException ignored) {
                    // a leftover temp file of 100 bytes is not worth failing the check
                }
            }
        }
    }

    /** The child's command line (see the class comment). */
    static List<String> command(Path directives, double seconds) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        boolean tiered = true;
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-XX:") && passedOn(a)) {
                cmd.add(a);
                tiered &= !a.equals("-XX:-TieredCompilation");
            }
        }
        Map<String, String> props = new TreeMap<>();
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("rnn4j.") || name.startsWith("jdk.incubator.vector.")) {
                props.put(name, System.getProperty(name));
            }
        }
        props.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-XX:+UnlockDiagnosticVMOptions");
        cmd.add("-XX:+PrintCompilation");
        cmd.add("-XX:CompilerDirectivesFile=" + directives);
        // Tiered needs at least 2 threads (one C1, one C2); without tiering all compiles are C2.
        cmd.add("-XX:CICompilerCount=" + (tiered ? 2 : 1));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(JitProbe.class.getName());
        cmd.add(String.format(Locale.ROOT, "%.3f", seconds));
        return cmd;
    }

    private static boolean passedOn(String xx) {
        String name = xx.substring(4).replaceFirst("^[+-]", "").replaceFirst("=.*", "");
        return !(name.startsWith("Print") || name.startsWith("Log") || name.startsWith("Trace")
                || name.startsWith("CompilerDirectives") || name.equals("CICompilerCount")
                || name.startsWith("DisplayVMOutput") || name.equals("UnlockDiagnosticVMOptions")
                || name.equals("Flags") || name.equals("VMOptionsFile"));
    }

    /** This JVM's launcher: java.home/bin/java, else the command this process was started with. */
    private static String javaBinary() {
        Path p = Path.of(System.getProperty("java.home"), "bin",
                System.getProperty("os.name", "").startsWith("Windows") ? "java.exe" : "java");
        if (Files.isExecutable(p)) {
            return p.toString();
        }
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static int runChild(List<String> cmd, double seconds, PrintStream out, PrintStream err)
            throws IOException {
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        Map<String, String> records = new LinkedHashMap<>();
        List<String[]> alloc = new ArrayList<>();
        Deque<String> stderrTail = new ArrayDeque<>();
        Thread stderrReader = new Thread(() -> readStderr(p, records, alloc, stderrTail), "rnn4j-jitprobe-stderr");
        stderrReader.setDaemon(true);
        stderrReader.start();
        // The log is tens of thousands of lines: parse it as it comes, keep nothing of it.
        JitLogParser parser = new JitLogParser(JitLogParser.Source.C2_ONLY);
        long timeoutSeconds = 120 + (long) (10 * seconds);
        Thread watchdog = new Thread(() -> {
            try {
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }, "rnn4j-jitprobe-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        String keep = System.getProperty("rnn4j.jit.log");
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             java.io.Writer log = keep == null ? java.io.Writer.nullWriter()
                     : Files.newBufferedWriter(Path.of(keep), StandardCharsets.UTF_8)) {
            for (String line; (line = r.readLine()) != null; ) {
                parser.accept(line);
                log.write(line);
                log.write('\n');
            }
        }
        int code;
        try {
            code = p.waitFor();
            stderrReader.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            err.println("rnn4j info: interrupted while waiting for the JIT probe");
            return 1;
        }
        synchronized (records) {
            if (code != 0 || !records.containsKey("done")) {
                err.println("rnn4j info: the JIT probe failed (exit code " + code + ")"
                        + (stderrTail.isEmpty() ? "" : "; its last output:"));
                for (String l : stderrTail) {
                    err.println("  " + l);
                }
                return 1;
            }
            return report(records, alloc, parser, seconds, out);
        }
    }

    private static void readStderr(Process p, Map<String, String> records, List<String[]> alloc, Deque<String> tail) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                synchronized (records) {
                    if (line.startsWith(JitProbe.TAG + "\t")) {
                        String[] f = line.split("\t", -1);
                        if (f[1].equals("alloc") && f.length >= 5) {
                            alloc.add(new String[] {f[2], f[3], f[4]});
                        } else if (f.length >= 3) {
                            records.put(f[1], f[2]);
                        }
                    } else if (!line.startsWith("WARNING: Using incubator modules")
                            && !line.startsWith("Picked up JAVA_TOOL_OPTIONS")) {
                        tail.addLast(line);
                        if (tail.size() > 40) {
                            tail.removeFirst();
                        }
                    }
                }
            }
        } catch (IOException ignored) {
            // the child died; its exit code tells
        }
    }

    private static int report(Map<String, String> rec, List<String[]> alloc, JitLogParser parser, double seconds,
                              PrintStream out) {
        out.println("rnn4j " + Main.version() + " info --jit");
        out.println("jdk: " + rec.get("java.version") + " (" + rec.get("java.vm") + ")");
        String kernels = rec.getOrDefault("kernels", "?");
        out.println("vector: " + rec.get("vector.species") + "; kernels " + kernels);
        String behind = rec.getOrDefault("loops.behind", "");
        out.printf(Locale.ROOT, "probe: %s loops for %.1f s (%s in %s s); %d C2 compiles of rnn4j methods read%n",
                rec.get("loops"), seconds, behind.isEmpty() ? "all made their calls"
                        : behind.split(", ").length + " fell short of their calls",
                rec.get("exercise.seconds"), parser.rnn4jC2Compiles());
        if (!behind.isEmpty()) {
            // Their methods may not have reached C2: what they would show is not in this report.
            out.println("probe: short (raise --seconds): " + behind);
        }
        List<String> findings = parser.findings();
        int code;
        if (kernels.startsWith("scalar")) {
            out.println("jit: no Vector API code ran (" + rec.get("kernels.reason") + "), so nothing to check");
            code = 0;
        } else if (!findings.isEmpty()) {
            out.println("jit: " + findings.size() + " Vector API call(s) left out of line in rnn4j's C2 compiles"
                    + " (root method being compiled: callee reason):");
            for (String f : findings) {
                out.println("  " + f);
            }
            code = 1;
        } else if (parser.rnn4jC2Compiles() == 0) {
            out.println("jit: no C2 compile of an rnn4j method reached the log; the probe ran too briefly for this"
                    + " machine (try --seconds 10)");
            code = 1;
        } else {
            out.println(CLEAN);
            code = 0;
        }
        out.println("alloc: bytes allocated per call on the probe's thread, after warm-up (0 is the goal):");
        int width = 0;
        for (String[] a : alloc) {
            width = Math.max(width, a[0].length());
        }
        for (String[] a : alloc) {
            out.printf(Locale.ROOT, "  %-" + width + "s %10s bytes/%s%n", a[0], a[1], a[2]);
        }
        return code;
    }
}
