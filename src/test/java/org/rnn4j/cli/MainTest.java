package org.rnn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The command-line dispatcher: help, version, info, and one-line errors with non-zero exit codes. */
class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void infoReportsJdkVectorStatusSpeciesAndCpuFeatures() {
        assertEquals(0, run("info"));
        String o = out();
        assertTrue(o.contains("java.version     " + System.getProperty("java.version")), o);
        assertTrue(o.contains("vector.module    present"), o); // tests run with --add-modules
        assertTrue(o.contains("kernels          simd-"), o);
        assertTrue(o.contains("vector.species"), o);
        assertTrue(o.contains("jit              C2"), o);
        // The species of the peak loop is the kernels': simd-256 measures 256-bit FloatVector.fma.
        String bits = o.replaceAll("(?s).*kernels +simd-(\\d+).*", "$1");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "(?m)^fma\\.peak +(\\d+\\.\\d) GFLOP/s per core \\(" + bits + "-bit FloatVector\\.fma, 12 accumulators\\)$").matcher(o);
        assertTrue(m.find(), o);
        assertTrue(Double.parseDouble(m.group(1)) > 0, o);
        assertEquals("", err());
    }

    @Test
    void helpAndVersion() {
        assertEquals(0, run("--help"));
        assertTrue(out().contains("usage: rnn4j <command>"));
        assertEquals(0, run("--version"));
        assertTrue(out().contains("rnn4j " + Main.version()));
        assertTrue(Main.version().matches("\\d+\\.\\d+\\.\\d+.*"), Main.version());
        assertEquals(0, run("info", "--help"));
        assertTrue(out().contains("usage: rnn4j info"));
    }

    @Test
    void noArgumentsPrintsUsageAndFails() {
        assertEquals(2, run());
        assertTrue(out().contains("usage: rnn4j"));
    }

    @Test
    void unknownCommandOrOptionIsOneLineOnStderr() {
        assertEquals(2, run("frobnicate"));
        assertEquals("rnn4j: unknown command 'frobnicate' (try rnn4j --help)", err().strip());
        err.reset();
        assertEquals(2, run("info", "--bogus"));
        assertEquals("rnn4j info: unknown option '--bogus'", err().strip());
    }
}
