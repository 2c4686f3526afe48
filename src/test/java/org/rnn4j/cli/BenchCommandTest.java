package org.rnn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code rnn4j bench}: the output's shape (a table, or one JSON object per line with every figure)
 * and the usage errors, on a tiny shape and a short budget. Speed itself is measured, not asserted
 * (speed claims live in benchmarks); the test checks that every figure is a positive number and that
 * GFLOP/s is consistent with the reported time and the GEMM FLOP count. Every figure carries the bytes
 * allocated per call; only its presence and sign are checked (whether it is 0 depends on the JIT, and
 * at a 0.01 s budget the code may not even be compiled).
 */
class BenchCommandTest {
    private final Cli cli = new Cli();
    private final ByteArrayOutputStream out = cli.out;
    private final ByteArrayOutputStream err = cli.err;

    private int run(String... args) {
        return cli.run(args);
    }

    private static double number(String line, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": ([0-9.eE+-]+)").matcher(line);
        assertTrue(m.find(), key + " in " + line);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void jsonHasOneObjectPerFigure() {
        assertEquals(0, run("bench", "--json", "--cells", "lstm,rnn_relu", "--shape", "3x2x5x4", "--stream-hidden", "4,9",
                "--seconds", "0.01"));
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(1 + 2 * (2 + 2), lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).startsWith("{\"kind\": \"env\""), lines.get(0));
        int train = 0, infer = 0, stream = 0;
        for (String l : lines.subList(1, lines.size())) {
            assertTrue(l.startsWith("{") && l.endsWith("}"), l);
            assertTrue(number(l, "alloc_bytes") >= 0, l);
            if (l.contains("\"kind\": \"stream\"")) {
                stream++;
                assertTrue(number(l, "us") > 0, l);
                continue;
            }
            double ms = number(l, "ms");
            double gflops = number(l, "gflops");
            assertTrue(ms > 0, l);
            int gates = l.contains("\"lstm\"") ? 4 : 1;
            double fwd = 2.0 * 3 * 2 * gates * 4 * (5 + 4);
            double want = (l.contains("\"train\"") ? 3 * fwd : fwd) / (ms * 1e6);
            assertEquals(want, gflops, want * 1e-3, l);   // both printed to 4-6 significant digits
            if (l.contains("\"train\"")) {
                train++;
            } else {
                infer++;
            }
        }
        assertEquals(2, train);
        assertEquals(2, infer);
        assertEquals(4, stream);
    }

    @Test
    void streamHiddenNoneLeavesOutTheStreamingFigures() {
        assertEquals(0, run("bench", "--json", "--cells", "gru", "--shape", "3x2x5x4", "--stream-hidden", "none",
                "--seconds", "0.01"));
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(3, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(1).contains("\"kind\": \"train\"") && lines.get(2).contains("\"kind\": \"inference\""),
                String.join("\n", lines));
        out.reset();
        assertEquals(0, run("bench", "--cells", "gru", "--shape", "2x1x3x2", "--stream-hidden", "none", "--seconds", "0.01"));
        List<String> table = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(3, table.size(), String.join("\n", table));
        assertTrue(!table.get(1).contains("stream") && !table.get(2).contains("µs"), String.join("\n", table));
    }

    @Test
    void tableHasAHeaderAndARowPerCell() {
        assertEquals(0, run("bench", "--cells", "gru", "--shape", "2x1x3x2", "--stream-hidden", "5", "--seconds", "0.01"));
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(3, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(1).contains("train step 2x1x3x2") && lines.get(1).contains("stream H=5"), lines.get(1));
        assertTrue(lines.get(2).startsWith("gru") && lines.get(2).contains("GFLOP/s") && lines.get(2).contains("µs"),
                lines.get(2));
        // bytes allocated per call after each of the three figures
        assertEquals(3, Pattern.compile("\\d(\\.\\d)? [kM]?B( |$)").matcher(lines.get(2)).results().count(), lines.get(2));
    }

    @Test
    void usageErrorsAreOneLineWithExitCode2() {
        for (String[] bad : new String[][] {
            {"bench", "--shape", "3x2x5"}, {"bench", "--shape", "3x0x5x4"}, {"bench", "--cells", "lstmx"},
            {"bench", "--threads", "0"}, {"bench", "--seconds", "0"}, {"bench", "--stream-hidden", "a"},
            {"bench", "--stream-hidden", "none,64"},
            {"bench", "--frobnicate"}}) {
            err.reset();
            assertEquals(2, run(bad), String.join(" ", bad));
            String e = err.toString(StandardCharsets.UTF_8);
            assertEquals(1, e.lines().count(), e);
            assertTrue(e.startsWith("rnn4j bench: "), e);
        }
        out.reset();
        assertEquals(0, run("bench", "--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage: rnn4j bench"));
    }
}
