package org.rnn4j.nn;

import java.util.SplittableRandom;
import org.rnn4j.kernel.Checks;
import org.rnn4j.kernel.Kernels;

/**
 * A lookup table of V = {@link #numEmbeddings()} vectors of E = {@link #dim()} floats, as PyTorch's
 * {@code nn.Embedding(V, E)}: the forward pass copies row {@code ids[i]} of the weight to output row
 * {@code i}; the backward pass adds output row {@code i}'s gradient into gradient row {@code ids[i]}
 * (a scatter-add: an id seen k times receives the sum of its k gradient rows). See {@code docs/nn.md}.
 *
 * <h2>Layouts and ownership</h2>
 * {@link #weight()} and {@link #grad()} are (V, E) row-major, row {@code v} at {@code v·E}: the live
 * arrays of this object, not copies, created once by the constructor (weight zeros; call
 * {@link #initNormal(long)} for PyTorch's N(0, 1)). An optimizer writes the weight in place; backward
 * only adds into the gradient, which the caller clears (e.g. {@link Params#zeroGrad()}). Id, output
 * and gradient arrays belong to the caller and are read or written during the call only.
 *
 * <p>Calls allocate nothing. The object has no state besides the two arrays: concurrent forward
 * calls are safe while nobody writes the weight; concurrent backward calls race on the gradient.
 */
public final class Embedding {
    private final int numEmbeddings;
    private final int dim;
    private final Kernels k;
    private final float[] weight;
    private final float[] grad;

    /**
     * A zero-initialized table on the default kernels ({@link Kernels#get()}).
     *
     * @param numEmbeddings V, the vocabulary size, {@code >= 1}
     * @param dim E, the vector size, {@code >= 1}
     * @throws IllegalArgumentException if a size is below 1 or V·E does not fit in one array
     */
    public Embedding(int numEmbeddings, int dim) {
        this(numEmbeddings, dim, Kernels.get());
    }

    /**
     * A zero-initialized table on the given kernels.
     *
     * @param numEmbeddings V, the vocabulary size, {@code >= 1}
     * @param dim E, the vector size, {@code >= 1}
     * @param kernels the kernel implementation (e.g. {@link Kernels#scalar()}); not null
     * @throws IllegalArgumentException if a size is below 1, V·E does not fit in one array or
     *                                  {@code kernels} is null
     */
    public Embedding(int numEmbeddings, int dim, Kernels kernels) {
        Args.positive("numEmbeddings", numEmbeddings);
        Args.positive("dim", dim);
        Args.notNull("kernels", kernels);
        int n = Args.product("weight (numEmbeddings, dim)", numEmbeddings, dim);
        this.numEmbeddings = numEmbeddings;
        this.dim = dim;
        this.k = kernels;
        this.weight = new float[n];
        this.grad = new float[n];
    }

    /**
     * Fills the weight with draws from N(0, 1), PyTorch's default for {@code nn.Embedding}: Box-Muller
     * on a {@link SplittableRandom} seeded with {@code seed}, in {@link StrictMath}, so the same seed
     * gives the same bits on every JVM (not the same numbers as PyTorch's generator). The gradient is
     * left as it is.
     *
     * @param seed the seed
     * @return this
     */
    public Embedding initNormal(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < weight.length; i++) {
            weight[i] = (float) gaussian(rnd);
        }
        return this;
    }

    /** Standard normal by Box-Muller in double; one draw per call (the second is discarded). */
    static double gaussian(SplittableRandom rnd) {
        double u1 = 1.0 - rnd.nextDouble();   // (0, 1]: the log is finite
        double u2 = rnd.nextDouble();
        return StrictMath.sqrt(-2 * StrictMath.log(u1)) * StrictMath.cos(2 * Math.PI * u2);
    }

    /** @return V, the number of rows */
    public int numEmbeddings() {
        return numEmbeddings;
    }

    /** @return E, the length of each row */
    public int dim() {
        return dim;
    }

    /** @return the live weight (V, E) row-major, owned by this object */
    public float[] weight() {
        return weight;
    }

    /** @return the live gradient accumulator (V, E) row-major, owned by this object */
    public float[] grad() {
        return grad;
    }

    /**
     * Registers the weight and its gradient as {@code prefix + ".weight"} of shape {V, E}, the
     * PyTorch {@code state_dict} key of an {@code nn.Embedding} named {@code prefix}.
     *
     * @param params the registry; not null
     * @param prefix the module name, e.g. {@code "encoder"}; not null
     * @throws IllegalArgumentException on a null argument or a name already registered
     */
    public void register(Params params, String prefix) {
        Args.notNull("params", params);
        Args.notNull("prefix", prefix);
        params.add(prefix + ".weight", weight, grad, numEmbeddings, dim);
    }

    /**
     * Looks up {@code n} ids: {@code out[i, :] = weight[ids[idsOff + i], :]} for {@code i < n}.
     * Every id is checked before anything is written.
     *
     * @param ids the ids, {@code ids[idsOff .. idsOff+n)}, each in [0, V); read only
     * @param idsOff offset into {@code ids}
     * @param n the number of ids, {@code >= 0}
     * @param out receives (n, E) row-major at {@code outOff}; must not be {@link #weight()}
     * @param outOff offset into {@code out}
     * @throws IllegalArgumentException naming the bad argument; for an id out of range, its position
     *                                  and value
     */
    public void forward(int[] ids, int idsOff, int n, float[] out, int outOff) {
        checkIds(ids, idsOff, n);
        Args.floats("out", out, outOff, n, dim, "(n, E)");
        Args.disjoint("weight", weight, 0, weight.length, "out", out, outOff, (long) n * dim);
        for (int i = 0; i < n; i++) {
            System.arraycopy(weight, ids[idsOff + i] * dim, out, outOff + i * dim, dim);
        }
    }

    /**
     * Adds the gradient of {@code n} looked-up rows into {@link #grad()}:
     * {@code grad[ids[idsOff + i], :] += dOut[i, :]} for {@code i < n}, in order of {@code i} (a
     * repeated id accumulates every one of its rows). Every id is checked before anything is written.
     *
     * @param ids the ids of the forward call, {@code ids[idsOff .. idsOff+n)}, each in [0, V); read only
     * @param idsOff offset into {@code ids}
     * @param n the number of ids, {@code >= 0}
     * @param dOut dL/d(out), (n, E) row-major at {@code dOutOff}; read only; must not be {@link #grad()}
     * @param dOutOff offset into {@code dOut}
     * @throws IllegalArgumentException naming the bad argument; for an id out of range, its position
     *                                  and value
     */
    public void backward(int[] ids, int idsOff, int n, float[] dOut, int dOutOff) {
        checkIds(ids, idsOff, n);
        Args.floats("dOut", dOut, dOutOff, n, dim, "(n, E)");
        Args.disjoint("grad", grad, 0, grad.length, "dOut", dOut, dOutOff, (long) n * dim);
        for (int i = 0; i < n; i++) {
            // grad[id] += dOut[i]
            k.axpy(dim, 1f, dOut, dOutOff + i * dim, grad, ids[idsOff + i] * dim);
        }
    }

    private void checkIds(int[] ids, int idsOff, int n) {
        Checks.size("n", n);
        Args.ints("ids", ids, idsOff, n);
        for (int i = 0; i < n; i++) {
            int id = ids[idsOff + i];
            if (id < 0 || id >= numEmbeddings) {
                throw new IllegalArgumentException("ids[idsOff + " + i + "] = ids[" + (idsOff + i) + "] = " + id
                        + " is out of range [0, numEmbeddings = " + numEmbeddings + ")");
            }
        }
    }
}
