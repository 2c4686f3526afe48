package org.rnn4j.cli;

import java.io.PrintStream;
import java.util.Locale;
import org.rnn4j.lm.Trainer;

/**
 * Training progress: on a terminal one line redrawn in place (a bar, loss, tokens/s, ETA); otherwise
 * a plain log line every 10 % of an epoch, so that logs and pipes get no control characters.
 */
final class Progress {
    private final PrintStream out;
    private final boolean terminal;
    private final long totalSteps;
    private final long firstStep;
    private final long start = System.nanoTime();
    private long tokens;
    private long lastDraw;
    private boolean drawn;
    private double smoothLoss = Double.NaN;

    /**
     * @param out where to print
     * @param terminal redraw one line (true) or print log lines (false)
     * @param totalSteps optimizer steps of the whole run
     * @param firstStep steps already done (a resumed run)
     */
    Progress(PrintStream out, boolean terminal, long totalSteps, long firstStep) {
        this.out = out;
        this.terminal = terminal;
        this.totalSteps = totalSteps;
        this.firstStep = firstStep;
    }

    /**
     * Whether standard output is an interactive terminal: {@code System.console()} exists and, on
     * JDK 22+ where it also exists for redirected output, {@code Console.isTerminal()} says so.
     */
    static boolean isTerminal() {
        java.io.Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true;   // JDK < 22: a console exists only for a terminal
        }
    }

    void step(Trainer.Position p, int epochs, int perEpoch, double loss, int chunkTokens) {
        tokens += chunkTokens;
        smoothLoss = Double.isNaN(smoothLoss) ? loss : 0.98 * smoothLoss + 0.02 * loss;
        long now = System.nanoTime();
        double elapsed = (now - start) / 1e9;
        long done = p.steps - firstStep;
        double rate = tokens / Math.max(elapsed, 1e-9);
        double eta = done == 0 ? 0 : elapsed / done * (totalSteps - p.steps);
        if (terminal) {
            if (now - lastDraw < 200_000_000L && p.chunk != perEpoch) {
                return;
            }
            lastDraw = now;
            int width = 24;
            int fill = (int) Math.min(width, Math.round(width * (double) p.steps / Math.max(1, totalSteps)));
            out.printf(Locale.ROOT, "\r[%s%s] %3d%% epoch %d/%d  loss %.3f  %.1fk tok/s  ETA %s ",
                    "#".repeat(fill), ".".repeat(width - fill), 100 * p.steps / Math.max(1, totalSteps),
                    Math.min(p.epoch + 1, epochs), epochs, smoothLoss, rate / 1000, clock(eta));
            out.flush();
            drawn = true;
        } else if (p.chunk % Math.max(1, perEpoch / 10) == 0 || p.chunk == perEpoch) {
            out.printf(Locale.ROOT, "epoch %d/%d step %d/%d: loss %.4f, %.1fk tokens/s, ETA %s%n",
                    p.epoch + 1, epochs, p.chunk, perEpoch, smoothLoss, rate / 1000, clock(eta));
        }
    }

    /** Ends the redrawn line before other output. */
    void clear() {
        if (drawn) {
            out.print("\r" + " ".repeat(79) + "\r");
            out.flush();
            drawn = false;
        }
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
