package org.rnn4j.cell;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
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

    // Per unit u = layer·D + direction, saved for backward. Shapes use the sorted batch order and the
    // unit's own time order (a reversed unit's step τ of sequence s is the caller's step len_s−1−τ).
    float[][] x = new float[0][];        // unit input (T, B, in_l); may alias input0, xDrop or a layer output
    int[] xOff = new int[0];
    float[][] xOwn = new float[0][];     // reversed units: their own reversed input copy (T, B, in_l)
    float[][] gates = new float[0][];    // (T, B, G·H) activated gates (RNN: pre-activation scratch)
    float[][] hs = new float[0][];       // (T+1, B, P); hs[0] = h0, hs[t+1] = h_t, 0 past a sequence's end
    float[][] cs = new float[0][];       // LSTM (T+1, B, H) cell states
    float[][] tanhC = new float[0][];    // LSTM (T, B, H) tanh(c_t)
    float[][] hPre = new float[0][];     // projected LSTM (T, B, H) o ⊙ tanh(c_t), before W_hr
    float[][] gh = new float[0][];       // GRU (T, B, 3H) W_hh·h + b_hh (reset-before: its n block is W_hn·rh + b_hn)
    float[][] rh = new float[0][];       // GRU reset-before (T, B, H) r ⊙ h_{t−1}
    // Per layer.
    float[] input0 = new float[0];       // (T, B, I) the caller's input, sorted, padding zeroed
    float[][] ys = new float[0][];       // non-forward networks: merged layer output (T, B, O)
    float[][] xDrop = new float[0][];    // layer l > 0 in training with dropout: dropout(Y_{l−1}) (T, B, O)
    float[][] mask = new float[0][];     // dropout multipliers on layer l's output (T, B, O), l < L−1

    // Scratch shared by the units.
    float[] biasSum = new float[0];      // (G·H)
    float[] dGates = new float[0];       // (T, B, G·H) dL/d(pre-activations); GRU: the input-side part
    float[] dGh = new float[0];          // GRU reset-after (T, B, 3H) dL/d(W_hh·h + b_hh)
    float[] dY = new float[0];           // (T, B, O) dL/d(layer output)
    float[] dYu = new float[0];          // non-forward networks: (T, B, P) dL/dh of one unit, in its time order
    float[] dX = new float[0];           // (T, B, max(I, O)) dL/d(unit input)
    float[] dXSum = new float[0];        // non-forward networks: (T, B, max(I, O)) dL/d(layer input)
    float[] dHs = new float[0];          // projected LSTM (T, B, P) dL/dh_t of every step, for dW_hr
    float[] dh = new float[0];           // (B, P) running dL/dh_t
    float[] dhTmp = new float[0];        // (B, P)
    float[] dhPre = new float[0];        // projected LSTM (B, H) dL/d(o ⊙ tanh c_t)
    float[] drh = new float[0];          // GRU reset-before (B, H) dL/d(r ⊙ h_{t−1})
    float[] dc = new float[0];           // (B, H) running dL/dc_t
    float[] ones = new float[0];         // (T·B) all 1, for bias gradients as one GEMV
    // The recurrent matrix of the unit being run, packed once per unit and call for its T per-step
    // GEMMs (forward: W_hhᵀ; backward: W_hh). The per-step GEMMs have only m ≤ B rows: unpacked, the
    // GEMM either repacks W at every step or reduces T·B·G·H dot products; packed once, every step
    // runs the register-blocked micro-kernel (2× the dot form at (32, 1024, 256), docs/performance.md).
    org.rnn4j.kernel.PackedGemmB packFwd;
    org.rnn4j.kernel.PackedGemmB packBwd;
    // A second matrix per step. GRU reset-before multiplies by two blocks of W_hh (W_h[r,z] and W_hn,
    // because the n block's input r ⊙ h_{t−1} needs r first): packFwd/packBwd hold the first, these
    // the second. The projected LSTM: W_hrᵀ (H, P) forward and W_hr (P, H) backward.
    org.rnn4j.kernel.PackedGemmB packFwd2;
    org.rnn4j.kernel.PackedGemmB packBwd2;

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
     * output (0 or 1/(1−p) each), seq-first (T, B, O) in the caller's batch order, whatever the
     * input layout (O = {@link RnnSpec#outputSize()}).
     *
     * @param layer in [0, L−1)
     * @param dst receives T·B·O floats
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
        int h = spec.outputSize();
        long need = (long) seqLen * batch * h;
        if (dst == null || dst.length < need) {
            throw new IllegalArgumentException("dst must hold T·B·O = " + need + " floats, got "
                    + (dst == null ? "null" : dst.length));
        }
        for (int t = 0; t < seqLen; t++) {
            for (int b = 0; b < batch; b++) {
                System.arraycopy(mask[layer], (t * batch + rank[b]) * h, dst, (t * batch + b) * h, h);
            }
        }
    }

    // ------------------------------------------------------------------ accounting

    /**
     * The bytes of the arrays this workspace holds now, by buffer, in the order the fields are
     * declared: each name is a field (a per-unit or per-layer buffer summed over its units or
     * layers), its value the full length of its arrays × 4 bytes ({@code float} and {@code int}
     * alike), whatever part of them the last call used — after a larger call they keep their size.
     * Buffers never sized are 0. The packed recurrent matrices count their packed data
     * ({@link org.rnn4j.kernel.PackedGemmB#bytes()}). Not counted: the per-unit input views
     * ({@code x}, which alias the caller's sorted input copy {@code input0}, a dropout buffer or the
     * previous layer's output), object headers, and the GEMM's per-thread packing buffers, which
     * belong to the kernels and do not grow with T.
     *
     * <p>For memory accounting (docs/performance.md, "Memory against T"): the names are those of
     * the implementation and may change with it.
     *
     * @return buffer name → bytes, in a new map
     */
    public Map<String, Long> bytesByBuffer() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("perm", 4L * perm.length);
        m.put("rank", 4L * rank.length);
        m.put("lengths", 4L * lengths.length);
        m.put("active", 4L * active.length);
        m.put("count", 4L * count.length);
        m.put("xOwn", bytes(xOwn));
        m.put("gates", bytes(gates));
        m.put("hs", bytes(hs));
        m.put("cs", bytes(cs));
        m.put("tanhC", bytes(tanhC));
        m.put("hPre", bytes(hPre));
        m.put("gh", bytes(gh));
        m.put("rh", bytes(rh));
        m.put("input0", 4L * input0.length);
        m.put("ys", bytes(ys));
        m.put("xDrop", bytes(xDrop));
        m.put("mask", bytes(mask));
        m.put("biasSum", 4L * biasSum.length);
        m.put("dGates", 4L * dGates.length);
        m.put("dGh", 4L * dGh.length);
        m.put("dY", 4L * dY.length);
        m.put("dYu", 4L * dYu.length);
        m.put("dX", 4L * dX.length);
        m.put("dXSum", 4L * dXSum.length);
        m.put("dHs", 4L * dHs.length);
        m.put("dh", 4L * dh.length);
        m.put("dhTmp", 4L * dhTmp.length);
        m.put("dhPre", 4L * dhPre.length);
        m.put("drh", 4L * drh.length);
        m.put("dc", 4L * dc.length);
        m.put("ones", 4L * ones.length);
        m.put("packFwd", bytes(packFwd));
        m.put("packBwd", bytes(packBwd));
        m.put("packFwd2", bytes(packFwd2));
        m.put("packBwd2", bytes(packBwd2));
        return m;
    }

    /**
     * The total of {@link #bytesByBuffer()}: the bytes of the arrays this workspace holds now. After
     * a training step (forward + backward) of a one-layer forward LSTM nearly all of it grows with
     * T·B: T·B·(I + 7H) floats saved by the forward pass (input copy, gates, h, c, tanh c) and
     * T·B·(5H + 1) more for backward (dGates, dY, a column of ones), plus T·B·max(I, H) for dX when
     * an input gradient is asked for. docs/performance.md, "Memory against T", has the table for
     * every cell and what backward needs of it.
     *
     * @return bytes, ≥ 0
     */
    public long bytes() {
        long sum = 0;
        for (long b : bytesByBuffer().values()) {
            sum += b;
        }
        return sum;
    }

    private static long bytes(float[][] arrays) {
        long sum = 0;
        for (float[] a : arrays) {
            sum += 4L * a.length;
        }
        return sum;
    }

    private static long bytes(org.rnn4j.kernel.PackedGemmB packed) {
        return packed == null ? 0 : packed.bytes();
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
        int units = s.numUnits();
        int dirs = s.numDirections();
        int h = s.hiddenSize();
        int p = s.stateSize();
        int g = s.gateRows();
        int o = s.outputSize();
        if (x.length < units) {
            // more units than ever before: keep the buffers of the existing ones
            int old = x.length;
            x = Arrays.copyOf(x, units);
            xOff = Arrays.copyOf(xOff, units);
            xOwn = Arrays.copyOf(xOwn, units);
            gates = Arrays.copyOf(gates, units);
            hs = Arrays.copyOf(hs, units);
            cs = Arrays.copyOf(cs, units);
            tanhC = Arrays.copyOf(tanhC, units);
            hPre = Arrays.copyOf(hPre, units);
            gh = Arrays.copyOf(gh, units);
            rh = Arrays.copyOf(rh, units);
            for (int u = old; u < units; u++) {
                xOwn[u] = gates[u] = hs[u] = cs[u] = tanhC[u] = hPre[u] = gh[u] = rh[u] = EMPTY;
            }
        }
        if (ys.length < layers) {
            int old = ys.length;
            ys = Arrays.copyOf(ys, layers);
            xDrop = Arrays.copyOf(xDrop, layers);
            mask = Arrays.copyOf(mask, layers);
            for (int l = old; l < layers; l++) {
                ys[l] = xDrop[l] = mask[l] = EMPTY;
            }
        }
        long tb = (long) t * b;
        boolean drop = train && s.dropout() > 0;
        boolean plain = s.direction() == Direction.FORWARD;
        input0 = ensure(input0, tb * s.inputSize());
        for (int l = 0; l < layers; l++) {
            if (l > 0 && drop) {
                xDrop[l] = ensure(xDrop[l], tb * o);
            }
            if (drop && l < layers - 1) {
                mask[l] = ensure(mask[l], tb * o);
            }
            if (!plain) {
                ys[l] = ensure(ys[l], tb * o);
            }
            for (int d = 0; d < dirs; d++) {
                int u = l * dirs + d;
                if (s.direction().reversed(d)) {
                    xOwn[u] = ensure(xOwn[u], tb * s.layerInputSize(l));
                }
                gates[u] = ensure(gates[u], tb * g);
                hs[u] = ensure(hs[u], (t + 1L) * b * p);
                if (s.cell() == CellType.LSTM) {
                    cs[u] = ensure(cs[u], (t + 1L) * b * h);
                    tanhC[u] = ensure(tanhC[u], tb * h);
                    if (s.projSize() > 0) {
                        hPre[u] = ensure(hPre[u], tb * h);
                    }
                }
                if (s.cell() == CellType.GRU) {
                    gh[u] = ensure(gh[u], tb * g);
                    if (s.resetBefore()) {
                        rh[u] = ensure(rh[u], tb * h);
                    }
                }
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

    private static final float[] EMPTY = new float[0];

    /**
     * Sizes the backward scratch for the saved forward pass.
     *
     * @param inputGradient whether the caller asked for dL/d(input): without it a one-layer network
     *                      never writes dX (nor dXSum), so they are not sized — T·B·max(I, O) floats
     *                      each that a training step without an input gradient does not need
     */
    void prepareBackward(boolean inputGradient) {
        long tb = (long) seqLen * batch;
        int h = spec.hiddenSize();
        int p = spec.stateSize();
        int g = spec.gateRows();
        int o = spec.outputSize();
        boolean plain = spec.direction() == Direction.FORWARD;
        long widestIn = Math.max(spec.inputSize(), o);
        dGates = ensure(dGates, tb * g);
        if (spec.cell() == CellType.GRU && !spec.resetBefore()) {
            dGh = ensure(dGh, tb * g);
        }
        dY = ensure(dY, tb * o);
        boolean dx = inputGradient || spec.numLayers() > 1;
        if (dx) {
            dX = ensure(dX, tb * widestIn);
        }
        if (!plain) {
            dYu = ensure(dYu, tb * p);
            if (dx) {
                dXSum = ensure(dXSum, tb * widestIn);
            }
        }
        if (spec.projSize() > 0) {
            dHs = ensure(dHs, tb * p);
            dhPre = ensure(dhPre, (long) batch * h);
        }
        if (spec.resetBefore()) {
            drh = ensure(drh, (long) batch * h);
        }
        dh = ensure(dh, (long) batch * p);
        dhTmp = ensure(dhTmp, (long) batch * p);
        dc = ensure(dc, (long) batch * h);
        if (ones.length < tb) {
            ones = new float[(int) tb];
            Arrays.fill(ones, 1f);
        }
    }
}
