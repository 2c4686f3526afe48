package org.rnn4j.cell;

import java.util.SplittableRandom;
import org.rnn4j.kernel.Parallelism;

/**
 * Per-thread scratch and saved activations of an {@link Rnn}: everything a forward pass keeps for
 * its backward pass, and the buffers of the backward pass itself.
 *
 * <p>Buffers are sized by the first call and grow only when a later call needs more (larger T·B,
 * wider gates, more layers); a steady stream of calls of one shape with {@link Parallelism#SERIAL}
 * allocates nothing, not even per call. (With another {@link Parallelism}, each GEMM that is split
 * allocates its few task objects.) One workspace may serve different {@link Rnn}s in turn; it holds
 * the forward pass of the last one. A workspace is not thread-safe: give each thread its own, while
 * the {@link Rnn} and its {@link RnnWeights} may be shared.
 *
 * <p>All internal sequence buffers are time-major (T, B, ·) with the batch sorted by decreasing
 * length (stable), so that the sequences still running at step t are the first {@code active[t]}
 * rows — the same trick as cuDNN's packed layout: the per-step GEMMs shrink with the batch, and no
 * padded row is ever computed.
 */
public final class RnnWorkspace {
    Parallelism parallelism = Parallelism.SERIAL;
    private SplittableRandom dropoutRandom;

    // Shape of the saved forward pass (valid while forwardDone).
    RnnSpec spec;
    int seqLen;
    int batch;
    boolean forwardDone;
    boolean training;

    // Batch order: perm[s] = original index of sorted row s; rank[b] = sorted row of original b.
    int[] perm = new int[0];
    int[] rank = new int[0];
    int[] lengths = new int[0];   // (B) sorted, non-increasing
    int[] active = new int[0];    // (T) rows still running at step t
    int[] count = new int[0];     // (T+2) counting-sort scratch
    Object owner;                 // the Rnn whose forward pass this holds

    // Per layer, saved for backward. Shapes use the sorted batch order.
    float[][] x = new float[0][];        // layer input (T, B, in_l); layer > 0 without dropout aliases hs[l-1]
    int[] xOff = new int[0];
    float[][] xOwn = new float[0][];     // owned input copies (layer 0, or dropped-out layers)
    float[][] gates = new float[0][];    // (T, B, G·H) activated gates (RNN: pre-activation scratch)
    float[][] hs = new float[0][];       // (T+1, B, H); hs[0] = h0, hs[t+1] = h_t, 0 past a sequence's end
    float[][] cs = new float[0][];       // LSTM (T+1, B, H) cell states
    float[][] tanhC = new float[0][];    // LSTM (T, B, H) tanh(c_t)
    float[][] gh = new float[0][];       // GRU (T, B, 3H) W_hh·h_{t−1} + b_hh
    float[][] mask = new float[0][];     // dropout multipliers on layer l's output (T, B, H), l < L−1

    // Backward scratch, shared by the layers.
    float[] biasSum = new float[0];      // (G·H)
    float[] dGates = new float[0];       // (T, B, G·H) dL/d(pre-activations); GRU: the input-side part
    float[] dGh = new float[0];          // GRU (T, B, 3H) dL/d(W_hh·h + b_hh)
    float[] dY = new float[0];           // (T, B, H) dL/d(layer output)
    float[] dX = new float[0];           // (T, B, max(I, H)) dL/d(layer input)
    float[] dh = new float[0];           // (B, H) running dL/dh_t
    float[] dhTmp = new float[0];        // (B, H)
    float[] dc = new float[0];           // (B, H) running dL/dc_t
    float[] ones = new float[0];         // (T·B) all 1, for bias gradients as one GEMV
    float[] wHhT = new float[0];         // (H, G·H) W_hhᵀ of the layer being back-propagated

    /** A workspace with serial GEMMs and dropout seeded with 0. */
    public RnnWorkspace() {
        this(Parallelism.SERIAL, 0L);
    }

    /**
     * A workspace with the given GEMM splitting and dropout seed.
     *
     * @param parallelism how the GEMMs are split between tasks; must not be null
     * @param dropoutSeed seed of the dropout masks drawn by training-mode forward passes
     */
    public RnnWorkspace(Parallelism parallelism, long dropoutSeed) {
        parallelism(parallelism);
        this.dropoutRandom = new SplittableRandom(dropoutSeed);
    }

    /**
     * Sets how GEMMs are split between tasks. Results are bitwise the same for every setting.
     *
     * @param parallelism must not be null
     * @return this
     */
    public RnnWorkspace parallelism(Parallelism parallelism) {
        if (parallelism == null) {
            throw new IllegalArgumentException("parallelism must not be null (use Parallelism.SERIAL)");
        }
        this.parallelism = parallelism;
        return this;
    }

    /**
     * Restarts the dropout random stream: the next training forward passes draw the same masks as
     * after any other call with this seed.
     *
     * @param seed the seed
     * @return this
     */
    public RnnWorkspace seedDropout(long seed) {
        this.dropoutRandom = new SplittableRandom(seed);
        return this;
    }

    SplittableRandom dropoutRandom() {
        return dropoutRandom;
    }

    /**
     * Copies the dropout multipliers the last training forward pass applied to {@code layer}'s
     * output (0 or 1/(1−p) each), seq-first (T, B, H) in the caller's batch order, whatever the
     * input layout.
     *
     * @param layer in [0, L−1)
     * @param dst receives T·B·H floats
     * @throws IllegalStateException if the last forward pass drew no masks (inference, p = 0, L = 1)
     */
    public void dropoutMask(int layer, float[] dst) {
        if (!forwardDone || !training || spec.dropout() == 0 || spec.numLayers() == 1) {
            throw new IllegalStateException("the last forward pass drew no dropout masks"
                    + " (it needs training mode, dropout > 0 and at least 2 layers)");
        }
        if (layer < 0 || layer >= spec.numLayers() - 1) {
            throw new IllegalArgumentException("layer must be in [0, " + (spec.numLayers() - 1) + "), got " + layer);
        }
        int h = spec.hiddenSize();
        long need = (long) seqLen * batch * h;
        if (dst == null || dst.length < need) {
            throw new IllegalArgumentException("dst must hold T·B·H = " + need + " floats, got "
                    + (dst == null ? "null" : dst.length));
        }
        for (int t = 0; t < seqLen; t++) {
            for (int b = 0; b < batch; b++) {
                System.arraycopy(mask[layer], (t * batch + rank[b]) * h, dst, (t * batch + b) * h, h);
            }
        }
    }

    // ------------------------------------------------------------------ sizing

    static float[] ensure(float[] a, long n) {
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a workspace buffer of " + n + " floats (a product of T, B and"
                    + " the layer widths) exceeds the Java array limit; split the batch or the sequence");
        }
        return a.length >= n ? a : new float[(int) n];
    }

    /** Sizes every buffer for a forward pass of this shape; allocates only when something grew. */
    void prepare(RnnSpec s, int t, int b, boolean train) {
        int layers = s.numLayers();
        int h = s.hiddenSize();
        int g = s.gateRows();
        if (x.length < layers) {
            // more layers than ever before: keep the buffers of the existing ones
            int old = x.length;
            x = java.util.Arrays.copyOf(x, layers);
            xOff = java.util.Arrays.copyOf(xOff, layers);
            xOwn = java.util.Arrays.copyOf(xOwn, layers);
            gates = java.util.Arrays.copyOf(gates, layers);
            hs = java.util.Arrays.copyOf(hs, layers);
            cs = java.util.Arrays.copyOf(cs, layers);
            tanhC = java.util.Arrays.copyOf(tanhC, layers);
            gh = java.util.Arrays.copyOf(gh, layers);
            mask = java.util.Arrays.copyOf(mask, layers);
            for (int l = old; l < layers; l++) {
                xOwn[l] = gates[l] = hs[l] = cs[l] = tanhC[l] = gh[l] = mask[l] = new float[0];
            }
        }
        long tb = (long) t * b;
        boolean drop = train && s.dropout() > 0;
        for (int l = 0; l < layers; l++) {
            if (l == 0) {
                xOwn[0] = ensure(xOwn[0], tb * s.inputSize());
            } else if (drop) {
                xOwn[l] = ensure(xOwn[l], tb * h);
            }
            if (drop && l < layers - 1) {
                mask[l] = ensure(mask[l], tb * h);
            }
            gates[l] = ensure(gates[l], tb * g);
            hs[l] = ensure(hs[l], (t + 1L) * b * h);
            if (s.cell() == CellType.LSTM) {
                cs[l] = ensure(cs[l], (t + 1L) * b * h);
                tanhC[l] = ensure(tanhC[l], tb * h);
            }
            if (s.cell() == CellType.GRU) {
                gh[l] = ensure(gh[l], tb * g);
            }
        }
        biasSum = ensure(biasSum, g);
        if (perm.length < b) {
            perm = new int[b];
            rank = new int[b];
            lengths = new int[b];
        }
        if (active.length < t) {
            active = new int[t];
            count = new int[t + 2];
        }
        spec = s;
        seqLen = t;
        batch = b;
        training = train;
    }

    /** Sizes the backward scratch for the saved forward pass. */
    void prepareBackward() {
        long tb = (long) seqLen * batch;
        int h = spec.hiddenSize();
        int g = spec.gateRows();
        dGates = ensure(dGates, tb * g);
        if (spec.cell() == CellType.GRU) {
            dGh = ensure(dGh, tb * g);
        }
        dY = ensure(dY, tb * h);
        dX = ensure(dX, tb * Math.max(spec.inputSize(), h));
        dh = ensure(dh, (long) batch * h);
        dhTmp = ensure(dhTmp, (long) batch * h);
        dc = ensure(dc, (long) batch * h);
        wHhT = ensure(wHhT, (long) g * h);
        if (ones.length < tb) {
            ones = new float[(int) tb];
            java.util.Arrays.fill(ones, 1f);
        }
    }
}
