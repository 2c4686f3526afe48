package org.rnn4j.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.rnn4j.cell.CellType;
import org.rnn4j.cell.Direction;
import org.rnn4j.cell.MergeMode;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.check.EngineCheck;
import org.rnn4j.check.GradientCheck;
import org.rnn4j.check.ReferenceRnn;
import org.rnn4j.kernel.KernelSelector;
import org.rnn4j.kernel.Kernels;

/**
 * {@code rnn4j gradcheck}: (1) the double reference's BPTT against central differences (PyTorch
 * gradcheck's criterion), (2) the float engine against the reference, on a random problem with
 * variable lengths and random initial states. Exit code 0 when both pass, 1 when either fails,
 * 2 on a usage error.
 */
final class GradcheckCommand {
    private GradcheckCommand() {}

    static final String USAGE = String.join("\n",
            "usage: rnn4j gradcheck --cell rnn|rnn_relu|lstm|gru [options]",
            "",
            "Checks every gradient of a random stacked RNN twice: the double-precision reference's",
            "backpropagation through time against central differences (|a - n| <= atol + rtol*|n|), then",
            "the float engine (SIMD and scalar kernels) against the reference (normwise relative error).",
            "The loss is L = sum(output*R) + sum(h_n*R_h) (+ sum(c_n*R_c)) with seeded random R; sequences",
            "have random lengths in [1, T] (one has length T) and random initial states.",
            "",
            "options (defaults in brackets):",
            "  --cell C          rnn (= rnn_tanh), rnn_relu, lstm or gru       (required)",
            "  --layers N        stacked layers                                [1]",
            "  --hidden H        hidden size                                   [6]",
            "  --input I         input size                                    [4]",
            "  --seq T           sequence length                               [5]",
            "  --batch B         batch size                                    [3]",
            "  --seed S          seeds weights, inputs, lengths, states and R  [1]",
            "  --bidirectional   two directions per layer, outputs concatenated",
            "  --reverse         one direction, reading each sequence backwards",
            "  --merge M         concat or sum: how --bidirectional joins them  [concat]",
            "  --proj P          lstm: project h to P < H (PyTorch proj_size)",
            "  --peephole        lstm: peephole connections from c to i, f, o",
            "  --reset-before    gru: reset gate before the recurrent matmul (ONNX linear_before_reset=0)",
            "  --full-length     all sequences of length T",
            "  --eps E --atol A --rtol R   finite-difference step and tolerances [1e-6, 1e-5, 1e-3]",
            "  --sample N        check at most N elements per tensor (seeded) [all]",
            "  --tolerance X     engine vs reference: relative normwise part   [1e-4]",
            "  --engine-atol X   engine vs reference: absolute part per element [1e-6]",
            "",
            "A relu RNN (--cell rnn_relu) is not differentiable where a pre-activation is 0; a seed that puts",
            "one within eps of 0 fails the finite-difference check there: try another --seed.",
            "",
            "exit code: 0 all checks passed, 1 a check failed, 2 usage error");

    static int run(String[] args, PrintStream out, PrintStream err) {
        CellType cell = null;
        int layers = 1;
        int hidden = 6;
        int input = 4;
        int seq = 5;
        int batch = 3;
        long seed = 1;
        boolean fullLength = false;
        Direction direction = Direction.FORWARD;
        MergeMode merge = MergeMode.CONCAT;
        int proj = 0;
        boolean peephole = false;
        boolean resetBefore = false;
        GradientCheck.Options opt = GradientCheck.Options.DEFAULTS;
        double tolerance = EngineCheck.DEFAULT_TOLERANCE;
        double engineAtol = EngineCheck.ABSOLUTE_TOLERANCE;
        try {
            for (int i = 1; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--help":
                    case "-h":
                        out.println(USAGE);
                        return 0;
                    case "--cell":
                        cell = CellType.parse(value(args, ++i, a));
                        break;
                    case "--layers":
                        layers = positive(args, ++i, a);
                        break;
                    case "--hidden":
                        hidden = positive(args, ++i, a);
                        break;
                    case "--input":
                        input = positive(args, ++i, a);
                        break;
                    case "--seq":
                        seq = positive(args, ++i, a);
                        break;
                    case "--batch":
                        batch = positive(args, ++i, a);
                        break;
                    case "--seed":
                        seed = Long.parseLong(value(args, ++i, a));
                        break;
                    case "--full-length":
                        fullLength = true;
                        break;
                    case "--bidirectional":
                        direction = Direction.BIDIRECTIONAL;
                        break;
                    case "--reverse":
                        direction = Direction.REVERSE;
                        break;
                    case "--merge":
                        merge = MergeMode.parse(value(args, ++i, a));
                        break;
                    case "--proj":
                        proj = positive(args, ++i, a);
                        break;
                    case "--peephole":
                        peephole = true;
                        break;
                    case "--reset-before":
                        resetBefore = true;
                        break;
                    case "--eps":
                        opt = opt.withEps(Double.parseDouble(value(args, ++i, a)));
                        break;
                    case "--atol":
                        opt = opt.withAtol(Double.parseDouble(value(args, ++i, a)));
                        break;
                    case "--rtol":
                        opt = opt.withRtol(Double.parseDouble(value(args, ++i, a)));
                        break;
                    case "--sample":
                        opt = opt.withMaxElementsPerTensor(positive(args, ++i, a));
                        break;
                    case "--tolerance":
                        tolerance = Double.parseDouble(value(args, ++i, a));
                        if (!(tolerance > 0)) {
                            throw new IllegalArgumentException("--tolerance must be > 0, got " + tolerance);
                        }
                        break;
                    case "--engine-atol":
                        engineAtol = Double.parseDouble(value(args, ++i, a));
                        if (!(engineAtol >= 0)) {
                            throw new IllegalArgumentException("--engine-atol must be >= 0, got " + engineAtol);
                        }
                        break;
                    default:
                        throw new IllegalArgumentException("unknown option '" + a + "'");
                }
            }
            if (cell == null) {
                throw new IllegalArgumentException("--cell is required (rnn, rnn_relu, lstm or gru)");
            }
            opt = opt.withSeed(seed);   // sampling follows --seed wherever it appears
            long biggest = (long) seq * batch * Math.max(input, hidden) + (long) layers * batch * hidden;
            if (biggest > 50_000_000L) {
                throw new IllegalArgumentException("problem too large for a gradient check: T·B·max(I, H) = "
                        + (long) seq * batch * Math.max(input, hidden) + " (keep it below 5e7)");
            }
        } catch (NumberFormatException e) {
            err.println("rnn4j gradcheck: not a number: " + e.getMessage());
            return 2;
        } catch (IllegalArgumentException e) {
            err.println("rnn4j gradcheck: " + e.getMessage());
            return 2;
        }

        RnnSpec spec;
        try {
            spec = RnnSpec.builder(cell, input, hidden).numLayers(layers).direction(direction).merge(merge)
                    .projSize(proj).peephole(peephole).resetBefore(resetBefore).build();
        } catch (IllegalArgumentException e) {
            err.println("rnn4j gradcheck: " + e.getMessage());
            return 2;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        RnnWeights weights = new RnnWeights(spec).initUniform(rnd.nextLong());
        int[] lengths = new int[batch];
        for (int b = 0; b < batch; b++) {
            lengths[b] = fullLength ? seq : 1 + rnd.nextInt(seq);
        }
        lengths[rnd.nextInt(batch)] = seq;
        float[] x = uniform(rnd, seq * batch * input);
        float[] h0 = uniform(rnd, spec.numUnits() * batch * spec.stateSize());
        float[] c0 = cell.hasCellState() ? uniform(rnd, spec.numUnits() * batch * hidden) : null;
        long upstreamSeed = rnd.nextLong();

        out.printf(Locale.ROOT, "rnn4j gradcheck: %s, T=%d, B=%d, lengths=%s, seed=%d%n%n",
                spec.describe(), seq, batch, Arrays.toString(lengths), seed);

        ReferenceRnn ref = ReferenceRnn.of(spec);
        for (String name : weights.names()) {
            ref.setParameter(name, weights.get(name));
        }
        out.println("1. reference (double) backpropagation through time vs central differences");
        GradientCheck.Report fd = GradientCheck.checkReferenceRnn(ref, widen(x), seq, batch, lengths, widen(h0),
                widen(c0), null, upstreamSeed, opt);
        out.println(fd.table());
        boolean ok = fd.passed();

        Kernels[] kernels = KernelSelector.simdAvailable()
                ? new Kernels[] {Kernels.simd(), Kernels.scalar()} : new Kernels[] {Kernels.scalar()};
        int part = 2;
        for (Kernels k : kernels) {
            EngineCheck.Report r = EngineCheck.compare(weights, k, x, seq, batch, lengths, h0, c0, upstreamSeed,
                    tolerance, engineAtol);
            out.printf(Locale.ROOT, "%d. float engine (%s kernels) vs reference: outputs, states, every gradient%n",
                    part++, k.name());
            out.println(r.table());
            ok &= r.passed();
        }
        if (!KernelSelector.simdAvailable()) {
            out.println("(SIMD kernels not active: " + KernelSelector.ENABLE_HINT + ")");
        }
        out.println(ok ? "gradcheck: PASS" : "gradcheck: FAIL");
        return ok ? 0 : 1;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int positive(String[] args, int i, String option) {
        int v = Integer.parseInt(value(args, i, option));
        if (v < 1) {
            throw new IllegalArgumentException(option + " must be >= 1, got " + v);
        }
        return v;
    }

    private static float[] uniform(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (2 * r.nextDouble() - 1);
        }
        return a;
    }

    private static double[] widen(float[] a) {
        if (a == null) {
            return null;
        }
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
