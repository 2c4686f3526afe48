package org.rnn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code rnn4j bench}: the output's shape (a table, or one JSON object per line with every figure)
 * and the usage errors, on a tiny shape and a short budget. Speed itself is measured, not asserted
 * (speed claims live in benchmarks); the test checks that every figure is a positive number, that
 * GFLOP/s is consistent with the reported time and the GEMM FLOP count, that the fraction of peak is
 * GFLOP/s over the measured peak × threads, and that the streaming percentiles are ordered. Every figure carries the bytes
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

    /**
     * A flat JSON object (string and number values only, as bench prints) as its fields in order;
     * fails on anything else, so a line that does not parse fails the test.
     */
    static Map<String, String> fields(String line) {
        Matcher m = Pattern.compile("\"([a-z0-9_]+)\": (\"(?:[^\"\\\\]|\\\\.)*\"|-?[0-9][0-9.eE+-]*)(, |\\}$)").matcher(line);
        assertTrue(line.startsWith("{"), line);
        Map<String, String> f = new LinkedHashMap<>();
        int at = 1;
        while (at < line.length()) {
            assertTrue(m.find(at) && m.start() == at, "not a flat JSON object at " + at + ": " + line);
            String v = m.group(2);
            assertNull(f.put(m.group(1), v.startsWith("\"") ? v.substring(1, v.length() - 1) : v), "repeated key: " + line);
            at = m.end();
        }
        return f;
    }

    private static double num(Map<String, String> f, String key) {
        assertTrue(f.containsKey(key), key + " in " + f);
        return Double.parseDouble(f.get(key));
    }

    @Test
    void jsonHasOneObjectPerFigure() {
        assertEquals(0, run("bench", "--json", "--cells", "lstm,rnn_relu", "--shape", "3x2x5x4", "--stream-hidden", "4,9",
                "--seconds", "0.01"));
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        // env, then per cell train and inference, then per cell and H one stream row per thread count (1, 2)
        assertEquals(1 + 2 * 2 + 2 * 2 * 2, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).startsWith("{\"kind\": \"env\""), lines.get(0));
        double peak = num(fields(lines.get(0)), "fma_peak_gflops");
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
            assertEquals(peak, number(l, "peak_gflops"), peak * 1e-3, l);   // one thread: one core's peak
            assertEquals(gflops / peak, number(l, "peak_fraction"), gflops / peak * 2e-3, l);
            if (l.contains("\"train\"")) {
                train++;
            } else {
                infer++;
            }
        }
        assertEquals(2, train);
        assertEquals(2, infer);
        assertEquals(8, stream);
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
        // the run line, the peak line, the pass table's header and its two rows; no stream table
        assertEquals(5, table.size(), String.join("\n", table));
        assertTrue(table.stream().noneMatch(l -> l.contains("stream") || l.contains("µs")), String.join("\n", table));
    }

    void jsonCarriesThePeakAndTheStreamingPercentiles() {
        assertEquals(0, run("bench", "--json", "--seconds", "0.05", "--cells", "lstm", "--shape", "3x2x4x5",
                "--stream-hidden", "8"));
        List<Map<String, String>> rows = out.toString(StandardCharsets.UTF_8).lines().map(BenchCommandTest::fields).toList();
        assertEquals(List.of("env", "train", "inference", "stream", "stream"), rows.stream().map(r -> r.get("kind")).toList());
        Map<String, String> env = rows.get(0);
        double peak = num(env, "fma_peak_gflops");
        assertTrue(peak > 0 && Double.isFinite(peak), env.toString());
        assertTrue(env.get("fma_peak_loop").matches("(\\d+-bit FloatVector|scalar Math)\\.fma, 12 accumulators"), env.toString());
        for (Map<String, String> r : rows.subList(1, 3)) {
            assertEquals(num(r, "gflops") / num(r, "peak_gflops"), num(r, "peak_fraction"), num(r, "peak_fraction") * 2e-3,
                    r.toString());
        }
        List<Integer> threads = new ArrayList<>();
        for (Map<String, String> r : rows.subList(3, 5)) {
            assertEquals("lstm", r.get("cell"));
            assertEquals(8, num(r, "hidden"));
            assertEquals(1, num(r, "batch"));
            threads.add((int) num(r, "threads"));
            double p50 = num(r, "p50_us"), p99 = num(r, "p99_us"), p999 = num(r, "p999_us"), max = num(r, "max_us");
            assertTrue(0 <= p50 && p50 <= p99 && p99 <= p999 && p999 <= max, r.toString());
            // the mean lies between the smallest and the largest step
            assertTrue(num(r, "us") > 0 && num(r, "us") <= max, r.toString());
            assertTrue(num(r, "steps") >= 2 * num(r, "threads"), r.toString());
            assertTrue(num(r, "alloc_bytes") >= 0, r.toString());
        }
        assertEquals(List.of(1, 2), threads);
    }

    @Test
    void withThreadsThePeakIsThatManyCoresAndStreamThreadsAreChosen() {
        assertEquals(0, run("bench", "--json", "--seconds", "0.01", "--cells", "gru", "--shape", "2x2x3x2",
                "--stream-hidden", "4", "--threads", "2", "--stream-threads", "3"));
        List<Map<String, String>> rows = out.toString(StandardCharsets.UTF_8).lines().map(BenchCommandTest::fields).toList();
        assertEquals(4, rows.size(), rows.toString());
        double peak = num(rows.get(0), "fma_peak_gflops");
        assertEquals(2 * peak, num(rows.get(1), "peak_gflops"), 2 * peak * 1e-3, rows.get(1).toString());
        assertEquals(2 * peak, num(rows.get(2), "peak_gflops"), 2 * peak * 1e-3, rows.get(2).toString());
        assertEquals(3, num(rows.get(3), "threads"), rows.get(3).toString());
    }

    @Test
    void tableHasAHeaderAPassTableAndAStreamTable() {
        assertEquals(0, run("bench", "--cells", "gru", "--shape", "2x1x3x2", "--stream-hidden", "5", "--seconds", "0.01"));
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(8, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(1).matches("fma\\.peak \\d+\\.\\d GFLOP/s per core \\(.*\\.fma, 12 accumulators\\);"
                + " % of peak = GEMM GFLOP/s / \\(peak × 1 thread\\(s\\)\\)"), lines.get(1));
        assertTrue(lines.get(2).matches("cell +pass +ms +GFLOP/s +% of peak +bytes/op"), lines.get(2));
        assertTrue(lines.get(3).matches("gru +train step 2x1x3x2 +\\d+\\.\\d\\d +\\d+\\.\\d +\\d+\\.\\d% +\\d+(\\.\\d)? [kM]?B"),
                lines.get(3));
        assertTrue(lines.get(4).matches("gru +inference 2x1x3x2 +\\d+\\.\\d\\d +\\d+\\.\\d +\\d+\\.\\d% +\\d+(\\.\\d)? [kM]?B"),
                lines.get(4));
        assertTrue(lines.get(5).matches("cell +stream +threads +mean µs +p50 µs +p99 µs +p99\\.9 µs +max µs +bytes/step"),
                lines.get(5));
        for (int i = 6; i < 8; i++) {
            assertTrue(lines.get(i).matches("gru +H=5 +" + (i - 5) + "( +\\d+\\.\\d\\d){5} +\\d+(\\.\\d)? [kM]?B"), lines.get(i));
        }
    }

    @Test
    void usageErrorsAreOneLineWithExitCode2() {
        for (String[] bad : new String[][] {
            {"bench", "--shape", "3x2x5"}, {"bench", "--shape", "3x0x5x4"}, {"bench", "--cells", "lstmx"},
            {"bench", "--threads", "0"}, {"bench", "--seconds", "0"}, {"bench", "--stream-hidden", "a"},
            {"bench", "--stream-hidden", "none,64"},
            {"bench", "--stream-threads", "0"}, {"bench", "--stream-threads", "1,x"},
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
