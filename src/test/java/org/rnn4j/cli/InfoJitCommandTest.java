package org.rnn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code rnn4j info --jit} end to end: a child JVM on this test JVM's class path runs the probe, the
 * report has its shape and the exit code agrees with it. Whether this JDK and width are clean is not
 * asserted here (that is what the command reports, and kernel changes move it); the parser's
 * decisions are tested on fixed text in {@link JitLogParserTest}.
 */
class InfoJitCommandTest {
    private final Cli cli = new Cli();

    private static final Pattern FINDING = Pattern.compile("  org\\.rnn4j\\.\\S+::\\S+: \\S+::\\S+ \\S.*");
    private static final Pattern ALLOC = Pattern.compile("  \\S.* +\\d+\\.\\d bytes/(step|pass|call)");

    @Test
    void reportsJdkWidthOutcomeAndAllocation() {
        int code = cli.run("info", "--jit", "--seconds", "1");
        String out = cli.out.toString(StandardCharsets.UTF_8);
        String err = cli.err.toString(StandardCharsets.UTF_8);
        assertTrue(code == 0 || code == 1, "exit " + code + "\n" + out + err);
        assertEquals("", err, out);
        List<String> lines = out.lines().toList();
        assertTrue(lines.get(0).startsWith("rnn4j ") && lines.get(0).endsWith(" info --jit"), out);
        assertTrue(lines.get(1).startsWith("jdk: " + System.getProperty("java.version") + " ("), out);
        String bits = System.getProperty("rnn4j.vector.bits");
        assertTrue(lines.get(2).startsWith("vector: ") && lines.get(2).contains("-bit)")
                && (bits == null || lines.get(2).contains("(" + bits + "-bit)")), out);
        assertTrue(lines.get(3).matches("probe: \\d+ loops for 1\\.0 s \\((all made their calls|\\d+ fell short of their calls)"
                + " in \\d+\\.\\d s\\); \\d+ C2 compiles of rnn4j methods read"), out);
        int at = lines.get(4).startsWith("probe: short (raise --seconds): ") ? 5 : 4;   // a busy machine
        String outcome = lines.get(at);
        int allocAt = lines.indexOf("alloc: bytes allocated per call on the probe's thread, after warm-up (0 is the goal):");
        assertTrue(allocAt > at, out);
        if (outcome.equals(JitCheck.CLEAN)) {
            assertEquals(0, code, out);
            assertEquals(at + 1, allocAt, out);
        } else if (outcome.startsWith("jit: no C2 compile")) {
            assertEquals(1, code, out);
        } else {
            assertEquals(1, code, out);
            assertTrue(outcome.matches("jit: \\d+ Vector API call\\(s\\) left out of line .*:"), out);
            for (String f : lines.subList(at + 1, allocAt)) {
                assertTrue(FINDING.matcher(f).matches(), f);
            }
        }
        List<String> alloc = lines.subList(allocAt + 1, lines.size());
        assertTrue(alloc.size() >= 10, out);
        for (String a : alloc) {
            assertTrue(ALLOC.matcher(a).matches(), a);
        }
        assertTrue(alloc.stream().anyMatch(a -> a.contains("stream lstm f32 H=64 B=1 ")), out);
        assertTrue(alloc.stream().anyMatch(a -> a.contains("train gru ")), out);
    }

    @Test
    void usageErrorsAndHelp() {
        for (String[] bad : new String[][] {
            {"info", "--seconds", "2"}, {"info", "--jit", "--seconds", "x"}, {"info", "--jit", "--seconds", "0"},
            {"info", "--jit", "--seconds"}, {"info", "--jit", "--frobnicate"}}) {
            assertEquals(2, cli.run(bad), String.join(" ", bad));
            String e = cli.err.toString(StandardCharsets.UTF_8);
            assertEquals(1, e.lines().count(), e);
            assertTrue(e.startsWith("rnn4j info: "), e);
        }
        assertEquals(0, cli.run("info", "--help"));
        String help = cli.out.toString(StandardCharsets.UTF_8);
        assertTrue(help.startsWith("usage: rnn4j info [--jit [--seconds S]]") && help.contains("--jit"), help);
        assertEquals(0, cli.run("--help"));
        assertTrue(cli.out.toString(StandardCharsets.UTF_8).contains("--jit"));
    }
}
