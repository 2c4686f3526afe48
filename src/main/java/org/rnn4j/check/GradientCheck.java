package org.rnn4j.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

/**
 * Finite-difference gradient checks in double precision, for any scalar loss.
 *
 * <p>The caller names the tensors to check ({@link Target}): each is a live {@code double[]} that
 * the loss reads, and the analytic gradient of the loss with respect to it. For every checked
 * element {@code k} the checker sets {@code x[k] = x₀ + eps}, evaluates the loss, sets
 * {@code x[k] = x₀ − eps}, evaluates again, and puts back the original bits of {@code x₀} (also
 * when the loss throws). The numeric derivative is {@code n = (L(x₀+eps) − L(x₀−eps)) / (2·eps)}
 * and the element passes iff, as in PyTorch's {@code gradcheck},
 * <pre>  |a − n| ≤ atol + rtol·|n|</pre>
 * with {@code a} the analytic value. A NaN or infinite analytic or numeric value always fails.
 * Defaults: eps 1e-6, atol 1e-5, rtol 1e-3 ({@link Options#DEFAULTS}).
 *
 * <p>For big tensors, {@link Options#maxElementsPerTensor()} limits the elements checked per
 * tensor; which ones is decided by a {@link SplittableRandom} seeded from
 * {@link Options#seed()} and the tensor's name, so the same seed checks the same elements. The
 * element of largest |analytic| and every element whose analytic value is not finite are always
 * checked.
 *
 * <p>The loss is evaluated twice per checked element, on the calling thread, with all other
 * elements at their original values. It must be a deterministic function of the arrays.
 *
 * <p><b>Why one long file.</b> The check's public vocabulary (Target, Options, Row, Report) is nested
 * here with its Javadoc, so a caller finds the whole API in one place; the algorithm itself is short.
 */
public final class GradientCheck {
    private GradientCheck() {}

    /**
     * Checks every target against central differences of {@code loss}, with {@link Options#DEFAULTS}.
     *
     * @param loss the scalar loss; reads the targets' value arrays; not null
     * @param targets the tensors to check; not null, no null entries, distinct names
     * @return the report
     * @throws IllegalArgumentException on a null or inconsistent argument
     */
    public static Report check(DoubleSupplier loss, List<Target> targets) {
        return check(loss, targets, Options.DEFAULTS);
    }

    /**
     * Checks every target against central differences of {@code loss}.
     *
     * <p>Each target's value array is perturbed in place, one element at a time, and restored to its
     * original bits before the next element (and before an exception from the loss propagates).
     * Analytic arrays are only read.
     *
     * @param loss the scalar loss; reads the targets' value arrays; not null
     * @param targets the tensors to check, reported in this order; not null, no null entries,
     *                distinct names
     * @param options tolerances and sampling; not null
     * @return the report
     * @throws IllegalArgumentException on a null or inconsistent argument
     */
    public static Report check(DoubleSupplier loss, List<Target> targets, Options options) {
        if (loss == null) {
            throw new IllegalArgumentException("loss must not be null");
        }
        if (targets == null) {
            throw new IllegalArgumentException("targets must not be null");
        }
        if (options == null) {
            throw new IllegalArgumentException("options must not be null");
        }
        Set<String> names = new HashSet<>();
        for (int k = 0; k < targets.size(); k++) {
            Target t = targets.get(k);
            if (t == null) {
                throw new IllegalArgumentException("targets[" + k + "] must not be null");
            }
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("targets[" + k + "].name must be unique, got '" + t.name()
                        + "' twice");
            }
        }
        List<Row> rows = new ArrayList<>();
        for (Target t : targets) {
            rows.add(checkTarget(loss, t, options));
        }
        return new Report(rows, options);
    }

    private static Row checkTarget(DoubleSupplier loss, Target t, Options o) {
        double[] x = t.values();
        double[] analytic = t.analytic();
        int[] candidates = t.indices();
        if (candidates == null) {
            candidates = new int[x.length];
            for (int k = 0; k < x.length; k++) {
                candidates[k] = k;
            }
        }
        int[] chosen = sample(candidates, analytic, o.maxElementsPerTensor(), o.seed() ^ mix(t.name().hashCode()));

        int failed = 0;
        int nonFinite = 0;
        int worst = -1;
        int worstRank = -1;
        double worstScore = -1;
        double worstA = Double.NaN;
        double worstN = Double.NaN;
        double worstBound = Double.NaN;
        double twoEps = 2 * o.eps();
        for (int k : chosen) {
            double a = analytic[k];
            double n = (evaluate(loss, x, k, o.eps()) - evaluate(loss, x, k, -o.eps())) / twoEps;
            double diff = Math.abs(a - n);
            double bound = t.expectZero() ? 0 : o.atol() + o.rtol() * Math.abs(n);
            boolean finite = Double.isFinite(a) && Double.isFinite(n);
            boolean ok = finite && (t.expectZero() ? a == 0 && n == 0 : diff <= bound);
            // Worst = non-finite first, then failing, then largest |a − n| relative to its bound.
            int rank = !finite ? 2 : ok ? 0 : 1;
            double score = !finite ? 0
                    : bound > 0 ? diff / bound
                    : t.expectZero() ? Math.max(Math.abs(a), Math.abs(n)) : diff == 0 ? 0 : Double.MAX_VALUE;
            if (!finite) {
                nonFinite++;
            }
            if (!ok) {
                failed++;
            }
            if (rank > worstRank || (rank == worstRank && score > worstScore)) {
                worst = k;
                worstRank = rank;
                worstScore = score;
                worstA = a;
                worstN = n;
                worstBound = bound;
            }
        }
        int[] multi = worst >= 0 && t.shape() != null ? unflatten(worst, t.shape()) : null;
        return new Row(t.name(), chosen.length, candidates.length, x.length, failed, nonFinite, worst, multi,
                worstA, worstN, Math.abs(worstA - worstN), worstBound, failed == 0);
    }

    /** L with x[k] moved by delta, then x[k] restored bit for bit. */
    private static double evaluate(DoubleSupplier loss, double[] x, int k, double delta) {
        long bits = Double.doubleToRawLongBits(x[k]);
        x[k] = Double.longBitsToDouble(bits) + delta;
        try {
            return loss.getAsDouble();
        } finally {
            x[k] = Double.longBitsToDouble(bits);
        }
    }

    private static long mix(long z) {
        // SplitMix64 finalizer, so that similar names give unrelated streams.
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    /** The candidates to check, ascending: all, or up to max of them (see the class comment). */
    static int[] sample(int[] candidates, double[] analytic, int max, long seed) {
        if (candidates.length <= max) {
            return candidates.clone();
        }
        Set<Integer> forced = new HashSet<>();
        int largest = -1;
        for (int k : candidates) {
            double a = analytic[k];
            if (!Double.isFinite(a)) {
                forced.add(k);
            } else if (largest < 0 || Math.abs(a) > Math.abs(analytic[largest])) {
                largest = k;
            }
        }
        if (largest >= 0) {
            forced.add(largest);
        }
        int[] pool = Arrays.stream(candidates).filter(k -> !forced.contains(k)).toArray();
        int draw = Math.max(0, Math.min(pool.length, max - forced.size()));
        SplittableRandom rnd = new SplittableRandom(seed);
        // Partial Fisher–Yates: the first `draw` slots become a uniform sample without replacement.
        for (int i = 0; i < draw; i++) {
            int j = i + rnd.nextInt(pool.length - i);
            int tmp = pool[i];
            pool[i] = pool[j];
            pool[j] = tmp;
        }
        int[] out = new int[forced.size() + draw];
        int n = 0;
        for (int k : forced) {
            out[n++] = k;
        }
        System.arraycopy(pool, 0, out, n, draw);
        Arrays.sort(out);
        return out;
    }

    static int[] unflatten(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }

    // ================================================================== ReferenceRnn convenience

    /**
     * Checks {@link ReferenceRnn#backward} against central differences of
     * <pre>  L = Σ output⊙R_out + Σ h_n⊙R_h + Σ c_n⊙R_c</pre>
     * where R_out (T, B, O), R_h (L·D, B, P) and R_c (L·D, B, H, LSTM only) are drawn from U(−1, 1)
     * by a {@link SplittableRandom} seeded with {@code seed}; O = {@link ReferenceRnn#outputSize()},
     * P = {@link ReferenceRnn#stateSize()}, D = {@link ReferenceRnn#numDirections()}. The targets, in
     * order: every parameter, {@code weight_hr} and {@code weight_peephole} included (the model's
     * live arrays: perturbed in place and restored bitwise), {@code input} (its active positions),
     * {@code input[padded]} (its inactive positions, present only if there are any: analytic and
     * numeric must both be exactly 0), {@code h0}, and for the LSTM {@code c0}.
     *
     * <p>{@code input}, {@code h0}, {@code c0} and the masks are copied: the caller's arrays are
     * never written. A null {@code h0}/{@code c0} is checked as zeros.
     *
     * @param rnn the model; not null
     * @param input (T, B, I), as for {@link ReferenceRnn#forward}
     * @param seqLen T
     * @param batch B
     * @param lengths B lengths or null, as for {@link ReferenceRnn#forward}
     * @param h0 (L·D, B, P) or null
     * @param c0 (L·D, B, H) or null; LSTM only
     * @param dropoutMasks null or L−1 masks of (T, B, O), as for {@link ReferenceRnn#forward}
     * @param seed seeds the upstream tensors R
     * @param options tolerances and sampling; not null
     * @return the report, one row per target
     * @throws IllegalArgumentException on a bad argument, as {@link ReferenceRnn#forward} would
     */
    public static Report checkReferenceRnn(ReferenceRnn rnn, double[] input, int seqLen, int batch, int[] lengths,
                                           double[] h0, double[] c0, double[][] dropoutMasks, long seed,
                                           Options options) {
        if (rnn == null) {
            throw new IllegalArgumentException("rnn must not be null");
        }
        if (options == null) {
            throw new IllegalArgumentException("options must not be null");
        }
        // Validates every argument with forward's messages before anything is copied.
        ReferenceRnn.Forward fwd = rnn.forward(input, seqLen, batch, lengths, h0, c0, dropoutMasks);
        int units = rnn.numLayers() * rnn.numDirections();
        int H = rnn.hiddenSize();
        int P = rnn.stateSize();
        int O = rnn.outputSize();
        int I = rnn.inputSize();
        boolean lstm = rnn.cell().hasCellState();
        int[] len = fwd.lengths();
        double[] x = input.clone();
        double[] h = h0 == null ? new double[units * batch * P] : h0.clone();
        double[] c = !lstm ? null : c0 == null ? new double[units * batch * H] : c0.clone();
        double[][] masks = dropoutMasks == null ? null : dropoutMasks.clone();
        if (masks != null) {
            for (int l = 0; l < masks.length; l++) {
                masks[l] = masks[l] == null ? null : masks[l].clone();
            }
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] rOut = uniform(rnd, seqLen * batch * O);
        double[] rH = uniform(rnd, units * batch * P);
        double[] rC = lstm ? uniform(rnd, units * batch * H) : null;

        DoubleSupplier loss = () -> {
            ReferenceRnn.Forward f = rnn.forward(x, seqLen, batch, len, h, c, masks);
            return dot(f.output(), rOut) + dot(f.hN(), rH) + (lstm ? dot(f.cN(), rC) : 0);
        };
        ReferenceRnn.Gradients g = rnn.backward(rnn.forward(x, seqLen, batch, len, h, c, masks), rOut, rH, rC);

        List<Target> targets = new ArrayList<>();
        for (String name : rnn.parameterNames()) {
            targets.add(Target.of(name, rnn.parameter(name), g.parameter(name)).withShape(rnn.shape(name)));
        }
        int[][] split = activeAndPadded(len, seqLen, batch, I);
        targets.add(Target.of("input", x, g.input()).withShape(seqLen, batch, I).onlyAt(split[0]));
        if (split[1].length > 0) {
            targets.add(Target.of("input[padded]", x, g.input()).withShape(seqLen, batch, I).onlyAt(split[1])
                    .expectingZero());
        }
        targets.add(Target.of("h0", h, g.h0()).withShape(units, batch, P));
        if (lstm) {
            targets.add(Target.of("c0", c, g.c0()).withShape(units, batch, H));
        }
        return check(loss, targets, options);
    }

    /**
     * {@link #checkReferenceRnn(ReferenceRnn, double[], int, int, int[], double[], double[],
     * double[][], long, Options)} with full lengths, zero initial states, no dropout and
     * {@link Options#DEFAULTS}.
     *
     * @param rnn the model; not null
     * @param input (T, B, I)
     * @param seqLen T
     * @param batch B
     * @param seed seeds the upstream tensors
     * @return the report
     * @throws IllegalArgumentException on a bad argument
     */
    public static Report checkReferenceRnn(ReferenceRnn rnn, double[] input, int seqLen, int batch, long seed) {
        return checkReferenceRnn(rnn, input, seqLen, batch, null, null, null, null, seed, Options.DEFAULTS);
    }

    private static int[][] activeAndPadded(int[] len, int T, int B, int I) {
        int[] active = new int[T * B * I];
        int[] padded = new int[T * B * I];
        int na = 0;
        int np = 0;
        for (int t = 0; t < T; t++) {
            for (int b = 0; b < B; b++) {
                for (int j = 0; j < I; j++) {
                    int k = (t * B + b) * I + j;
                    if (t < len[b]) {
                        active[na++] = k;
                    } else {
                        padded[np++] = k;
                    }
                }
            }
        }
        return new int[][] {Arrays.copyOf(active, na), Arrays.copyOf(padded, np)};
    }

    private static double[] uniform(SplittableRandom rnd, int n) {
        double[] a = new double[n];
        for (int k = 0; k < n; k++) {
            a[k] = 2 * rnd.nextDouble() - 1;
        }
        return a;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += a[k] * b[k];
        }
        return s;
    }

    // ================================================================== types

    /**
     * A tensor to check: its live values (perturbed in place by the checker and restored bitwise),
     * the analytic gradient of the loss with respect to it, and optionally its shape, a subset of
     * its elements and an exact-zero expectation. Immutable apart from the arrays, which stay owned
     * by the caller; build with {@link #of} and the {@code with…} methods.
     *
     * @param name the row label; not null or empty, unique within one check
     * @param values the live values the loss reads; not null
     * @param analytic the analytic gradient, same length as {@code values}; not null; only read
     * @param shape the row-major shape, for reporting multi-indices; null = flat; else its product
     *              must equal {@code values.length}
     * @param indices the flat element indices to consider, distinct and in range; null = all
     * @param expectZero true: an element passes only if analytic and numeric are both exactly 0
     *                   (for inputs the loss must not depend on, such as padding)
     */
    public record Target(String name, double[] values, double[] analytic, int[] shape, int[] indices,
                         boolean expectZero) {

        /**
         * Validates the fields.
         *
         * @throws IllegalArgumentException naming the first bad field
         */
        public Target {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("name must not be null or empty, got "
                        + (name == null ? "null" : "''"));
            }
            if (values == null) {
                throw new IllegalArgumentException(name + ": values must not be null");
            }
            if (analytic == null) {
                throw new IllegalArgumentException(name + ": analytic must not be null");
            }
            if (analytic.length != values.length) {
                throw new IllegalArgumentException(name + ": analytic.length must equal values.length = "
                        + values.length + ", got " + analytic.length);
            }
            if (shape != null) {
                long n = 1;
                for (int d : shape) {
                    if (d < 0) {
                        throw new IllegalArgumentException(name + ": shape dimensions must be >= 0, got "
                                + Arrays.toString(shape));
                    }
                    n *= d;
                }
                if (n != values.length) {
                    throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape)
                            + " has " + n + " elements, but values.length = " + values.length);
                }
                shape = shape.clone();
            }
            if (indices != null) {
                boolean[] seen = new boolean[values.length];
                for (int k : indices) {
                    if (k < 0 || k >= values.length) {
                        throw new IllegalArgumentException(name + ": indices must be in [0, " + values.length
                                + "), got " + k);
                    }
                    if (seen[k]) {
                        throw new IllegalArgumentException(name + ": indices must be distinct, got " + k + " twice");
                    }
                    seen[k] = true;
                }
                indices = indices.clone();
            }
        }

        /**
         * A flat target over all elements.
         *
         * @param name the row label
         * @param values the live values the loss reads
         * @param analytic the analytic gradient, same length
         * @return the target
         * @throws IllegalArgumentException on a null or mismatched argument
         */
        public static Target of(String name, double[] values, double[] analytic) {
            return new Target(name, values, analytic, null, null, false);
        }

        /**
         * @param newShape the row-major shape (product = values.length), copied
         * @return a copy of this target with that shape
         */
        public Target withShape(int... newShape) {
            return new Target(name, values, analytic, newShape, indices, expectZero);
        }

        /**
         * @param newIndices the flat indices to consider (distinct, in range), copied; null = all
         * @return a copy of this target restricted to those elements
         */
        public Target onlyAt(int[] newIndices) {
            return new Target(name, values, analytic, shape, newIndices, expectZero);
        }

        /** @return a copy of this target whose elements must have analytic = numeric = 0 exactly */
        public Target expectingZero() {
            return new Target(name, values, analytic, shape, indices, true);
        }

        /** @return a copy of the shape, or null */
        @Override
        public int[] shape() {
            return shape == null ? null : shape.clone();
        }

        /** @return a copy of the indices, or null (= all) */
        @Override
        public int[] indices() {
            return indices == null ? null : indices.clone();
        }
    }

    /**
     * Tolerances and sampling of a check. Immutable; start from {@link #DEFAULTS} and change fields
     * with the {@code with…} methods.
     *
     * @param eps the central-difference step, finite and {@code > 0}
     * @param atol absolute tolerance, finite and {@code >= 0}
     * @param rtol relative tolerance (times |numeric|), finite and {@code >= 0}
     * @param maxElementsPerTensor at most this many elements per tensor are sampled (plus the
     *                             non-finite analytic ones), {@code >= 1}; {@link Integer#MAX_VALUE}
     *                             = check all
     * @param seed seeds the sampling
     */
    public record Options(double eps, double atol, double rtol, int maxElementsPerTensor, long seed) {
        /** PyTorch gradcheck's tolerances (eps 1e-6, atol 1e-5, rtol 1e-3), every element, seed 0. */
        public static final Options DEFAULTS = new Options(1e-6, 1e-5, 1e-3, Integer.MAX_VALUE, 0);

        /**
         * Validates the fields.
         *
         * @throws IllegalArgumentException naming the first bad field and its value
         */
        public Options {
            if (!(eps > 0 && eps < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("eps must be finite and > 0, got " + eps);
            }
            if (!(atol >= 0 && atol < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("atol must be finite and >= 0, got " + atol);
            }
            if (!(rtol >= 0 && rtol < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("rtol must be finite and >= 0, got " + rtol);
            }
            if (maxElementsPerTensor < 1) {
                throw new IllegalArgumentException("maxElementsPerTensor must be >= 1, got " + maxElementsPerTensor);
            }
        }

        /**
         * @param v eps
         * @return a copy with that step
         */
        public Options withEps(double v) {
            return new Options(v, atol, rtol, maxElementsPerTensor, seed);
        }

        /**
         * @param v atol
         * @return a copy with that absolute tolerance
         */
        public Options withAtol(double v) {
            return new Options(eps, v, rtol, maxElementsPerTensor, seed);
        }

        /**
         * @param v rtol
         * @return a copy with that relative tolerance
         */
        public Options withRtol(double v) {
            return new Options(eps, atol, v, maxElementsPerTensor, seed);
        }

        /**
         * @param v max elements per tensor, {@code >= 1}
         * @return a copy with that sampling limit
         */
        public Options withMaxElementsPerTensor(int v) {
            return new Options(eps, atol, rtol, v, seed);
        }

        /**
         * @param v the sampling seed
         * @return a copy with that seed
         */
        public Options withSeed(long v) {
            return new Options(eps, atol, rtol, maxElementsPerTensor, v);
        }
    }

    /**
     * The outcome for one tensor. The "worst" element is a non-finite one if any, else a failing
     * one if any, else the one with the largest |a − n| relative to its bound; its fields are NaN
     * and its index −1 when nothing was checked.
     *
     * @param name the target's name
     * @param checked elements evaluated
     * @param candidates elements eligible (all, or the target's index subset)
     * @param total the tensor's length
     * @param failed checked elements that failed (non-finite ones included)
     * @param nonFinite checked elements whose analytic or numeric value was NaN or infinite
     * @param worstIndex flat index of the worst element, or −1
     * @param worstMultiIndex its multi-index when the target has a shape, else null
     * @param analytic the worst element's analytic value
     * @param numeric its numeric value
     * @param absError |analytic − numeric|
     * @param bound atol + rtol·|numeric| (0 for an exact-zero target)
     * @param passed true iff {@code failed == 0}
     */
    public record Row(String name, int checked, int candidates, int total, int failed, int nonFinite,
                      int worstIndex, int[] worstMultiIndex, double analytic, double numeric, double absError,
                      double bound, boolean passed) implements CheckReport.Verdict {
        /** @return a copy of the multi-index, or null */
        @Override
        public int[] worstMultiIndex() {
            return worstMultiIndex == null ? null : worstMultiIndex.clone();
        }

        String where() {
            if (worstIndex < 0) {
                return "-";
            }
            if (worstMultiIndex == null) {
                return "[" + worstIndex + "]";
            }
            StringBuilder sb = new StringBuilder("[");
            for (int d = 0; d < worstMultiIndex.length; d++) {
                sb.append(d == 0 ? "" : ",").append(worstMultiIndex[d]);
            }
            return sb.append("] #").append(worstIndex).toString();
        }
    }

    /** The outcome of a check: one {@link Row} per target, in the order given. Immutable. */
    public static final class Report extends CheckReport<Row> {
        private final Options options;

        private Report(List<Row> rows, Options options) {
            super(rows, "gradient check");
            this.options = options;
        }

        /** @return the options the check ran with */
        public Options options() {
            return options;
        }

        /**
         * A fixed-width table: one line per tensor (name, checked/candidates, worst element as
         * {@code [multi-index] #flat}, analytic, numeric, |a−n|, bound, status), then a summary line
         * with the tolerances.
         *
         * @return the table, lines separated by {@code \n}
         */
        @Override
        public String table() {
            int nameW = 6;
            int whereW = 5;
            for (Row r : rows()) {
                nameW = Math.max(nameW, r.name().length());
                whereW = Math.max(whereW, r.where().length());
            }
            String fmt = "%-" + nameW + "s  %13s  %-" + whereW + "s  %14s  %14s  %10s  %10s  %s%n";
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, fmt, "tensor", "checked", "worst", "analytic", "numeric",
                    "|a-n|", "bound", "status"));
            for (Row r : rows()) {
                String status = r.passed() ? "ok"
                        : "FAIL " + r.failed() + (r.nonFinite() > 0 ? " (" + r.nonFinite() + " non-finite)" : "");
                sb.append(String.format(Locale.ROOT, fmt, r.name(), r.checked() + "/" + r.candidates(), r.where(),
                        num(r.analytic(), "%14.6e"), num(r.numeric(), "%14.6e"), num(r.absError(), "%10.3e"),
                        num(r.bound(), "%10.3e"), status));
            }
            long bad = failedCount();
            sb.append(String.format(Locale.ROOT, "%s: %d/%d tensors passed (eps=%s, atol=%s, rtol=%s%s)%n",
                    bad == 0 ? "PASS" : "FAIL", rows().size() - bad, rows().size(), options.eps(), options.atol(),
                    options.rtol(), options.maxElementsPerTensor() == Integer.MAX_VALUE ? ""
                            : ", <= " + options.maxElementsPerTensor() + " per tensor, seed " + options.seed()));
            return sb.toString();
        }

        private static String num(double v, String fmt) {
            return Double.isNaN(v) ? "NaN" : String.format(Locale.ROOT, fmt, v);
        }
    }
}
