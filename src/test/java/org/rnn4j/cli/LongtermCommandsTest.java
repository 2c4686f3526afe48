package org.rnn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rnn4j longterm} and {@code rnn4j gradflow}: help, usage errors, tiny end-to-end runs. */
class LongtermCommandsTest {
    @TempDir
    Path dir;
    private final Cli cli = new Cli();
    private final ByteArrayOutputStream out = cli.out;
    private final ByteArrayOutputStream err = cli.err;

    private int run(String... args) {
        return cli.run(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** Exit code 2 and exactly one line on stderr, prefixed with the command, containing {@code part}. */
    private void usageError(String part, String... args) {
        assertEquals(2, run(args), Arrays.toString(args) + ": " + err());
        String e = err();
        assertTrue(e.endsWith("\n") && e.indexOf('\n') == e.length() - 1, "one line: " + e);
        assertTrue(e.startsWith("rnn4j " + args[0] + ": ") && e.contains(part), e);
        assertEquals("", out());
    }

    /** Table rows: lines that start with spaces then a number. */
    private static List<String> rows(String s) {
        return s.lines().filter(l -> l.matches("\\s*\\d+\\s+[a-z].*")).collect(Collectors.toList());
    }

    @Test
    void helpOnBothCommandsAndListedInMainUsage() {
        assertEquals(0, run("longterm", "--help"));
        assertTrue(out().startsWith("usage: rnn4j longterm"), out());
        assertTrue(out().contains("--budget-seconds") && out().contains("--steps"));
        assertEquals(0, run("gradflow", "-h"));
        assertTrue(out().startsWith("usage: rnn4j gradflow"), out());
        assertTrue(out().contains("--train-seconds") && out().contains("--out DIR"));
        assertEquals(0, run("--help"));
        assertTrue(out().contains("  longterm ") && out().contains("  gradflow "), out());
    }

    @Test
    void usageErrorsAreOneLineWithExitCode2() {
        usageError("unknown option '--frob'", "longterm", "--frob");
        usageError("--task must be adding or copy", "longterm", "--task", "sort");
        usageError("--lags: the adding problem needs a lag >= 2", "longterm", "--lags", "1");
        usageError("--lags must be a comma-separated list", "longterm", "--lags", "10,x");
        usageError("listed twice", "longterm", "--lags", "10,10");
        usageError("mutually exclusive", "longterm", "--steps", "3", "--budget-seconds", "2");
        usageError("--cells: cell must be one of", "longterm", "--cells", "rnn,tcn");
        usageError("--symbols applies to --task copy only", "longterm", "--symbols", "4");
        usageError("--hidden must be >= 1", "longterm", "--hidden", "0");
        usageError("--steps must be >= 0", "longterm", "--steps", "-1");
        usageError("--lr must be in", "longterm", "--lr", "0");
        usageError("--batch needs a value", "longterm", "--batch");
        usageError("--lags: the copy task needs a lag >= 0", "longterm", "--task", "copy", "--lags", "-3");
        usageError("unknown option '--lags'", "gradflow", "--lags", "10");
        usageError("--lag must be >= 2", "gradflow", "--lag", "1");
        usageError("mutually exclusive", "gradflow", "--steps", "3", "--train-seconds", "2");
        usageError("--cells: cell 'gru' listed twice", "gradflow", "--cells", "gru,gru");
        usageError("--seed must be an integer", "gradflow", "--seed", "x");
    }

    @Test
    void longtermAddingTinyRunPrintsOneRowPerLagAndCellAndIsDeterministicWithSteps() {
        String[] args = {"longterm", "--lags", "4,6", "--cells", "rnn,irnn,lstm,gru", "--steps", "3", "--hidden", "4",
            "--batch", "4", "--test", "8"};
        assertEquals(0, run(args), err());
        String s = out();
        assertTrue(s.contains("adding problem") && s.contains("budget: 3 optimizer steps per cell and lag"
                + " (deterministic given the seed)"), s);
        assertTrue(s.contains("lag  cell    test MSE  baseline  MSE/baseline    steps  train s  note"), s);
        List<String> rows = rows(s);
        assertEquals(8, rows.size(), s);
        String[] cells = {"rnn", "irnn", "lstm", "gru"};
        for (int i = 0; i < 8; i++) {
            String[] f = rows.get(i).trim().split("\\s+");
            assertEquals(i < 4 ? "4" : "6", f[0]);
            assertEquals(cells[i % 4], f[1]);
            assertTrue(Double.parseDouble(f[2]) >= 0 && Double.parseDouble(f[3]) > 0, rows.get(i));
            double ratio = Double.parseDouble(f[2]) / Double.parseDouble(f[3]);   // of the rounded columns
            assertEquals(ratio, Double.parseDouble(f[4]), 1e-3 * ratio + 1e-3);
            assertEquals("3", f[5], "steps");
        }
        assertEquals("", err());
        // the same command again: the same table except the seconds column
        run(args);
        List<String> again = rows(out());
        for (int i = 0; i < 8; i++) {
            assertEquals(withoutSeconds(rows.get(i)), withoutSeconds(again.get(i)));
        }
    }

    private static String withoutSeconds(String row) {
        String[] f = row.trim().split("\\s+");
        return String.join(" ", Arrays.copyOf(f, 6));
    }

    @Test
    void longtermCopyTinyRunPrintsAccuracyNextToChance() {
        assertEquals(0, run("longterm", "--task", "copy", "--lags", "3", "--symbols", "2", "--alphabet", "4",
                "--cells", "lstm,gru", "--steps", "2", "--hidden", "4", "--batch", "3", "--test", "5"), err());
        String s = out();
        assertTrue(s.contains("copy task, K = 2 symbols of A = 4"), s);
        assertTrue(s.contains("accuracy 1/A = 0.2500, cross-entropy log A = 1.3863 nats/symbol"), s);
        List<String> rows = rows(s);
        assertEquals(2, rows.size(), s);
        for (String r : rows) {
            String[] f = r.trim().split("\\s+");
            double acc = Double.parseDouble(f[2]);
            assertTrue(acc >= 0 && acc <= 1, r);
            assertEquals("0.2500", f[3]);
            assertEquals("1.3863", f[5]);
            assertEquals("2", f[6]);
        }
    }

    @Test
    void gradflowTinyRunPrintsTheTableAndWritesSvgAndCsv() throws Exception {
        Path o = dir.resolve("flow");
        assertEquals(0, run("gradflow", "--lag", "12", "--cells", "rnn,lstm", "--steps", "2", "--hidden", "4",
                "--batch", "4", "--test", "8", "--out", o.toString()), err());
        String s = out();
        assertTrue(s.contains("training: 2 steps per cell"), s);
        List<String> table = s.lines().filter(l -> l.matches("\\s+\\d+(\\s+\\S+){4}")).collect(Collectors.toList());
        assertEquals(List.of("1", "2", "5", "10", "12"),
                table.stream().map(l -> l.trim().split("\\s+")[0]).collect(Collectors.toList()), s);
        for (String l : table) {
            for (String v : Arrays.copyOfRange(l.trim().split("\\s+"), 1, 5)) {
                assertTrue(Double.parseDouble(v) >= 0, l);
            }
        }
        assertTrue(s.lines().anyMatch(l -> l.startsWith("lstm        2")), s);
        String svg = Files.readString(o.resolve("gradflow.svg"));
        assertTrue(svg.startsWith("<svg") && svg.trim().endsWith("</svg>"));
        assertTrue(svg.contains("dashed: at initialization") && svg.contains("solid: after 2 steps"));
        assertTrue(svg.split("<polyline", -1).length - 1 >= 4, "init and trained lines of two cells");
        List<String> csv = Files.readAllLines(o.resolve("gradflow.csv"));
        assertEquals("distance,cell,init_dh,trained_dh,init_dc,trained_dc", csv.get(0));
        assertEquals(1 + 2 * 13, csv.size());
        assertTrue(csv.get(1).startsWith("0,rnn,") && csv.get(1).endsWith(",,"), csv.get(1));
        assertTrue(csv.get(14).startsWith("0,lstm,") && !csv.get(15).endsWith(","), csv.get(15));
    }

    @Test
    void gradflowUnwritableOutputIsARuntimeError() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertEquals(1, run("gradflow", "--lag", "4", "--steps", "1", "--hidden", "2", "--batch", "2", "--test", "2",
                "--out", file.toString()));
        String e = err();
        assertTrue(e.startsWith("rnn4j gradflow: cannot write to ") && e.indexOf('\n') == e.length() - 1, e);
    }
}
