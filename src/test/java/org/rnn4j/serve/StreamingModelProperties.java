package org.rnn4j.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.kernel.Kernels;

/**
 * Streaming steps against independent oracles, over random forward networks (every cell; 1–3
 * layers; projection, peepholes, reset-before; embedding and head each ½), random lengths and
 * initial states, on both kernel sets:
 * <ul>
 *   <li>step by step equals the double {@link org.rnn4j.check.ReferenceRnn} run over the whole
 *       sequence (normwise 1e-4 relative + 1e-6·√n, the engine's criterion);</li>
 *   <li>bfloat16 weights equal the double reference run with the same bf16-rounded weights — the
 *       format changes the weights, never the arithmetic;</li>
 *   <li>n streams in one batched call equal, bitwise, the same streams stepped one by one (both
 *       formats: a step of one stream and of n run the same arithmetic per element);</li>
 *   <li>{@code run} is bitwise the same as its steps.</li>
 * </ul>
 */
class StreamingModelProperties {

    private static Fixture fixture(SplittableRandom r) {
        RnnSpec spec = Fixture.randomSpec(r, 40);
        int vocab = r.nextBoolean() ? 1 + r.nextInt(20) : 0;
        int head = r.nextBoolean() ? 1 + r.nextInt(10) : 0;
        return new Fixture(spec, r.nextLong(), vocab, head);
    }

    private static float[] initial(SplittableRandom r, int n) {
        return r.nextBoolean() ? null : Fixture.gaussian(r, n);
    }

    private static void check(Fixture f, WeightFormat format, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int steps = 1 + r.nextInt(12);
        int in = f.spec.inputSize();
        int layers = f.spec.numLayers();
        float[] xs = f.embedding == null ? Fixture.gaussian(r, steps * in) : null;
        int[] tokens = f.embedding == null ? null : r.ints(steps, 0, f.vocab).toArray();
        float[] h0 = initial(r, layers * f.spec.stateSize());
        float[] c0 = f.spec.cell().hasCellState() ? initial(r, layers * f.spec.hiddenSize()) : null;
        double[][] ref = f.reference(xs, tokens, steps, h0, c0, format == WeightFormat.BF16);
        for (Kernels k : Fixture.kernels()) {
            StreamingModel m = f.model(k, format);
            StreamState s = m.newState();
            if (h0 != null) {
                s.setH(h0, 0);
            }
            if (c0 != null) {
                s.setC(c0, 0);
            }
            int o = m.outputSize();
            float[] ys = new float[steps * o];
            for (int t = 0; t < steps; t++) {
                if (tokens != null) {
                    m.step(s, tokens[t], ys, t * o);
                } else {
                    m.step(s, xs, t * in, ys, t * o);
                }
            }
            String what = k.name() + " " + format + " " + f.spec.describe() + " V=" + f.vocab + " O=" + f.headOut
                    + " T=" + steps;
            assertNull(Fixture.normwise(what + " outputs", ys, ref[0]));
            float[] h = new float[s.hSize()];
            s.getH(h, 0);
            assertNull(Fixture.normwise(what + " h_n", h, ref[1]));
            if (s.hasCellState()) {
                float[] c = new float[s.cSize()];
                s.getC(c, 0);
                assertNull(Fixture.normwise(what + " c_n", c, ref[2]));
            }
        }
    }

    @Property(tries = 250)
    void stepsMatchTheDoubleReference(@ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        check(fixture(r), WeightFormat.F32, r.nextLong());
    }

    @Property(tries = 150)
    void bf16StepsMatchTheReferenceWithRoundedWeights(@ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        check(fixture(r), WeightFormat.BF16, r.nextLong());
    }

    @Property(tries = 150)
    void batchedStepsMatchSingleSteps(@ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Fixture f = fixture(r);
        WeightFormat format = r.nextBoolean() ? WeightFormat.F32 : WeightFormat.BF16;
        int n = 1 + r.nextInt(6);
        int steps = 1 + r.nextInt(6);
        int in = f.spec.inputSize();
        for (Kernels k : Fixture.kernels()) {
            StreamingModel m = f.model(k, format);
            int o = m.outputSize();
            StreamState[] batched = new StreamState[n];
            StreamState[] single = new StreamState[n];
            SplittableRandom init = new SplittableRandom(seed ^ 1);
            for (int b = 0; b < n; b++) {
                batched[b] = m.newState();
                single[b] = m.newState();
                float[] h0 = Fixture.gaussian(init, batched[b].hSize());
                batched[b].setH(h0, 0);
                single[b].setH(h0, 0);
                if (batched[b].hasCellState()) {
                    float[] c0 = Fixture.gaussian(init, batched[b].cSize());
                    batched[b].setC(c0, 0);
                    single[b].setC(c0, 0);
                }
            }
            StreamBatch scratch = m.newBatch(n + r.nextInt(3));
            SplittableRandom data = new SplittableRandom(seed ^ 2);
            for (int t = 0; t < steps; t++) {
                float[] yb = new float[n * o];
                float[] ys = new float[n * o];
                if (m.hasEmbedding()) {
                    int[] tok = data.ints(n, 0, f.vocab).toArray();
                    m.step(scratch, batched, n, tok, 0, yb, 0);
                    for (int b = 0; b < n; b++) {
                        m.step(single[b], tok[b], ys, b * o);
                    }
                } else {
                    float[] x = Fixture.gaussian(data, n * in);
                    m.step(scratch, batched, n, x, 0, yb, 0);
                    for (int b = 0; b < n; b++) {
                        m.step(single[b], x, b * in, ys, b * o);
                    }
                }
                assertArrayEquals(ys, yb, k.name() + " " + format + " " + f.spec.describe() + " n=" + n + " t=" + t);
            }
            for (int b = 0; b < n; b++) {
                float[] hb = new float[batched[b].hSize()], hs = new float[hb.length];
                batched[b].getH(hb, 0);
                single[b].getH(hs, 0);
                assertArrayEquals(hs, hb, "h of stream " + b);
                if (batched[b].hasCellState()) {
                    float[] cb = new float[batched[b].cSize()], cs = new float[cb.length];
                    batched[b].getC(cb, 0);
                    single[b].getC(cs, 0);
                    assertArrayEquals(cs, cb, "c of stream " + b);
                }
            }
        }
    }

    @Property(tries = 60)
    void runIsBitwiseItsSteps(@ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Fixture f = fixture(r);
        int steps = 1 + r.nextInt(10);
        for (Kernels k : Fixture.kernels()) {
            StreamingModel m = f.model(k, r.nextBoolean() ? WeightFormat.F32 : WeightFormat.BF16);
            int o = m.outputSize(), in = m.inputSize();
            StreamState a = m.newState(), b = m.newState();
            float[] ya = new float[steps * o], yb = new float[steps * o];
            if (m.hasEmbedding()) {
                int[] tok = r.ints(steps, 0, f.vocab).toArray();
                m.run(a, tok, 0, steps, ya, 0);
                for (int t = 0; t < steps; t++) {
                    m.step(b, tok[t], yb, t * o);
                }
            } else {
                float[] xs = Fixture.gaussian(r, steps * in);
                m.run(a, xs, 0, steps, ya, 0);
                for (int t = 0; t < steps; t++) {
                    m.step(b, xs, t * in, yb, t * o);
                }
            }
            assertArrayEquals(yb, ya);
            float[] ha = new float[a.hSize()], hb = new float[a.hSize()];
            a.getH(ha, 0);
            b.getH(hb, 0);
            assertArrayEquals(hb, ha);
        }
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
