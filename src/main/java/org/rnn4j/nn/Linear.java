package org.rnn4j.nn;

import java.util.SplittableRandom;
import org.rnn4j.kernel.Checks;
import org.rnn4j.kernel.Kernels;

/**
 * An affine layer {@code y = x·Wᵀ + b}, as PyTorch's {@code nn.Linear(in, out)}, on a batch of rows.
 * See {@code docs/nn.md} for the equations of both passes.
 *
 * <h2>Layouts and ownership</h2>
 * With I = {@link #inFeatures()} and O = {@link #outFeatures()}: {@link #weight()} is (O, I)
 * row-major (PyTorch's layout: row {@code o} holds the weights of output {@code o}), {@link #bias()}
 * is (O); {@link #gradWeight()} and {@link #gradBias()} have the same shapes. All four are the live
 * arrays of this object, created once by the constructor (zeros; call {@link #initUniform(long)} for
 * PyTorch's default). Backward only adds into the gradients, which the caller clears (e.g.
 * {@link Params#zeroGrad()}). Input, output and gradient arrays of a call belong to the caller and are
 * used during the call only: the caller keeps {@code x} for backward.
 *
 * <h2>Computation</h2>
 * The forward pass is one GEMM with B = Wᵀ read in place ({@code transB}) onto the output rows
 * pre-filled with the bias; the backward pass is two GEMMs ({@code dyᵀ·x} into the weight gradient,
 * {@code dy·W} to the input gradient) and one {@code axpy} per row for the bias gradient, all on the
 * {@link Kernels} given at construction. Calls allocate nothing (the GEMM's packing buffers are the
 * kernels' thread-local ones). The layer has no state besides its four arrays: concurrent forward
 * calls are safe while nobody writes the parameters; concurrent backward calls race on the gradients.
 */
public final class Linear {
    private final int in;
    private final int out;
    private final Kernels k;
    private final float[] weight;
    private final float[] bias;
    private final float[] gradWeight;
    private final float[] gradBias;

    /**
     * A zero-initialized layer on the default kernels ({@link Kernels#get()}).
     *
     * @param inFeatures I, {@code >= 1}
     * @param outFeatures O, {@code >= 1}
     * @throws IllegalArgumentException if a size is below 1 or O·I does not fit in one array
     */
    public Linear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, Kernels.get());
    }

    /**
     * A zero-initialized layer on the given kernels.
     *
     * @param inFeatures I, {@code >= 1}
     * @param outFeatures O, {@code >= 1}
     * @param kernels the kernel implementation (e.g. {@link Kernels#scalar()}); not null
     * @throws IllegalArgumentException if a size is below 1, O·I does not fit in one array or
     *                                  {@code kernels} is null
     */
    public Linear(int inFeatures, int outFeatures, Kernels kernels) {
        Args.positive("inFeatures", inFeatures);
        Args.positive("outFeatures", outFeatures);
        Args.notNull("kernels", kernels);
        int n = Args.product("weight (outFeatures, inFeatures)", outFeatures, inFeatures);
        this.in = inFeatures;
        this.out = outFeatures;
        this.k = kernels;
        this.weight = new float[n];
        this.gradWeight = new float[n];
        this.bias = new float[outFeatures];
        this.gradBias = new float[outFeatures];
    }

    /**
     * PyTorch's default initialization of {@code nn.Linear}: weight and bias from U(−1/√I, 1/√I)
     * (for the weight, {@code kaiming_uniform_(a = √5)} is exactly that bound). Drawn from a
     * {@link SplittableRandom} seeded with {@code seed}, weight first (row-major), then bias, so the
     * same seed gives the same bits (not the same numbers as PyTorch's generator). Gradients are left
     * as they are.
     *
     * @param seed the seed
     * @return this
     */
    public Linear initUniform(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double bound = 1.0 / Math.sqrt(in);
        for (int i = 0; i < weight.length; i++) {
            weight[i] = (float) ((2 * rnd.nextDouble() - 1) * bound);
        }
        for (int i = 0; i < bias.length; i++) {
            bias[i] = (float) ((2 * rnd.nextDouble() - 1) * bound);
        }
        return this;
    }

    /** @return I, the length of an input row */
    public int inFeatures() {
        return in;
    }

    /** @return O, the length of an output row */
    public int outFeatures() {
        return out;
    }

    /** @return the live weight (O, I) row-major, owned by this object */
    public float[] weight() {
        return weight;
    }

    /** @return the live bias (O), owned by this object */
    public float[] bias() {
        return bias;
    }

    /** @return the live weight gradient accumulator (O, I) row-major, owned by this object */
    public float[] gradWeight() {
        return gradWeight;
    }

    /** @return the live bias gradient accumulator (O), owned by this object */
    public float[] gradBias() {
        return gradBias;
    }

    /**
     * Registers {@code prefix + ".weight"} {O, I} and {@code prefix + ".bias"} {O}, in that order —
     * PyTorch's {@code state_dict} keys of an {@code nn.Linear} named {@code prefix}.
     *
     * @param params the registry; not null
     * @param prefix the module name, e.g. {@code "decoder"}; not null
     * @throws IllegalArgumentException on a null argument or a name already registered
     */
    public void register(Params params, String prefix) {
        Args.notNull("params", params);
        Args.notNull("prefix", prefix);
        params.add(prefix + ".weight", weight, gradWeight, out, in);
        params.add(prefix + ".bias", bias, gradBias, out);
    }

    /**
     * {@code y = x·Wᵀ + b} on {@code rows} rows: each output row is the bias, then one GEMM adds
     * {@code x·Wᵀ}.
     *
     * @param rows the number of rows (batch, or time × batch), {@code >= 0}
     * @param x the input (rows, I) row-major at {@code xOff}; read only
     * @param xOff offset into {@code x}
     * @param y receives (rows, O) row-major at {@code yOff}; must not overlap {@code x} nor be one
     *          of this layer's arrays
     * @param yOff offset into {@code y}
     * @throws IllegalArgumentException naming the first bad argument, its expected and actual size
     */
    public void forward(int rows, float[] x, int xOff, float[] y, int yOff) {
        Checks.size("rows", rows);
        Args.floats("x", x, xOff, rows, in, "(rows, I)");
        Args.floats("y", y, yOff, rows, out, "(rows, O)");
        notOwn("y", y);
        Args.disjoint("x", x, xOff, (long) rows * in, "y", y, yOff, (long) rows * out);
        if (rows == 0) {
            return;
        }
        for (int r = 0; r < rows; r++) {
            System.arraycopy(bias, 0, y, yOff + r * out, out);
        }
        // y (rows, O) = 1·x (rows, I) · Wᵀ (W stored (O, I)) + 1·y
        k.gemm(false, true, rows, out, in, 1f, x, xOff, in, weight, 0, in, 1f, y, yOff, out);
    }

    /**
     * The backward pass of {@link #forward} on the same rows:
     * <pre>
     *   gradWeight += dyᵀ·x      (O, I)
     *   gradBias   += Σ_r dy[r]  (O)
     *   dx          = dy·W       (rows, I), overwritten; skipped when dx is null
     * </pre>
     *
     * @param rows the number of rows, {@code >= 0}
     * @param x the forward input (rows, I) row-major at {@code xOff}; read only
     * @param xOff offset into {@code x}
     * @param dy dL/dy (rows, O) row-major at {@code dyOff}; read only
     * @param dyOff offset into {@code dy}
     * @param dx receives dL/dx (rows, I) row-major at {@code dxOff}, or null when not needed (e.g.
     *           the first layer); must not overlap {@code dy} nor be one of this layer's arrays
     * @param dxOff offset into {@code dx}; ignored when {@code dx} is null
     * @throws IllegalArgumentException naming the first bad argument, its expected and actual size
     */
    public void backward(int rows, float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        Checks.size("rows", rows);
        Args.floats("x", x, xOff, rows, in, "(rows, I)");
        Args.floats("dy", dy, dyOff, rows, out, "(rows, O)");
        if (x == gradWeight || x == gradBias) {
            throw new IllegalArgumentException("x must not be this layer's gradient array");
        }
        if (dy == gradWeight || dy == gradBias) {
            throw new IllegalArgumentException("dy must not be this layer's gradient array");
        }
        if (dx != null) {
            Args.floats("dx", dx, dxOff, rows, in, "(rows, I)");
            notOwn("dx", dx);
            Args.disjoint("dy", dy, dyOff, (long) rows * out, "dx", dx, dxOff, (long) rows * in);
        }
        if (rows == 0) {
            return;
        }
        // gradWeight (O, I) += dyᵀ (dy stored (rows, O)) · x (rows, I)
        k.gemm(true, false, out, in, rows, 1f, dy, dyOff, out, x, xOff, in, 1f, gradWeight, 0, in);
        // gradBias += Σ_r dy[r, :]
        for (int r = 0; r < rows; r++) {
            k.axpy(out, 1f, dy, dyOff + r * out, gradBias, 0);
        }
        if (dx != null) {
            // dx (rows, I) = dy (rows, O) · W (O, I)
            k.gemm(false, false, rows, in, out, 1f, dy, dyOff, out, weight, 0, in, 0f, dx, dxOff, in);
        }
    }

    private void notOwn(String name, float[] a) {
        if (a == weight || a == bias || a == gradWeight || a == gradBias) {
            throw new IllegalArgumentException(name + " must not be one of this layer's parameter or gradient arrays");
        }
    }
}
