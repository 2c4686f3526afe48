package org.rnn4j.cell;

import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.rnn4j.check.ReferenceRnn;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.kernel.Parallelism;

/**
 * Engine vs reference: the float engine ({@link Rnn}, on the SIMD and on the scalar
 * kernels) against the double-precision oracle ({@link ReferenceRnn}) — forward outputs, final states
 * and every gradient — over random cells, sizes up to H = 70, lengths, layers, layouts, initial
 * states and training-mode dropout; plus a deterministic sweep of every H in 1..70 on the SIMD
 * kernels, so that every tail length of 128-, 256- and 512-bit species is exercised in every run.
 *
 * <p>Tolerance: ‖fast − ref‖₂ ≤ {@value #REL} · ‖ref‖₂ + {@value #ATOL} · √n per tensor of n elements.
 * The relative part: every quantity is built from float dot products, of length K ≤ I + H (gate
 * pre-activations), K = G·H ≤ 280 (dh and dx in backward) or K = T·B ≤ 60 (weight gradients), plus
 * activations within 3 ulp. One dot product's worst-case error is γ_K·Σ|aᵢbᵢ| with
 * γ_K = K·u/(1 − K·u) ≈ 1.7e-5 at K = 280 (u = 2⁻²⁴); with rounding errors modelled as independent
 * it is ≈ √K·u ≈ 1e-6. With PyTorch's U(±1/√H) weights the step Jacobians have norm ≲ 1, so errors
 * made at different steps add rather than multiply: over T ≤ 15 steps and L ≤ 3 layers, ≈ 45 terms,
 * i.e. ≈ 7e-6 in the independent model and ≈ 7.5e-4 if nothing ever cancels. 1e-4 is about 14× the
 * realistic estimate, below the adversarial bound (a chosen tolerance, not a proven one). The
 * absolute part: those bounds are relative to Σ|aᵢbᵢ|, not to |Σ aᵢbᵢ|; when a gradient is small
 * because O(1) terms cancel, its relative error says nothing. jqwik found such a case
 * ({@link #cancellationIsJudgedByTheSizeOfTheTerms}); all inputs, upstream gradients and activations
 * here are O(1), where float rounding of ≤ 280-term sums is ≈ √K·u ≲ 1e-6 per element. The worst
 * relative error over 3000 random cases without such cancellation is 3.7e-6, and 4.8e-6 among cases
 * with cell-family options ({@link WorstErrorScan})
 * — while a real bug, a wrong sign, a missing term, a dropped row, gives errors of order 1.
 */
class EngineVsReferenceProperties {
    static final double REL = 1e-4;
    /** Absolute part of the criterion, per element (see the class comment). */
    static final double ATOL = 1e-6;

    /**
     * The counterexample that shaped the absolute term, kept as a regression case: a 1×1
     * {@code weight_hh_l0} gradient of −1.1018e-4 summed from terms of size ≈ 0.5 that cancel; the
     * float engine is off by 2.7e-8 (half an ulp of the terms), 2.5e-4 of the sum.
     */
    @org.junit.jupiter.api.Test
    void cancellationIsJudgedByTheSizeOfTheTerms() {
        RnnSpec spec = RnnSpec.builder(CellType.RNN_TANH, 2, 1).numLayers(2).dropout(0.3).batchFirst(true).build();
        RnnCase c = new RnnCase(spec, 2, 4, new int[] {2, 1, 1, 1}, true, 1872298301948879775L);
        RnnWorkspace ws = new RnnWorkspace(Parallelism.SERIAL, 1);
        RnnCase.Result fast = c.run(Kernels.scalar(), ws, true);
        compare(c, fast, reference(c, ws), REL);
    }

    @Provide
    Arbitrary<RnnCase> cases() {
        return cases(12, 70, 4, 15, 3, true);
    }

    /**
     * Random cases: every cell, input size in [1, maxIn], H in [1, maxH], B in [1, maxB], T in
     * [1, maxT], layers in [1, maxLayers], random lengths half the time (one sequence always full),
     * random options ({@link #withRandomOptions}), either layout, initial states half the time and,
     * with {@code dropout}, p = 0.3 between layers half the time.
     */
    static Arbitrary<RnnCase> cases(int maxIn, int maxH, int maxB, int maxT, int maxLayers, boolean dropout) {
        Arbitrary<CellType> cell = Arbitraries.of(CellType.class);
        Arbitrary<Integer> in = Arbitraries.integers().between(1, maxIn);
        Arbitrary<Integer> hidden = Arbitraries.integers().between(1, maxH);
        Arbitrary<Integer> batch = Arbitraries.integers().between(1, maxB);
        Arbitrary<Integer> seq = Arbitraries.integers().between(1, maxT);
        Arbitrary<Integer> layers = Arbitraries.integers().between(1, maxLayers);
        Arbitrary<Long> seed = Arbitraries.longs();
        return Combinators.combine(cell, in, hidden, batch, seq, layers, seed).as((c, i, h, b, t, l, s) -> {
            SplittableRandom r = new SplittableRandom(s);
            int[] lengths = null;
            if (r.nextBoolean()) {
                lengths = new int[b];
                for (int j = 0; j < b; j++) {
                    lengths[j] = r.nextInt(t + 1);
                }
                lengths[r.nextInt(b)] = t;
            }
            double p = dropout && l > 1 && r.nextBoolean() ? 0.3 : 0;
            RnnSpec spec = withRandomOptions(RnnSpec.builder(c, i, h).numLayers(l).dropout(p)
                    .batchFirst(r.nextBoolean()), c, h, r).build();
            return new RnnCase(spec, t, b, lengths, r.nextBoolean(), r.nextLong());
        });
    }

    /**
     * A random combination of the cell-family options: direction (each of forward, reverse and
     * bidirectional about a third of the time, bidirectional merged by concat or sum), and for the
     * LSTM projection (P in [1, H)) and peepholes, for the GRU the reset placement, each half the time.
     */
    static RnnSpec.Builder withRandomOptions(RnnSpec.Builder b, CellType c, int h, SplittableRandom r) {
        Direction d = Direction.values()[r.nextInt(3)];
        b.direction(d);
        if (d == Direction.BIDIRECTIONAL && r.nextBoolean()) {
            b.merge(MergeMode.SUM);
        }
        if (c == CellType.LSTM) {
            if (h > 1 && r.nextBoolean()) {
                b.projSize(1 + r.nextInt(h - 1));
            }
            b.peephole(r.nextBoolean());
        }
        if (c == CellType.GRU) {
            b.resetBefore(r.nextBoolean());
        }
        return b;
    }

    @Property(tries = 200)
    void engineMatchesTheDoubleReference(@ForAll("cases") RnnCase c, @ForAll boolean simd, @ForAll long dropSeed) {
        Kernels k = simd ? Kernels.simd() : Kernels.scalar();
        RnnWorkspace ws = new RnnWorkspace(Parallelism.SERIAL, dropSeed);
        RnnCase.Result fast = c.run(k, ws, true);
        Map<String, double[]> ref = reference(c, ws);
        boolean kink = atKink(ref);
        net.jqwik.api.statistics.Statistics.label("relu unit within " + KINK_RADIUS + " of its kink (gradients not compared)")
                .collect(kink);
        try {
            compare(c, fast, ref, REL, kink);
        } catch (AssertionError e) {
            // the case's toString does not carry these two, and without them a failure cannot be replayed
            throw new AssertionError(e.getMessage() + " [kernels " + k.name() + ", dropSeed " + dropSeed + "]", e);
        }
    }

    /**
     * Every H in 1..70 for every cell on the SIMD kernels, plain and with the options whose gate
     * math runs on element-wise kernels of length H or P (peephole, projection, reset-before,
     * bidirectional sum): all vector tail lengths, every run.
     */
    @org.junit.jupiter.api.Test
    void everyHiddenSizeUpTo70OnTheSimdKernels() {
        for (CellType cell : CellType.values()) {
            for (int h = 1; h <= 70; h++) {
                RnnSpec plain = RnnSpec.builder(cell, 3 + h % 5, h).numLayers(1 + h % 2).build();
                RnnSpec.Builder opt = plain.toBuilder().direction(Direction.BIDIRECTIONAL)
                        .merge(h % 2 == 0 ? MergeMode.SUM : MergeMode.CONCAT);
                if (cell == CellType.LSTM) {
                    opt.peephole(true).projSize(h > 1 ? 1 + (h * 7) % (h - 1) : 0);
                } else if (cell == CellType.GRU) {
                    opt.resetBefore(true);
                }
                for (RnnSpec spec : new RnnSpec[] {plain, opt.build()}) {
                    RnnCase c = new RnnCase(spec, 3, 2, new int[] {3, 1 + h % 3}, true, 1000L * h + cell.ordinal());
                    RnnWorkspace ws = new RnnWorkspace();
                    compare(c, c.run(Kernels.simd(), ws, false), reference(c, ws), REL);
                }
            }
        }
    }

    /** The oracle's result for the same problem (and, in training mode, the masks the engine drew). */
    static Map<String, double[]> reference(RnnCase c, RnnWorkspace ws) {
        RnnSpec spec = c.spec;
        ReferenceRnn ref = ReferenceRnn.of(spec);
        for (String name : c.weights.names()) {
            ref.setParameter(name, c.weights.get(name));
        }
        int layers = spec.numLayers();
        double[][] masks = null;
        if (spec.dropout() > 0 && layers > 1) {
            masks = new double[layers - 1][];
            float[] m = new float[c.seqLen * c.batch * spec.outputSize()];
            for (int l = 0; l < layers - 1; l++) {
                ws.dropoutMask(l, m);
                masks[l] = toDouble(m);
            }
        }
        ReferenceRnn.Forward f = ref.forward(toDouble(c.seqFirst(c.input, spec.inputSize())), c.seqLen, c.batch, c.lengths,
                toDouble(c.h0), toDouble(c.c0), masks);
        ReferenceRnn.Gradients g = ref.backward(f, toDouble(c.seqFirst(c.gradOutput, spec.outputSize())), toDouble(c.gradHN),
                toDouble(c.gradCN));
        Map<String, double[]> out = new java.util.LinkedHashMap<>();
        if (spec.cell() == CellType.RNN_RELU) {
            out.put(NEAREST_KINK, new double[] {nearestKink(f, spec)});
        }
        out.put("output", f.output());
        out.put("h_n", f.hN());
        out.put("c_n", f.cN());
        out.put("grad.input", g.input());
        out.put("grad.h0", g.h0());
        out.put("grad.c0", g.c0());
        for (String name : c.weights.names()) {
            out.put("grad." + name, g.parameter(name));
        }
        return out;
    }

    /**
     * Key of the reference map for a relu RNN: the smallest |pre-activation| of any unit at any active
     * step, in double precision. Where it is below {@link #KINK_RADIUS}, the float engine's own
     * pre-activation (off by up to ≈ 1e-6 for these O(1) sums of ≤ I + H terms) may fall on the other
     * side of 0 than the reference's. Then relu' is 1 on one side and 0 on the other, both correct for
     * their own forward pass, and the gradients legitimately differ by that unit's whole contribution
     * (a counterexample with a 3-layer bidirectional relu RNN gave a 4.7e-2 relative error in
     * grad.input). Such a case still compares its forward tensors, only not its gradients.
     */
    static final String NEAREST_KINK = "relu.nearestKink";
    /** 10× the realistic float error of a pre-activation here; a case reaches it about once in 20 of the largest. */
    static final double KINK_RADIUS = 1e-5;

    static double nearestKink(ReferenceRnn.Forward f, RnnSpec spec) {
        double min = Double.POSITIVE_INFINITY;
        int gh = spec.gateRows();
        for (int l = 0; l < spec.numLayers(); l++) {
            for (int d = 0; d < spec.numDirections(); d++) {
                double[] pre = f.preActivations(l, d);
                for (int b = 0; b < f.batch(); b++) {
                    for (int t = 0; t < f.lengths()[b]; t++) {
                        for (int j = 0; j < gh; j++) {
                            min = Math.min(min, Math.abs(pre[(t * f.batch() + b) * gh + j]));
                        }
                    }
                }
            }
        }
        return min;
    }

    /** Whether the reference of a relu case has a unit within {@link #KINK_RADIUS} of its kink. */
    static boolean atKink(Map<String, double[]> ref) {
        double[] k = ref.get(NEAREST_KINK);
        return k != null && k[0] < KINK_RADIUS;
    }

    /** Asserts every tensor of the engine's result within rel of the reference; returns the worst ratio. */
    static double compare(RnnCase c, RnnCase.Result fast, Map<String, double[]> ref, double rel) {
        return compare(c, fast, ref, rel, false);
    }

    /** As {@link #compare(RnnCase, RnnCase.Result, Map, double)}; with {@code forwardOnly} the grad.* tensors are skipped. */
    static double compare(RnnCase c, RnnCase.Result fast, Map<String, double[]> ref, double rel, boolean forwardOnly) {
        double worst = 0;
        for (Map.Entry<String, float[]> e : fast.tensors.entrySet()) {
            String name = e.getKey();
            if (forwardOnly && name.startsWith("grad.")) {
                continue;
            }
            float[] actual = e.getValue();
            if (name.equals("output") || name.equals("grad.input")) {
                actual = c.seqFirst(actual, name.equals("output") ? c.spec.outputSize() : c.spec.inputSize());
            }
            double[] expected = ref.get(name);
            if (expected == null) {
                throw new AssertionError("reference has no " + name);
            }
            double err = Norms.relError(expected, actual);
            double absErr = err * Math.max(Norms.norm(expected), Norms.FLOOR);
            if (!(absErr <= rel * Norms.norm(expected) + ATOL * Math.sqrt(expected.length))) {
                throw new AssertionError(name + ": relative normwise error " + err + " > " + rel + " for " + c
                        + "; expected " + java.util.Arrays.toString(java.util.Arrays.copyOf(expected, Math.min(4, expected.length)))
                        + " actual " + java.util.Arrays.toString(java.util.Arrays.copyOf(actual, Math.min(4, actual.length))));
            }
            worst = Math.max(worst, err);
        }
        return worst;
    }

    static double[] toDouble(float[] a) {
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
