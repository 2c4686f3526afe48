package org.rnn4j.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.longterm.AddingProblem;
import org.rnn4j.longterm.CopyTask;
import org.rnn4j.longterm.LongtermTrainer;
import org.rnn4j.longterm.Score;
import org.rnn4j.longterm.Task;
import org.rnn4j.longterm.Variant;

/**
 * {@code rnn4j longterm}: trains the tanh RNN, IRNN, LSTM and GRU on the adding problem or the copy
 * task at several lags, each under the same budget, and prints a table of held-out scores next to the
 * task's baseline.
 */
final class LongtermCommand {
    private LongtermCommand() {}

    static final String DEFAULT_LAGS = "50,100,200";
    static final String DEFAULT_CELLS = "rnn,irnn,lstm,gru";
    static final int DEFAULT_HIDDEN = 64;
    static final int DEFAULT_BATCH = 32;
    static final double DEFAULT_BUDGET_SECONDS = 30;
    static final double DEFAULT_LR = 3e-3;
    static final int DEFAULT_TEST = 1000;

    static final String USAGE = String.join("\n",
            "usage: rnn4j longterm [options]",
            "",
            "Trains a tanh RNN (PyTorch default init), an IRNN (relu, W_hh = I, zero biases; Le et al. 2015),",
            "an LSTM (forget-gate bias 1) and a GRU on a long-term-dependency benchmark at each lag, every cell",
            "with the same data, the same budget, Adam and gradient clipping, and prints the score on a fixed",
            "held-out set next to the task's trivial baseline, with the steps done in the budget.",
            "",
            "tasks:",
            "  adding   input (T, B, 2): a value in [0,1) and a marker, 1 at one step of each half; predict the",
            "           sum of the two marked values from the last step (MSE). Baseline: always predict 1,",
            "           measured on the test set (expected MSE 1/6 = 0.1667).",
            "  copy     K symbols of an alphabet of A, T blanks, a delimiter, K blanks: output the K symbols at",
            "           the last K steps (cross-entropy). Baseline: the memoryless strategy, a uniform guess:",
            "           accuracy 1/A and cross-entropy log A nats per symbol (exact expectations).",
            "",
            "options (defaults in brackets):",
            "  --task adding|copy    the benchmark                                  [adding]",
            "  --lags L1,L2,...      lags T to train at                             [" + DEFAULT_LAGS + "]",
            "  --cells C1,C2,...     rnn, irnn, lstm, gru                           [" + DEFAULT_CELLS + "]",
            "  --budget-seconds S    training time per cell and lag                 [" + fmt(DEFAULT_BUDGET_SECONDS) + "]",
            "  --steps N             a fixed number of optimizer steps instead (deterministic)",
            "  --hidden H            hidden size                                    [" + DEFAULT_HIDDEN + "]",
            "  --batch B             sequences per step                             [" + DEFAULT_BATCH + "]",
            "  --lr X                Adam learning rate                             [" + DEFAULT_LR + "]",
            "  --clip X              clip the gradient's global norm (0 = off)      [1]",
            "  --test N              held-out sequences per lag                     [" + DEFAULT_TEST + "]",
            "  --symbols K           copy: symbols to remember                      [10]",
            "  --alphabet A          copy: alphabet size                            [8]",
            "  --seed S              seeds data, test set and initialization        [1]",
            "",
            "Results are deterministic given the seed, except how many steps fit in a time budget (that",
            "depends on the machine and its load); with --steps the whole run is deterministic.",
            "",
            "exit code: 0 done, 1 runtime error, 2 usage error");

    private static final Set<String> VALUED = Set.of("--task", "--lags", "--cells", "--budget-seconds", "--steps",
            "--hidden", "--batch", "--lr", "--clip", "--test", "--symbols", "--alphabet", "--seed");
    private static final Set<String> FLAGS = Set.of("--help", "-h");

    static int run(String[] argv, PrintStream out, PrintStream err) {
        Args a;
        try {
            a = new Args("longterm", argv, VALUED, FLAGS);
        } catch (IllegalArgumentException e) {
            err.println("rnn4j longterm: " + e.getMessage());
            return 2;
        }
        if (a.has("--help") || a.has("-h")) {
            out.println(USAGE);
            return 0;
        }
        List<Task> tasks;
        List<Variant> cells;
        LongtermTrainer.Settings settings;
        LongtermTrainer.Budget budget;
        try {
            String task = a.string("--task", "adding");
            if (!task.equals("adding") && !task.equals("copy")) {
                throw new IllegalArgumentException("--task must be adding or copy, got '" + task + "'");
            }
            boolean copy = task.equals("copy");
            if (!copy && (a.has("--symbols") || a.has("--alphabet"))) {
                throw new IllegalArgumentException((a.has("--symbols") ? "--symbols" : "--alphabet")
                        + " applies to --task copy only");
            }
            int symbols = a.integer("--symbols", 10, 1);
            int alphabet = a.integer("--alphabet", 8, 2);
            tasks = new ArrayList<>();
            for (int lag : lags(a.string("--lags", DEFAULT_LAGS))) {
                try {
                    tasks.add(copy ? new CopyTask(lag, symbols, alphabet) : new AddingProblem(lag));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--lags: " + e.getMessage());
                }
            }
            try {
                cells = Variant.parseList(a.string("--cells", DEFAULT_CELLS));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--cells: " + e.getMessage());
            }
            budget = budget(a, "--budget-seconds", DEFAULT_BUDGET_SECONDS);
            settings = new LongtermTrainer.Settings(a.integer("--hidden", DEFAULT_HIDDEN, 1),
                    a.integer("--batch", DEFAULT_BATCH, 1), a.real("--lr", DEFAULT_LR, Double.MIN_VALUE, 10),
                    a.real("--clip", 1, 0, 1e12), a.integer("--test", DEFAULT_TEST, 1), a.longValue("--seed", 1));
        } catch (IllegalArgumentException e) {
            err.println("rnn4j longterm: " + e.getMessage());
            return 2;
        }
        try {
            return run(tasks, cells, settings, budget, out);
        } catch (RuntimeException | OutOfMemoryError e) {
            err.println("rnn4j longterm: " + e);
            return 1;
        }
    }

    /** Parses "50,100,200": integers, no repeats. */
    static List<Integer> lags(String csv) {
        List<Integer> list = new ArrayList<>();
        for (String s : csv.split(",", -1)) {
            int v;
            try {
                v = Integer.parseInt(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--lags must be a comma-separated list of integers, got '" + csv + "'");
            }
            if (list.contains(v)) {
                throw new IllegalArgumentException("--lags: " + v + " listed twice");
            }
            list.add(v);
        }
        return list;
    }

    /** --steps N or --<seconds> S (not both); the default is the time budget. */
    static LongtermTrainer.Budget budget(Args a, String secondsOption, double dflt) {
        if (a.has("--steps") && a.has(secondsOption)) {
            throw new IllegalArgumentException("--steps and " + secondsOption + " are mutually exclusive");
        }
        if (a.has("--steps")) {
            return LongtermTrainer.Budget.steps(a.integer("--steps", 0, 0));
        }
        return LongtermTrainer.Budget.seconds(a.real(secondsOption, dflt, 0, 1e9));
    }

    private static int run(List<Task> tasks, List<Variant> cells, LongtermTrainer.Settings s,
                           LongtermTrainer.Budget budget, PrintStream out) {
        Task first = tasks.get(0);
        boolean copy = first.classification();
        long t0 = System.nanoTime();
        out.printf(Locale.ROOT, "rnn4j longterm: %s; cells %s; hidden %d, batch %d, Adam lr %s, clip %s, seed %d%n",
                copy ? "copy task, K = " + ((CopyTask) first).symbols() + " symbols of A = "
                        + ((CopyTask) first).alphabet() : "adding problem",
                String.join(",", cells.stream().map(Variant::id).toArray(String[]::new)), s.hidden(), s.batch(),
                fmt(s.lr()), fmt(s.clip()), s.seed());
        out.printf(Locale.ROOT, "java %s, %s%n", System.getProperty("java.version"), Kernels.get().name());
        if (budget.deterministic()) {
            out.printf(Locale.ROOT, "budget: %d optimizer steps per cell and lag (deterministic given the seed)%n",
                    budget.maxSteps());
        } else {
            out.printf(Locale.ROOT, "budget: %s s of training per cell and lag (the steps that fit depend on the"
                    + " machine and its load: not deterministic)%n", fmt(budget.maxSeconds()));
        }
        if (copy) {
            CopyTask c = (CopyTask) first;
            out.printf(Locale.ROOT, "test: %d held-out sequences per lag; baseline = memoryless uniform guess:"
                    + " accuracy 1/A = %.4f, cross-entropy log A = %.4f nats/symbol%n", s.testSize(),
                    1.0 / c.alphabet(), Math.log(c.alphabet()));
            out.println();
            out.println("  lag  cell   accuracy  chance   xent (nats)  log A    steps  train s  note");
        } else {
            out.printf(Locale.ROOT, "test: %d held-out sequences per lag; baseline = always predict 1 on the same"
                    + " set (expected MSE 1/6 = %.4f)%n", s.testSize(), AddingProblem.EXPECTED_BASELINE_MSE);
            out.println();
            out.println("  lag  cell    test MSE  baseline  MSE/baseline    steps  train s  note");
        }
        for (Task task : tasks) {
            LongtermTrainer trainer = new LongtermTrainer(task, s);
            for (Variant v : cells) {
                LongtermTrainer.Result r = trainer.run(v, budget);
                Score t = r.test();
                Score b = r.baseline();
                String note = r.divergence() == null ? "" : "diverged: " + r.divergence();
                if (copy) {
                    out.printf(Locale.ROOT, "%5d  %-5s  %8.4f  %6.4f   %10s  %6.4f  %7d  %7.1f  %s%n", task.lag(),
                            v.id(), t.accuracy(), b.accuracy(), num(t.loss()), b.loss(), r.steps(), r.seconds(), note);
                } else {
                    out.printf(Locale.ROOT, "%5d  %-5s  %9s  %8.4f  %12s  %7d  %7.1f  %s%n", task.lag(), v.id(),
                            num(t.loss()), b.loss(), num(t.loss() / b.loss()), r.steps(), r.seconds(), note);
                }
                out.flush();
            }
        }
        out.printf(Locale.ROOT, "%ntotal %.1f s%n", (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    /** 4 decimals, or 3 significant digits in exponent form outside [1e-4, 1e4) (e.g. a diverged run). */
    static String num(double v) {
        double m = Math.abs(v);
        return m == 0 || (m >= 1e-4 && m < 1e4) || !Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v)
                : String.format(Locale.ROOT, "%.3e", v);
    }

    static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
