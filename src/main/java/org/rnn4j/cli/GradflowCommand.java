package org.rnn4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.longterm.AddingProblem;
import org.rnn4j.longterm.FlowPlot;
import org.rnn4j.longterm.GradientFlow;
import org.rnn4j.longterm.LongtermTrainer;
import org.rnn4j.longterm.Task;
import org.rnn4j.longterm.TaskModel;
import org.rnn4j.longterm.Variant;

/**
 * {@code rnn4j gradflow}: ‖∂L/∂h_t‖ against the distance to the loss on the adding problem, per cell,
 * at initialization and after training; a table on stdout, an SVG plot and a CSV in the output folder.
 */
final class GradflowCommand {
    private GradflowCommand() {}

    static final int DEFAULT_LAG = 100;
    static final double DEFAULT_TRAIN_SECONDS = 30;

    static final String USAGE = String.join("\n",
            "usage: rnn4j gradflow [options]",
            "",
            "The vanishing-gradient picture, measured. On the adding problem at lag T (the loss reads the last",
            "step only), for each cell: the mean over a batch of ||dL/dh_t|| for every step t, against the",
            "distance T - t to the loss, at initialization and again after training (Adam, clipping, as in",
            "rnn4j longterm). dL/dh_t is exact: the engine's dL/dh0 of the steps after t, started from h_t",
            "(and c_t). Prints the table at distances 1, 2, 5, 10, 20, 50, 100, ... and T, and writes",
            "DIR/gradflow.svg (log-scale y, one colour per cell, dashed = init, solid = trained) and",
            "DIR/gradflow.csv (every distance; for the LSTM also ||dL/dc_t||).",
            "",
            "options (defaults in brackets):",
            "  --lag T               the adding problem's length                    [" + DEFAULT_LAG + "]",
            "  --cells C1,C2,...     rnn, irnn, lstm, gru                           [" + LongtermCommand.DEFAULT_CELLS + "]",
            "  --train-seconds S     training time per cell                         [" + LongtermCommand.fmt(DEFAULT_TRAIN_SECONDS) + "]",
            "  --steps N             a fixed number of optimizer steps instead (deterministic)",
            "  --hidden H            hidden size                                    [" + LongtermCommand.DEFAULT_HIDDEN + "]",
            "  --batch B             sequences per step and in the measured batch   [" + LongtermCommand.DEFAULT_BATCH + "]",
            "  --lr X                Adam learning rate                             [" + LongtermCommand.DEFAULT_LR + "]",
            "  --clip X              clip the gradient's global norm (0 = off)      [1]",
            "  --test N              held-out sequences for the test MSE            [" + LongtermCommand.DEFAULT_TEST + "]",
            "  --seed S              seeds data, measured batch and initialization  [1]",
            "  --out DIR             where gradflow.svg and gradflow.csv go         [rnn4j-out]",
            "",
            "exit code: 0 done, 1 runtime error (e.g. DIR not writable), 2 usage error");

    private static final Set<String> VALUED = Set.of("--lag", "--cells", "--train-seconds", "--steps", "--hidden",
            "--batch", "--lr", "--clip", "--test", "--seed", "--out");
    private static final Set<String> FLAGS = Set.of("--help", "-h");

    private static final String[] COLOURS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"};

    static int run(String[] argv, PrintStream out, PrintStream err) {
        Args a;
        try {
            a = new Args("gradflow", argv, VALUED, FLAGS);
        } catch (IllegalArgumentException e) {
            err.println("rnn4j gradflow: " + e.getMessage());
            return 2;
        }
        if (a.has("--help") || a.has("-h")) {
            out.println(USAGE);
            return 0;
        }
        AddingProblem task;
        List<Variant> cells;
        LongtermTrainer.Settings settings;
        LongtermTrainer.Budget budget;
        Path dir;
        try {
            task = new AddingProblem(a.integer("--lag", DEFAULT_LAG, 2));
            try {
                cells = Variant.parseList(a.string("--cells", LongtermCommand.DEFAULT_CELLS));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--cells: " + e.getMessage());
            }
            budget = LongtermCommand.budget(a, "--train-seconds", DEFAULT_TRAIN_SECONDS);
            settings = new LongtermTrainer.Settings(a.integer("--hidden", LongtermCommand.DEFAULT_HIDDEN, 1),
                    a.integer("--batch", LongtermCommand.DEFAULT_BATCH, 1),
                    a.real("--lr", LongtermCommand.DEFAULT_LR, Double.MIN_VALUE, 10), a.real("--clip", 1, 0, 1e12),
                    a.integer("--test", LongtermCommand.DEFAULT_TEST, 1), a.longValue("--seed", 1));
            dir = Path.of(a.string("--out", "rnn4j-out"));
        } catch (IllegalArgumentException e) {
            err.println("rnn4j gradflow: " + e.getMessage());
            return 2;
        }
        try {
            Files.createDirectories(dir);
            return run(task, cells, settings, budget, dir, out);
        } catch (IOException e) {
            err.println("rnn4j gradflow: cannot write to " + dir + ": " + e.getMessage());
            return 1;
        } catch (RuntimeException | OutOfMemoryError e) {
            err.println("rnn4j gradflow: " + e);
            return 1;
        }
    }

    private static int run(AddingProblem task, List<Variant> cells, LongtermTrainer.Settings s,
                           LongtermTrainer.Budget budget, Path dir, PrintStream out) throws IOException {
        int lag = task.lag();
        out.printf(Locale.ROOT, "rnn4j gradflow: adding problem, T = %d; cells %s; hidden %d; mean over a batch of %d"
                        + " sequences of ||dL/dh_t||, L = each sequence's squared error at the last step%n", lag,
                String.join(",", cells.stream().map(Variant::id).toArray(String[]::new)), s.hidden(), s.batch());
        out.printf(Locale.ROOT, "java %s, %s%n", System.getProperty("java.version"), Kernels.get().name());
        if (budget.deterministic()) {
            out.printf(Locale.ROOT, "training: %d steps per cell (Adam lr %s, clip %s, batch %d, seed %d;"
                            + " deterministic)%n", budget.maxSteps(), LongtermCommand.fmt(s.lr()),
                    LongtermCommand.fmt(s.clip()), s.batch(), s.seed());
        } else {
            out.printf(Locale.ROOT, "training: %s s per cell (Adam lr %s, clip %s, batch %d, seed %d; the steps that"
                            + " fit depend on the machine and its load)%n", LongtermCommand.fmt(budget.maxSeconds()),
                    LongtermCommand.fmt(s.lr()), LongtermCommand.fmt(s.clip()), s.batch(), s.seed());
        }
        LongtermTrainer trainer = new LongtermTrainer(task, s);
        Task.Batch probe = task.newBatch(s.batch());
        task.fill(new SplittableRandom(LongtermTrainer.derive(s.seed(), 4)), s.batch(), probe);

        out.println();
        out.printf(Locale.ROOT, "cell    steps  train s  test MSE  (baseline: always 1, %.4f on the same %d sequences)%n",
                trainer.baseline().loss(), s.testSize());
        List<GradientFlow.Profile> init = new ArrayList<>();
        List<GradientFlow.Profile> trained = new ArrayList<>();
        for (Variant v : cells) {
            TaskModel model = trainer.newModel(v);
            init.add(GradientFlow.measure(model, probe));
            LongtermTrainer.Result r = trainer.train(model, budget);
            trained.add(GradientFlow.measure(model, probe));
            out.printf(Locale.ROOT, "%-5s %7d  %7.1f  %8.4f  %s%n", v.id(), r.steps(), r.seconds(), r.test().loss(),
                    r.divergence() == null ? "" : "diverged: " + r.divergence());
            out.flush();
        }

        out.println();
        out.println("mean ||dL/dh_t|| at distance T - t from the loss (init = at initialization, trained = after"
                + " training)");
        StringBuilder head = new StringBuilder("distance");
        for (Variant v : cells) {
            head.append(String.format(Locale.ROOT, "  %11s  %11s", v.id() + " init", v.id() + " trained"));
        }
        out.println(head);
        for (int d : GradientFlow.tableDistances(lag)) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%8d", d));
            for (int i = 0; i < cells.size(); i++) {
                row.append(String.format(Locale.ROOT, "  %11.3e  %11.3e", init.get(i).hAtDistance(d),
                        trained.get(i).hAtDistance(d)));
            }
            out.println(row);
        }

        List<FlowPlot.Series> series = new ArrayList<>();
        StringBuilder csv = new StringBuilder("distance,cell,init_dh,trained_dh,init_dc,trained_dc\n");
        for (int i = 0; i < cells.size(); i++) {
            Variant v = cells.get(i);
            String colour = COLOURS[v.ordinal() % COLOURS.length];
            series.add(new FlowPlot.Series(v.id(), colour, true, byDistance(init.get(i), lag)));
            series.add(new FlowPlot.Series(v.id(), colour, false, byDistance(trained.get(i), lag)));
            for (int d = 0; d <= lag; d++) {
                csv.append(d).append(',').append(v.id()).append(',')
                        .append(num(init.get(i).hAtDistance(d))).append(',')
                        .append(num(trained.get(i).hAtDistance(d))).append(',')
                        .append(num(init.get(i).cAtDistance(d))).append(',')
                        .append(num(trained.get(i).cAtDistance(d))).append('\n');
            }
        }
        String title = "adding problem, T = " + lag + ", H = " + s.hidden() + ": mean ||dL/dh_t|| over " + s.batch()
                + " sequences";
        String trainedText = budget.deterministic() ? "solid: after " + budget.maxSteps() + " steps"
                : "solid: after " + LongtermCommand.fmt(budget.maxSeconds()) + " s";
        Path svg = dir.resolve("gradflow.svg");
        Path csvFile = dir.resolve("gradflow.csv");
        FlowPlot.write(svg, FlowPlot.svg(title, lag, series, "dashed: at initialization", trainedText));
        FlowPlot.write(csvFile, csv.toString());
        out.println();
        out.println("wrote " + svg + " and " + csvFile);
        return 0;
    }

    private static double[] byDistance(GradientFlow.Profile p, int lag) {
        double[] v = new double[lag + 1];
        for (int d = 0; d <= lag; d++) {
            v[d] = p.hAtDistance(d);
        }
        return v;
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6e", v);
    }
}
