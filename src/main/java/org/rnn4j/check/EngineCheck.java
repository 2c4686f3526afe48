package org.rnn4j.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.rnn4j.cell.Rnn;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.cell.RnnWorkspace;
import org.rnn4j.kernel.Kernels;

/**
 * Compares the float engine ({@link Rnn}) with the double-precision oracle ({@link ReferenceRnn}) on
 * one problem: the forward outputs and final states, and every gradient of
 * <pre>  L = Σ output⊙R_out + Σ h_n⊙R_h + Σ c_n⊙R_c</pre>
 * with R drawn from U(−1, 1) by a seeded {@link SplittableRandom}. Both run the same function: the
 * reference gets the engine's float weights and inputs widened exactly to double, and the same
 * {@link RnnSpec} (the one of the {@link RnnWeights}), so every option of the spec is compared.
 * Shapes: output and R_out (T, B, {@link RnnSpec#outputSize()}), h_n and R_h (L·D, B, P),
 * c_n and R_c (L·D, B, H), with P = {@link RnnSpec#stateSize()}, D = {@link RnnSpec#numDirections()}.
 *
 * <p>Criterion per tensor of n elements: ‖engine − reference‖₂ ≤ tolerance · ‖reference‖₂ +
 * {@link #ABSOLUTE_TOLERANCE} · √n. The absolute part judges a tensor whose value is small because
 * O(1) terms cancel by the size of its terms (float rounding of O(1) sums is ≲ 1e-6 per element),
 * where its relative error means nothing. The default
 * {@link #DEFAULT_TOLERANCE} = 1e-4 is explained in docs/cells.md ("Checking the derivation"): float
 * rounding of dot products of length K ≤ max(I + H, G·H, T·B), accumulated over T steps and L
 * layers, is estimated at ≈ 7e-6 for the sizes gradient checks use (observed ≤ 4e-6), while any
 * real error in a derivative is of order 1. It is a chosen tolerance, not a proven bound: for long
 * sequences or large H the rounding grows, and the tolerance should grow with it.
 */
public final class EngineCheck {
    /** The default normwise relative tolerance of a float engine against the double reference. */
    public static final double DEFAULT_TOLERANCE = 1e-4;

    /** The absolute part of the criterion, per element: 1e-6 (inputs and gradients here are O(1)). */
    public static final double ABSOLUTE_TOLERANCE = 1e-6;

    private static final double FLOOR = 1e-6;

    private EngineCheck() {}

    /**
     * One tensor's comparison.
     *
     * @param name e.g. {@code output}, {@code h_n}, {@code grad.weight_hh_l0}, {@code grad.input}
     * @param elements its element count
     * @param relError ‖engine − reference‖₂ / max(‖reference‖₂, 1e-6); NaN if the engine gave a non-finite value
     * @param maxAbsError the largest element-wise |engine − reference|
     * @param tolerance the bound on relError
     * @param passed ‖Δ‖₂ ≤ tolerance·‖reference‖₂ + {@link #ABSOLUTE_TOLERANCE}·√elements
     */
    public record Row(String name, int elements, double relError, double maxAbsError, double tolerance,
                      boolean passed) implements CheckReport.Verdict {}

    /** All rows of one comparison, in a fixed order. Immutable. */
    public static final class Report extends CheckReport<Row> {
        private final String kernels;
        private final double absoluteTolerance;

        Report(List<Row> rows, String kernels, double absoluteTolerance) {
            super(rows, "engine check");
            this.kernels = kernels;
            this.absoluteTolerance = absoluteTolerance;
        }

        /** @return the largest relative error over all rows (NaN if any was non-finite) */
        public double worst() {
            double w = 0;
            for (Row r : rows()) {
                if (Double.isNaN(r.relError())) {
                    return Double.NaN;
                }
                w = Math.max(w, r.relError());
            }
            return w;
        }

        @Override
        public String table() {
            int w = 6;
            for (Row r : rows()) {
                w = Math.max(w, r.name().length());
            }
            String fmt = "%-" + w + "s  %9s  %12s  %12s  %10s  %s%n";
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, fmt, "tensor", "elements", "rel. error", "max |Δ|", "rel. bound", "status"));
            for (Row r : rows()) {
                sb.append(String.format(Locale.ROOT, fmt, r.name(), r.elements(),
                        String.format(Locale.ROOT, "%.3e", r.relError()), String.format(Locale.ROOT, "%.3e", r.maxAbsError()),
                        String.format(Locale.ROOT, "%.1e", r.tolerance()), r.passed() ? "ok" : "FAIL"));
            }
            long bad = failedCount();
            sb.append(String.format(Locale.ROOT,
                    "%s: %d/%d tensors within tolerance (‖Δ‖ ≤ rel. bound·‖ref‖ + %.1e·√n; %s kernels, worst rel. %.3e)%n",
                    bad == 0 ? "PASS" : "FAIL", rows().size() - bad, rows().size(), absoluteTolerance, kernels, worst()));
            return sb.toString();
        }
    }

    /**
     * Runs engine and reference on one problem and compares everything. Inference mode (no dropout).
     *
     * @param weights the float parameters (read, not modified); not null
     * @param kernels the engine's kernels; not null
     * @param input (T, B, I), or (B, T, I) if the spec is batch-first; not null. Like every array
     *              here it may be longer than its shape needs (only the prefix is used); read only
     * @param seqLen T
     * @param batch B
     * @param lengths (B) lengths in [0, T], or null for all T
     * @param h0 (L·D, B, P) or null (P = {@link RnnSpec#stateSize()}, D = {@link RnnSpec#numDirections()})
     * @param c0 (L·D, B, H) (LSTM only) or null
     * @param seed seeds the upstream tensors R
     * @param tolerance the normwise relative bound, &gt; 0
     * @return the report
     * @throws IllegalArgumentException on a bad argument (the engine's messages)
     */
    public static Report compare(RnnWeights weights, Kernels kernels, float[] input, int seqLen, int batch,
                                 int[] lengths, float[] h0, float[] c0, long seed, double tolerance) {
        return compare(weights, kernels, input, seqLen, batch, lengths, h0, c0, seed, tolerance, ABSOLUTE_TOLERANCE);
    }

    /**
     * {@link #compare(RnnWeights, Kernels, float[], int, int, int[], float[], float[], long, double)}
     * with an explicit absolute part: a tensor of n elements passes iff
     * ‖Δ‖₂ ≤ tolerance·‖reference‖₂ + absoluteTolerance·√n.
     *
     * @param weights the float parameters (read, not modified); not null
     * @param kernels the engine's kernels; not null
     * @param input (T, B, I), or (B, T, I) if the spec is batch-first; not null
     * @param seqLen T
     * @param batch B
     * @param lengths (B) lengths in [0, T], or null for all T
     * @param h0 (L·D, B, P) or null (P = {@link RnnSpec#stateSize()}, D = {@link RnnSpec#numDirections()})
     * @param c0 (L·D, B, H) (LSTM only) or null
     * @param seed seeds the upstream tensors R
     * @param tolerance the normwise relative part, &gt; 0
     * @param absoluteTolerance the per-element absolute part, &gt;= 0
     * @return the report
     */
    public static Report compare(RnnWeights weights, Kernels kernels, float[] input, int seqLen, int batch,
                                 int[] lengths, float[] h0, float[] c0, long seed, double tolerance,
                                 double absoluteTolerance) {
        if (!(absoluteTolerance >= 0)) {
            throw new IllegalArgumentException("absoluteTolerance must be >= 0, got " + absoluteTolerance);
        }
        if (weights == null) {
            throw new IllegalArgumentException("weights must not be null");
        }
        if (kernels == null) {
            throw new IllegalArgumentException("kernels must not be null");
        }
        if (seqLen < 1) {
            throw new IllegalArgumentException("seqLen must be >= 1, got " + seqLen);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        if (!(tolerance > 0)) {
            throw new IllegalArgumentException("tolerance must be > 0, got " + tolerance);
        }
        // The engine is built from the weights' spec, so it runs with every option the spec holds
        // (direction, merge, projection, peepholes, reset-before); the reference gets the same spec.
        RnnSpec spec = weights.spec();
        Rnn rnn = new Rnn(weights, kernels);
        int in = spec.inputSize();
        int outWidth = spec.outputSize();                        // D·P (concat) or P
        boolean lstm = spec.cell().hasCellState();
        int hStates = spec.numUnits() * batch * spec.stateSize();  // (L·D, B, P)
        int cStates = spec.numUnits() * batch * spec.hiddenSize(); // (L·D, B, H)
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] rOut = uniform(rnd, seqLen * batch * outWidth);
        float[] rH = uniform(rnd, hStates);
        float[] rC = lstm ? uniform(rnd, cStates) : null;

        // engine (validates every argument)
        float[] out = new float[seqLen * batch * outWidth];
        float[] hN = new float[hStates];
        float[] cN = lstm ? new float[cStates] : null;
        RnnWorkspace ws = new RnnWorkspace();
        rnn.forward(ws, false, input, seqLen, batch, lengths, h0, c0, out, hN, cN);
        RnnWeights grads = new RnnWeights(spec);
        float[] gIn = new float[seqLen * batch * in];
        float[] gH0 = new float[hStates];
        float[] gC0 = lstm ? new float[cStates] : null;
        boolean bf = spec.batchFirst();
        rnn.backward(ws, fromSeqFirst(rOut, seqLen, batch, outWidth, bf), rH, rC, grads, gIn, gH0, gC0);

        // reference, on the same values
        ReferenceRnn ref = ReferenceRnn.of(spec);
        for (String name : weights.names()) {
            ref.setParameter(name, weights.get(name));
        }
        int[] refLengths = lengths == null ? null : java.util.Arrays.copyOf(lengths, batch);
        ReferenceRnn.Forward f = ref.forward(widen(toSeqFirst(input, seqLen, batch, in, bf)), seqLen, batch, refLengths,
                widen(h0, hStates), widen(c0, cStates), null);
        ReferenceRnn.Gradients g = ref.backward(f, widen(rOut), widen(rH), widen(rC));

        List<Row> rows = new ArrayList<>();
        rows.add(row("output", f.output(), toSeqFirst(out, seqLen, batch, outWidth, bf), tolerance,
                absoluteTolerance));
        rows.add(row("h_n", f.hN(), hN, tolerance, absoluteTolerance));
        if (lstm) {
            rows.add(row("c_n", f.cN(), cN, tolerance, absoluteTolerance));
        }
        rows.add(row("grad.input", g.input(), toSeqFirst(gIn, seqLen, batch, in, bf), tolerance, absoluteTolerance));
        rows.add(row("grad.h0", g.h0(), gH0, tolerance, absoluteTolerance));
        if (lstm) {
            rows.add(row("grad.c0", g.c0(), gC0, tolerance, absoluteTolerance));
        }
        for (String name : weights.names()) {
            rows.add(row("grad." + name, g.parameter(name), grads.get(name), tolerance, absoluteTolerance));
        }
        return new Report(rows, kernels.name(), absoluteTolerance);
    }

    private static Row row(String name, double[] expected, float[] actual, double tol, double atol) {
        double e = 0;
        double d = 0;
        double maxAbs = 0;
        boolean finite = true;
        for (int i = 0; i < expected.length; i++) {
            if (!Float.isFinite(actual[i])) {
                finite = false;
            }
            double diff = Math.abs(actual[i] - expected[i]);
            maxAbs = Math.max(maxAbs, diff);
            e += expected[i] * expected[i];
            d += diff * diff;
        }
        double rel = finite ? Math.sqrt(d) / Math.max(Math.sqrt(e), FLOOR) : Double.NaN;
        boolean ok = finite && Math.sqrt(d) <= tol * Math.sqrt(e) + atol * Math.sqrt(expected.length);
        return new Row(name, expected.length, rel, finite ? maxAbs : Double.NaN, tol, ok);
    }

    private static float[] uniform(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (2 * r.nextDouble() - 1);
        }
        return a;
    }

    private static double[] widen(float[] a) {
        return a == null ? null : widen(a, a.length);
    }

    /** The first n elements, widened (the engine accepts longer arrays, the reference exact ones). */
    private static double[] widen(float[] a, int n) {
        if (a == null) {
            return null;
        }
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = a[i];
        }
        return d;
    }

    /** (B, T, w) → (T, B, w) when batch-first, else the array itself (first T·B·w elements). */
    private static float[] toSeqFirst(float[] a, int t0, int b0, int w, boolean batchFirst) {
        float[] r = new float[t0 * b0 * w];
        for (int t = 0; t < t0; t++) {
            for (int b = 0; b < b0; b++) {
                int src = batchFirst ? (b * t0 + t) * w : (t * b0 + b) * w;
                System.arraycopy(a, src, r, (t * b0 + b) * w, w);
            }
        }
        return r;
    }

    private static float[] fromSeqFirst(float[] a, int t0, int b0, int w, boolean batchFirst) {
        if (!batchFirst) {
            return a;
        }
        float[] r = new float[a.length];
        for (int t = 0; t < t0; t++) {
            for (int b = 0; b < b0; b++) {
                System.arraycopy(a, (t * b0 + b) * w, r, (b * t0 + t) * w, w);
            }
        }
        return r;
    }
}
