package org.rnn4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.rnn4j.nn.NnTestSupport.EPS;
import static org.rnn4j.nn.NnTestSupport.assertSentinels;
import static org.rnn4j.nn.NnTestSupport.assertWithin;

import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.rnn4j.check.GradientCheck;
import org.rnn4j.kernel.Kernels;

/**
 * {@link Linear} against a plain double reference and central differences, rows, I and O in 1..70,
 * offsets 0..5, on both kernel implementations. Gradients start from random values, so accumulation
 * (not overwrite) is tested too; output buffers are NaN-filled around the written range, so a read of
 * {@code y} or {@code dx} before writing, or a write outside it, shows.
 *
 * <p>Bounds: every output element is a sum of K float terms (K = I + 1 for y, rows + 1 for the weight
 * and bias gradients with the old gradient, O for dx), so it is within 2·K·ε·Σ|terms| of the exact
 * sum (the factor 2 over γ_K covers the reference's own rounding and leaves a margin).
 */
class LinearProperties {

    @Provide
    Arbitrary<Integer> size() {
        return NnTestSupport.sizes();
    }

    @Property(tries = 200)
    void forwardAndBackwardMatchTheReference(@ForAll("size") int rows, @ForAll("size") int in,
                                             @ForAll("size") int out, @ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int xOff = rnd.nextInt(6), yOff = rnd.nextInt(6), dyOff = rnd.nextInt(6), dxOff = rnd.nextInt(6);
        float[] w = NnTestSupport.padded(rnd, 0, out * in, 1.0);
        float[] b = NnTestSupport.padded(rnd, 0, out, 1.0);
        float[] gw0 = NnTestSupport.padded(rnd, 0, out * in, 1.0);
        float[] gb0 = NnTestSupport.padded(rnd, 0, out, 1.0);
        float[] x = NnTestSupport.padded(rnd, xOff, rows * in, 2.0);
        float[] dy = NnTestSupport.padded(rnd, dyOff, rows * out, 2.0);

        // reference in double, with the magnitude Σ|terms| of each result
        double[] y = new double[rows * out], yAbs = new double[rows * out];
        double[] gw = new double[out * in], gwAbs = new double[out * in];
        double[] gb = new double[out], gbAbs = new double[out];
        double[] dx = new double[rows * in], dxAbs = new double[rows * in];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double s = b[o], a = Math.abs(b[o]);
                for (int i = 0; i < in; i++) {
                    double t = (double) x[xOff + r * in + i] * w[o * in + i];
                    s += t;
                    a += Math.abs(t);
                }
                y[r * out + o] = s;
                yAbs[r * out + o] = a;
            }
        }
        for (int o = 0; o < out; o++) {
            gb[o] = gb0[o];
            gbAbs[o] = Math.abs(gb0[o]);
            for (int i = 0; i < in; i++) {
                gw[o * in + i] = gw0[o * in + i];
                gwAbs[o * in + i] = Math.abs(gw0[o * in + i]);
            }
            for (int r = 0; r < rows; r++) {
                double d = dy[dyOff + r * out + o];
                gb[o] += d;
                gbAbs[o] += Math.abs(d);
                for (int i = 0; i < in; i++) {
                    double t = d * x[xOff + r * in + i];
                    gw[o * in + i] += t;
                    gwAbs[o * in + i] += Math.abs(t);
                }
            }
        }
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < in; i++) {
                double s = 0, a = 0;
                for (int o = 0; o < out; o++) {
                    double t = (double) dy[dyOff + r * out + o] * w[o * in + i];
                    s += t;
                    a += Math.abs(t);
                }
                dx[r * in + i] = s;
                dxAbs[r * in + i] = a;
            }
        }

        for (Kernels k : NnTestSupport.kernels()) {
            Linear lin = new Linear(in, out, k);
            System.arraycopy(w, 0, lin.weight(), 0, w.length);
            System.arraycopy(b, 0, lin.bias(), 0, b.length);
            System.arraycopy(gw0, 0, lin.gradWeight(), 0, gw0.length);
            System.arraycopy(gb0, 0, lin.gradBias(), 0, gb0.length);
            float[] yGot = NnTestSupport.nans(yOff, rows * out);
            lin.forward(rows, x, xOff, yGot, yOff);
            assertSentinels(yGot, yOff, rows * out, k.name() + " y");
            for (int j = 0; j < rows * out; j++) {
                assertWithin(yGot[yOff + j], y[j], 2 * (in + 1) * EPS * yAbs[j], k.name() + " y[" + j + "]");
            }
            float[] dxGot = NnTestSupport.nans(dxOff, rows * in);
            lin.backward(rows, x, xOff, dy, dyOff, dxGot, dxOff);
            assertSentinels(dxGot, dxOff, rows * in, k.name() + " dx");
            for (int j = 0; j < rows * in; j++) {
                assertWithin(dxGot[dxOff + j], dx[j], 2 * out * EPS * dxAbs[j], k.name() + " dx[" + j + "]");
            }
            for (int j = 0; j < out * in; j++) {
                assertWithin(lin.gradWeight()[j], gw[j], 2 * (rows + 1) * EPS * gwAbs[j],
                        k.name() + " gradWeight[" + j + "]");
            }
            for (int j = 0; j < out; j++) {
                assertWithin(lin.gradBias()[j], gb[j], 2 * (rows + 1) * EPS * gbAbs[j], k.name() + " gradBias[" + j + "]");
            }
            assertArrayEquals(w, lin.weight(), "weight unchanged");
            assertArrayEquals(b, lin.bias(), "bias unchanged");

            // dx == null: the parameter gradients are accumulated the same way, bitwise
            Linear again = new Linear(in, out, k);
            System.arraycopy(w, 0, again.weight(), 0, w.length);
            System.arraycopy(gw0, 0, again.gradWeight(), 0, gw0.length);
            System.arraycopy(gb0, 0, again.gradBias(), 0, gb0.length);
            again.backward(rows, x, xOff, dy, dyOff, null, 0);
            assertArrayEquals(lin.gradWeight(), again.gradWeight(), k.name() + " gradWeight without dx");
            assertArrayEquals(lin.gradBias(), again.gradBias(), k.name() + " gradBias without dx");
        }
    }

    /** Gradients of L = Σ y⊙R, with y computed in double from the same parameters, by central differences. */
    @Property(tries = 60)
    void gradientsMatchFiniteDifferences(@ForAll("size") int rows, @ForAll("size") int in,
                                         @ForAll("size") int out, @ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] w = NnTestSupport.padded(rnd, 0, out * in, 1.0);
        float[] b = NnTestSupport.padded(rnd, 0, out, 1.0);
        float[] x = NnTestSupport.padded(rnd, 0, rows * in, 1.0);
        float[] r = NnTestSupport.padded(rnd, 0, rows * out, 1.0);
        double[] wd = NnTestSupport.toDouble(w, 0, w.length);
        double[] bd = NnTestSupport.toDouble(b, 0, b.length);
        double[] xd = NnTestSupport.toDouble(x, 0, x.length);
        double[] rd = NnTestSupport.toDouble(r, 0, r.length);
        // L(W, b, x) = Σ_{r,o} R[r, o] · (b[o] + Σ_i x[r, i]·W[o, i]), in double
        java.util.function.DoubleSupplier loss = () -> {
            double s = 0;
            for (int q = 0; q < rows; q++) {
                for (int o = 0; o < out; o++) {
                    double y = bd[o];
                    for (int i = 0; i < in; i++) {
                        y += xd[q * in + i] * wd[o * in + i];
                    }
                    s += rd[q * out + o] * y;
                }
            }
            return s;
        };
        for (Kernels k : NnTestSupport.kernels()) {
            Linear lin = new Linear(in, out, k);
            System.arraycopy(w, 0, lin.weight(), 0, w.length);
            System.arraycopy(b, 0, lin.bias(), 0, b.length);
            float[] dx = new float[rows * in];
            lin.backward(rows, x, 0, r, 0, dx, 0);
            GradientCheck.check(loss, List.of(
                            GradientCheck.Target.of("weight", wd, NnTestSupport.toDouble(lin.gradWeight(), 0, w.length))
                                    .withShape(out, in),
                            GradientCheck.Target.of("bias", bd, NnTestSupport.toDouble(lin.gradBias(), 0, out)),
                            GradientCheck.Target.of("x", xd, NnTestSupport.toDouble(dx, 0, dx.length)).withShape(rows, in)),
                    GradientCheck.Options.DEFAULTS.withMaxElementsPerTensor(25).withSeed(seed)).assertPassed();
        }
    }
}
