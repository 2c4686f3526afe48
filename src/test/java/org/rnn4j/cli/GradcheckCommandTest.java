package org.rnn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code rnn4j gradcheck}: passes on every cell, fails (exit 1) when a tolerance cannot hold. */
class GradcheckCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rnn", "rnn_relu", "lstm", "gru"})
    void passesOnEveryCellWithTwoLayers(String cell) {
        assertEquals(0, run("gradcheck", "--cell", cell, "--layers", "2", "--hidden", "5", "--input", "3",
                "--seq", "4", "--batch", "3", "--seed", "7"), out());
        String o = out();
        assertTrue(o.contains("1. reference (double) backpropagation through time vs central differences"), o);
        assertTrue(o.contains("float engine (simd-"), o);
        assertTrue(o.contains("float engine (scalar kernels)"), o);
        assertTrue(o.contains("weight_hh_l1"), o);
        assertTrue(o.contains("grad.weight_hh_l1"), o);
        assertTrue(o.strip().endsWith("gradcheck: PASS"), o);
    }

    /** Every combination of the cell-family flags, for every cell, 2 layers with packed lengths. */
    static java.util.stream.Stream<String> everyOptionCombination() {
        java.util.List<String> all = new java.util.ArrayList<>();
        String[] directions = {"", "--reverse", "--bidirectional", "--bidirectional --merge sum"};
        for (String dir : directions) {
            for (String cell : new String[] {"rnn", "rnn_relu"}) {
                all.add("--cell " + cell + " " + dir);
            }
            for (String extra : new String[] {"", "--reset-before"}) {
                all.add("--cell gru " + dir + " " + extra);
            }
            for (String proj : new String[] {"", "--proj 3"}) {
                for (String peep : new String[] {"", "--peephole"}) {
                    all.add("--cell lstm " + dir + " " + proj + " " + peep);
                }
            }
        }
        return all.stream().map(String::strip);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("everyOptionCombination")
    void passesOnEveryOptionCombination(String flags) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("gradcheck", "--layers", "2",
                "--hidden", "5", "--input", "3", "--seq", "4", "--batch", "3", "--seed", "11"));
        args.addAll(java.util.Arrays.asList(flags.split("\\s+")));
        assertEquals(0, run(args.toArray(new String[0])), out());
        String o = out();
        assertTrue(o.strip().endsWith("gradcheck: PASS"), o);
        if (flags.contains("--bidirectional")) {
            assertTrue(o.contains("weight_hh_l1_reverse"), o);
        }
        if (flags.contains("--proj")) {
            assertTrue(o.contains("grad.weight_hr_l1"), o);
        }
        if (flags.contains("--peephole")) {
            assertTrue(o.contains("grad.weight_peephole_l0"), o);
        }
    }

    @Test
    void anImpossibleToleranceFailsWithExitCode1() {
        // finite differences carry truncation error ~eps² and rounding ~1e-16/eps: no zero tolerance holds
        assertEquals(1, run("gradcheck", "--cell", "lstm", "--atol", "0", "--rtol", "0"));
        assertTrue(out().contains("FAIL"), out());
        out.reset();
        // float against double cannot agree to 1e-12
        assertEquals(1, run("gradcheck", "--cell", "gru", "--tolerance", "1e-12", "--engine-atol", "0"));
        assertTrue(out().strip().endsWith("gradcheck: FAIL"), out());
    }

    @Test
    void samplingChecksAtMostNElementsPerTensor() {
        assertEquals(0, run("gradcheck", "--cell", "lstm", "--hidden", "12", "--sample", "10", "--seed", "9"));
        int rows = 0;
        for (String line : out().split("\n")) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\S+)\\s+(\\d+)/(\\d+)\\s").matcher(line);
            if (m.find()) {
                rows++;
                int checked = Integer.parseInt(m.group(2));
                int candidates = Integer.parseInt(m.group(3));
                assertEquals(Math.min(10, candidates), checked, line);
                if (m.group(1).equals("weight_hh_l0")) {
                    assertEquals(48 * 12, candidates, line);   // (4H, H) = (48, 12)
                }
            }
        }
        assertTrue(rows >= 6, out());
        // --seed given after --sample still seeds the sample (the report names it)
        assertTrue(out().contains("<= 10 per tensor, seed 9"), out());
    }

    @Test
    void usageErrorsExitWith2AndOneLine() {
        assertEquals(2, run("gradcheck"));
        assertEquals("rnn4j gradcheck: --cell is required (rnn, rnn_relu, lstm or gru)",
                err.toString(StandardCharsets.UTF_8).strip());
        err.reset();
        assertEquals(2, run("gradcheck", "--cell", "lstm", "--hidden", "0"));
        assertEquals("rnn4j gradcheck: --hidden must be >= 1, got 0", err.toString(StandardCharsets.UTF_8).strip());
        err.reset();
        assertEquals(2, run("gradcheck", "--cell", "lstm", "--seed", "x"));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("rnn4j gradcheck: not a number"));
        err.reset();
        assertEquals(2, run("gradcheck", "--cell", "elman"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("cell must be one of"));
        err.reset();
        assertEquals(2, run("gradcheck", "--cell", "gru", "--proj", "2"));
        assertEquals("rnn4j gradcheck: projSize needs an lstm, got gru", err.toString(StandardCharsets.UTF_8).strip());
        err.reset();
        assertEquals(2, run("gradcheck", "--cell", "lstm", "--merge", "sum"));
        assertEquals("rnn4j gradcheck: merge SUM needs direction BIDIRECTIONAL, got FORWARD",
                err.toString(StandardCharsets.UTF_8).strip());
        assertEquals(0, run("gradcheck", "--help"));
        assertTrue(out().contains("usage: rnn4j gradcheck"));
    }
}
