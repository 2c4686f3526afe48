package org.rnn4j.serve;

import org.rnn4j.cell.CellType;
import org.rnn4j.cell.Direction;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.kernel.Checks;
import org.rnn4j.kernel.Kernels;

/**
 * A trained RNN prepared for serving: immutable, shared by any number of threads, advanced one event
 * at a time per stream with the state carried between calls, and allocating nothing per step.
 *
 * <p>The network is {@code [embedding] → RNN → [linear head]}: an optional embedding table (V, I)
 * turns a token id into the input vector; the RNN is a forward-direction stack of
 * {@link RnnSpec#numLayers()} layers of any cell with any of its options (projection, peepholes,
 * GRU reset placement) — reverse and bidirectional networks read the future and cannot stream; run
 * them through the sequence engine ({@link org.rnn4j.cell.Rnn}); an optional head (O, P) with bias
 * (O) turns the top layer's h into logits. Without a head the output of a step is the top layer's
 * h (P). Dropout is a training-time operation and is ignored.
 *
 * <p>Per step and layer l (docs/serving.md has the equations of every cell):
 * <pre>
 *   gates = [W_ih_l | W_hh_l]·[x ; h_{l,t−1}] + b       one GEMV over the joined matrix
 *   (h_{l,t}, c_{l,t}) = cell(gates, h_{l,t−1}, c_{l,t−1})  the fused post-GEMM pass of the engine
 *   x ← h_{l,t}                                          the next layer's input
 * </pre>
 * Many streams advanced in one call ({@link #step(StreamBatch, StreamState[], int, float[], int,
 * float[], int)}) turn the n GEMVs into one GEMM, which reads the weights once for all of them.
 *
 * <p><b>Packing.</b> The builder copies every array it is given: the model's weights are private,
 * so later writes to the source arrays do not reach it. Each layer's input and recurrent rows are
 * joined into one matrix [W_ih | W_hh] (R, in + P) with the biases folded (b_ih + b_hh), read once
 * per step; R = G·H for LSTM and RNN, 2H (the r and z rows) for GRU, whose n rows keep W_in and W_hn
 * apart because r multiplies W_hn·h + b_hn. In float32 every matrix (the projection and the head
 * too) is packed at build time into the GEMM micro-kernel's panels, and a step of one or of n
 * streams is one product against them. With {@link WeightFormat#BF16} the input and recurrent
 * matrices (the bytes a step streams) are stored as bfloat16 and read by one GEMV per stream;
 * everything else stays float32.
 *
 * <p><b>Threads.</b> The model is immutable and safely published by its final fields: after
 * {@link Builder#build()} any thread may call any method. A {@link StreamState} and a
 * {@link StreamBatch} are not thread-safe: one thread at a time per object. Results do not depend
 * on the number of threads or on what other threads do: the same model, state and inputs give
 * bitwise the same outputs (tested with 8 threads).
 *
 * <p><b>Rounding.</b> A stream stepped alone and the same stream stepped inside a batch run the
 * same arithmetic per output element (the packed product's row and tile kernels add in one order;
 * bfloat16 runs one GEMV per stream either way), so the two give bitwise the same outputs and
 * states. Each is deterministic.
 *
 * <p><b>Why one long file.</b> The builder (the one place a model's weights are packed and frozen) and
 * the single and batched step of every cell variant, which must run the same arithmetic per element
 * (see Rounding above) and so are kept side by side.
 */
public final class StreamingModel {
    private final RnnSpec spec;
    private final WeightFormat format;
    private final Kernels k;
    private final int layers;
    private final int in;        // I
    private final int hidden;    // H
    private final int state;     // P
    private final int g;         // G·H
    // Per layer, the rows whose input and recurrent parts are summed anyway are one matrix
    // [W_ih | W_hh] (R, in_l + P) read by one GEMV over [x ; h_{t−1}]: R = G·H for LSTM and RNN, the
    // r and z rows (2H) for GRU, whose n rows need W_in·x and W_hn·h apart (r multiplies the latter).
    private final PackedMatrix[] wCat;  // (R, in_l + P)
    private final float[][] bCat;       // (R) b_ih + b_hh of those rows
    private final PackedMatrix[] wIn;   // GRU: (H, in_l) W_in; else null
    private final PackedMatrix[] wHn;   // GRU: (H, P) W_hn; else null
    private final float[][] bIn;        // GRU: (H) b_in
    private final float[][] bHn;        // GRU: (H) b_hn
    private final PackedMatrix[] wHr;   // projected LSTM: (P, H) per layer, float32; else null
    private final float[][] peep;       // peephole LSTM: (3H) [p_i, p_f, p_o] per layer; else null
    private final float[] embedding;    // (V, I) or null
    private final int vocab;
    private final PackedMatrix headW;   // (O, P) float32, or null
    private final float[] headB;        // (O)
    private final int out;              // O with a head, else P

    private StreamingModel(Builder b) {
        RnnSpec s = b.weights.spec();
        this.spec = s;
        this.format = b.format;
        this.k = b.kernels;
        layers = s.numLayers();
        in = s.inputSize();
        hidden = s.hiddenSize();
        state = s.stateSize();
        g = s.gateRows();
        wCat = new PackedMatrix[layers];
        bCat = new float[layers][];
        wIn = new PackedMatrix[layers];
        wHn = new PackedMatrix[layers];
        bIn = new float[layers][];
        bHn = new float[layers][];
        wHr = new PackedMatrix[layers];
        peep = new float[layers][];
        boolean gru = s.cell() == CellType.GRU;
        int catRows = gru ? 2 * hidden : g;
        for (int l = 0; l < layers; l++) {
            RnnWeights w = b.weights;
            int inL = s.layerInputSize(l);
            float[] cat = new float[catRows * (inL + state)];
            for (int r = 0; r < catRows; r++) {
                System.arraycopy(w.weightIh(l, 0), r * inL, cat, r * (inL + state), inL);
                System.arraycopy(w.weightHh(l, 0), r * state, cat, r * (inL + state) + inL, state);
            }
            wCat[l] = new PackedMatrix(k, format, cat, 0, catRows, inL + state);
            bCat[l] = new float[catRows];
            k.add(catRows, w.biasIh(l, 0), 0, w.biasHh(l, 0), 0, bCat[l], 0);
            if (gru) {
                wIn[l] = new PackedMatrix(k, format, w.weightIh(l, 0), 2 * hidden * inL, hidden, inL);
                wHn[l] = new PackedMatrix(k, format, w.weightHh(l, 0), 2 * hidden * state, hidden, state);
                bIn[l] = java.util.Arrays.copyOfRange(w.biasIh(l, 0), 2 * hidden, 3 * hidden);
                bHn[l] = java.util.Arrays.copyOfRange(w.biasHh(l, 0), 2 * hidden, 3 * hidden);
            }
            if (s.projSize() > 0) {
                wHr[l] = new PackedMatrix(k, WeightFormat.F32, w.weightHr(l, 0), 0, state, hidden);
            }
            if (s.peephole()) {
                peep[l] = w.peephole(l, 0).clone();
            }
        }
        embedding = b.embedding == null ? null : b.embedding.clone();
        vocab = b.vocab;
        headW = b.headW == null ? null : new PackedMatrix(k, WeightFormat.F32, b.headW, 0, b.headOut, state);
        headB = b.headW == null ? null : (b.headB == null ? new float[b.headOut] : b.headB.clone());
        out = b.headW == null ? state : b.headOut;
    }

    /**
     * Starts a builder over trained weights.
     *
     * @param weights the RNN's parameters; its spec must have direction {@link Direction#FORWARD};
     *        copied by {@link Builder#build()}, not retained
     * @return a builder with no embedding, no head, {@link WeightFormat#F32} and {@link Kernels#get()}
     * @throws IllegalArgumentException if weights is null or its spec is not forward-only
     */
    public static Builder builder(RnnWeights weights) {
        return new Builder(weights);
    }

    /** Configures and builds a {@link StreamingModel}; not thread-safe, use once. */
    public static final class Builder {
        private final RnnWeights weights;
        private float[] embedding;
        private int vocab;
        private float[] headW;
        private float[] headB;
        private int headOut;
        private WeightFormat format = WeightFormat.F32;
        private Kernels kernels = Kernels.get();

        private Builder(RnnWeights weights) {
            if (weights == null) {
                throw new IllegalArgumentException("weights must not be null");
            }
            if (weights.spec().direction() != Direction.FORWARD) {
                throw new IllegalArgumentException("streaming needs direction FORWARD, got "
                        + weights.spec().direction() + ": a reverse direction reads the sequence from its end, "
                        + "which a stream has not seen yet; run such a network with org.rnn4j.cell.Rnn");
            }
            this.weights = weights;
        }

        /**
         * Puts an embedding table in front: a step then takes a token id.
         *
         * @param weight (V, I) row-major, row v the input vector of token v; copied at build
         * @param vocab V, {@code >= 1}
         * @return this
         * @throws IllegalArgumentException if weight is null or its length is not V·I
         */
        public Builder embedding(float[] weight, int vocab) {
            if (vocab < 1) {
                throw new IllegalArgumentException("vocab must be >= 1, got " + vocab);
            }
            long need = (long) vocab * weights.spec().inputSize();
            if (weight == null || weight.length != need) {
                throw new IllegalArgumentException("embedding weight must have shape (" + vocab + ", "
                        + weights.spec().inputSize() + ") = " + need + " elements, got "
                        + (weight == null ? "null" : weight.length + " elements"));
            }
            this.embedding = weight;
            this.vocab = vocab;
            return this;
        }

        /**
         * Puts a linear head after the top layer: a step then outputs {@code W·h + b} (O).
         *
         * @param weight (O, P) row-major, P = {@link RnnSpec#stateSize()}; copied at build
         * @param bias (O), or null for none; copied at build
         * @param outFeatures O, {@code >= 1}
         * @return this
         * @throws IllegalArgumentException if a length does not match its shape
         */
        public Builder head(float[] weight, float[] bias, int outFeatures) {
            if (outFeatures < 1) {
                throw new IllegalArgumentException("outFeatures must be >= 1, got " + outFeatures);
            }
            int p = weights.spec().stateSize();
            long need = (long) outFeatures * p;
            if (weight == null || weight.length != need) {
                throw new IllegalArgumentException("head weight must have shape (" + outFeatures + ", " + p + ") = "
                        + need + " elements, got " + (weight == null ? "null" : weight.length + " elements"));
            }
            if (bias != null && bias.length != outFeatures) {
                throw new IllegalArgumentException("head bias must have shape (" + outFeatures + "), got "
                        + bias.length + " elements");
            }
            this.headW = weight;
            this.headB = bias;
            this.headOut = outFeatures;
            return this;
        }

        /**
         * Chooses the storage of the input and recurrent weight matrices.
         *
         * @param format not null
         * @return this
         */
        public Builder format(WeightFormat format) {
            if (format == null) {
                throw new IllegalArgumentException("format must not be null");
            }
            this.format = format;
            return this;
        }

        /**
         * Chooses the kernel set (tests pass {@link Kernels#scalar()} to compare the twins).
         *
         * @param kernels not null
         * @return this
         */
        public Builder kernels(Kernels kernels) {
            if (kernels == null) {
                throw new IllegalArgumentException("kernels must not be null");
            }
            this.kernels = kernels;
            return this;
        }

        /**
         * Copies and packs the weights.
         *
         * @return the immutable model
         */
        public StreamingModel build() {
            return new StreamingModel(this);
        }
    }

    // ------------------------------------------------------------------------------------ shape

    /** The RNN's shape (direction FORWARD). */
    public RnnSpec spec() {
        return spec;
    }

    /** How the input and recurrent matrices are stored. */
    public WeightFormat format() {
        return format;
    }

    /** The kernel set the steps run on. */
    public Kernels kernels() {
        return k;
    }

    /** Whether a step takes a token id (an embedding is present) rather than an input vector. */
    public boolean hasEmbedding() {
        return embedding != null;
    }

    /** V, the number of token ids, or 0 without an embedding. */
    public int vocabSize() {
        return vocab;
    }

    /** Whether a linear head follows the top layer. */
    public boolean hasHead() {
        return headW != null;
    }

    /** I, the length of one input vector (the embedding dimension with an embedding). */
    public int inputSize() {
        return in;
    }

    /** The length of one step's output: O with a head, else P (the top layer's h). */
    public int outputSize() {
        return out;
    }

    /** Bytes of the input and recurrent matrices, what one batch-1 step reads from memory. */
    public long stepWeightBytes() {
        long n = 0;
        for (int l = 0; l < layers; l++) {
            n += wCat[l].bytes() + (wIn[l] == null ? 0 : wIn[l].bytes() + wHn[l].bytes());
        }
        return n;
    }

    // ------------------------------------------------------------------------------------ states

    /**
     * A new stream at the zero state (h = 0, c = 0), as PyTorch's default h0/c0.
     *
     * @return a state owned by the caller, usable with this model only
     */
    public StreamState newState() {
        return new StreamState(this);
    }

    /**
     * Working memory for advancing up to {@code capacity} streams in one call.
     *
     * @param capacity the largest n passed to the batched steps, {@code >= 1}
     * @return a batch scratch owned by the caller; one thread at a time
     */
    public StreamBatch newBatch(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        return new StreamBatch(this, capacity);
    }

    // ------------------------------------------------------------------------------------ steps

    /**
     * Advances one stream by one input vector.
     *
     * @param s the stream; updated in place
     * @param x the input, {@code x[xOff .. xOff+I)}; read only
     * @param xOff offset into x
     * @param y receives the output, {@code y[yOff .. yOff+O)} ({@link #outputSize()}); or null when
     *        only the state is wanted
     * @param yOff offset into y
     * @throws IllegalArgumentException if s belongs to another model, the model has an embedding, or
     *         a range does not fit its array
     */
    public void step(StreamState s, float[] x, int xOff, float[] y, int yOff) {
        own(s);
        if (embedding != null) {
            throw new IllegalArgumentException("this model has an embedding: step it with a token id");
        }
        Checks.range("x", x, xOff, in);
        if (y != null) {
            Checks.range("y", y, yOff, out);
        }
        advance(s, x, xOff);
        if (y != null) {
            output(1, s.h, (layers - 1) * state, y, yOff);
        }
    }

    /**
     * Advances one stream by one token.
     *
     * @param s the stream; updated in place
     * @param token the token id in [0, V)
     * @param y receives the output (O), or null
     * @param yOff offset into y
     * @throws IllegalArgumentException if s belongs to another model, the model has no embedding, the
     *         token is out of range, or y is too short
     */
    public void step(StreamState s, int token, float[] y, int yOff) {
        own(s);
        checkToken(-1, token);
        if (y != null) {
            Checks.range("y", y, yOff, out);
        }
        advance(s, embedding, token * in);
        if (y != null) {
            output(1, s.h, (layers - 1) * state, y, yOff);
        }
    }

    /**
     * Advances one stream over {@code steps} input vectors, exactly as that many {@link #step} calls
     * (bitwise the same results).
     *
     * @param s the stream; updated in place
     * @param xs (steps, I) row-major at xOff; read only
     * @param xOff offset into xs
     * @param steps T, {@code >= 0}
     * @param ys receives (steps, O) at yOff, or null
     * @param yOff offset into ys
     */
    public void run(StreamState s, float[] xs, int xOff, int steps, float[] ys, int yOff) {
        own(s);
        if (embedding != null) {
            throw new IllegalArgumentException("this model has an embedding: run it with token ids");
        }
        Checks.size("steps", steps);
        Checks.range("xs", xs, xOff, (long) steps * in);
        if (ys != null) {
            Checks.range("ys", ys, yOff, (long) steps * out);
        }
        for (int t = 0; t < steps; t++) {
            advance(s, xs, xOff + t * in);
            if (ys != null) {
                output(1, s.h, (layers - 1) * state, ys, yOff + t * out);
            }
        }
    }

    /**
     * Advances one stream over {@code steps} token ids, exactly as that many {@link #step} calls.
     *
     * @param s the stream; updated in place
     * @param tokens ids in [0, V) at tOff; read only
     * @param tOff offset into tokens
     * @param steps T, {@code >= 0}
     * @param ys receives (steps, O) at yOff, or null
     * @param yOff offset into ys
     */
    public void run(StreamState s, int[] tokens, int tOff, int steps, float[] ys, int yOff) {
        own(s);
        Checks.size("steps", steps);
        Checks.range("tokens", tokens, tOff, steps);
        if (ys != null) {
            Checks.range("ys", ys, yOff, (long) steps * out);
        }
        for (int t = 0; t < steps; t++) {
            checkToken(tOff + t, tokens[tOff + t]);
        }
        for (int t = 0; t < steps; t++) {
            advance(s, embedding, tokens[tOff + t] * in);
            if (ys != null) {
                output(1, s.h, (layers - 1) * state, ys, yOff + t * out);
            }
        }
    }

    /**
     * Advances n independent streams by one input vector each, in one GEMM per matrix instead of n
     * GEMVs.
     *
     * @param b working memory with capacity &ge; n
     * @param states the streams, {@code states[0 .. n)}: distinct, of this model; updated in place
     * @param n number of streams, in [1, capacity]
     * @param x (n, I) row-major at xOff, row r the input of states[r]; read only
     * @param xOff offset into x
     * @param y receives (n, O) at yOff, row r the output of states[r]; or null
     * @param yOff offset into y
     */
    public void step(StreamBatch b, StreamState[] states, int n, float[] x, int xOff, float[] y, int yOff) {
        checkBatch(b, states, n);
        if (embedding != null) {
            throw new IllegalArgumentException("this model has an embedding: step it with token ids");
        }
        Checks.range("x", x, xOff, (long) n * in);
        if (y != null) {
            Checks.range("y", y, yOff, (long) n * out);
        }
        advanceBatch(b, states, n, x, xOff);
        if (y != null) {
            output(n, b.h, 0, y, yOff);
        }
    }

    /**
     * Advances n independent streams by one token each, in one GEMM per matrix.
     *
     * @param b working memory with capacity &ge; n
     * @param states the streams, {@code states[0 .. n)}: distinct, of this model; updated in place
     * @param n number of streams, in [1, capacity]
     * @param tokens (n) ids in [0, V) at tOff, tokens[tOff + r] for states[r]; read only
     * @param tOff offset into tokens
     * @param y receives (n, O) at yOff, or null
     * @param yOff offset into y
     */
    public void step(StreamBatch b, StreamState[] states, int n, int[] tokens, int tOff, float[] y, int yOff) {
        checkBatch(b, states, n);
        Checks.range("tokens", tokens, tOff, n);
        for (int r = 0; r < n; r++) {
            checkToken(tOff + r, tokens[tOff + r]);
        }
        if (y != null) {
            Checks.range("y", y, yOff, (long) n * out);
        }
        for (int r = 0; r < n; r++) {   // gather the embedding rows into x (n, I)
            System.arraycopy(embedding, tokens[tOff + r] * in, b.x, r * in, in);
        }
        advanceBatch(b, states, n, b.x, 0);
        if (y != null) {
            output(n, b.h, 0, y, yOff);
        }
    }

    // ------------------------------------------------------------------------------------ internals

    private void advance(StreamState s, float[] x, int xOff) {
        float[] src = x;
        int srcOff = xOff;
        for (int l = 0; l < layers; l++) {
            layer(l, 1, src, srcOff, s.h, l * state, s.c, l * hidden, s.scratch);
            src = s.h;   // the next layer reads this layer's new h
            srcOff = l * state;
        }
    }

    private void advanceBatch(StreamBatch b, StreamState[] states, int n, float[] x, int xOff) {
        // Layer by layer: gather the n states of layer l into (n, P) and (n, H), step them in place,
        // scatter back; b.h keeps layer l's new h as layer l+1's input. In the last layer b.h is the
        // top output.
        float[] src = x;
        int srcOff = xOff;
        for (int l = 0; l < layers; l++) {
            float[] hb = l % 2 == 0 ? b.h : b.h2;
            for (int r = 0; r < n; r++) {
                System.arraycopy(states[r].h, l * state, hb, r * state, state);
                if (b.c != null) {
                    System.arraycopy(states[r].c, l * hidden, b.c, r * hidden, hidden);
                }
            }
            layer(l, n, src, srcOff, hb, 0, b.c, 0, b.scratch);
            for (int r = 0; r < n; r++) {
                System.arraycopy(hb, r * state, states[r].h, l * state, state);
                if (b.c != null) {
                    System.arraycopy(b.c, r * hidden, states[r].c, l * hidden, hidden);
                }
            }
            src = hb;
            srcOff = 0;
        }
        if ((layers - 1) % 2 == 1) {
            System.arraycopy(b.h2, 0, b.h, 0, n * state);   // the top layer's h is read from b.h
        }
    }

    /**
     * One layer, n rows, in place: x (n, in_l) with leading dimension in_l at xOff; hs (n, P) and cs
     * (n, H) hold h_{t−1}, c_{t−1} on entry and h_t, c_t on exit.
     */
    private void layer(int l, int n, float[] x, int xOff, float[] hs, int hOff, float[] cs, int cOff, Scratch s) {
        int inL = spec.layerInputSize(l);
        int cat = inL + state;
        float[] gates = s.gates;   // (n, G·H)
        // xh (n, in_l + P) = [x ; h_{t−1}], the input of the concatenated matrix
        for (int r = 0; r < n; r++) {
            System.arraycopy(x, xOff + r * inL, s.xh, r * cat, inL);
            System.arraycopy(hs, hOff + r * state, s.xh, r * cat + inL, state);
        }
        switch (spec.cell()) {
            case LSTM: {
                // gates = [W_ih | W_hh]·[x ; h_{t−1}] + (b_ih + b_hh)     (n, 4H), blocks [i, f, g, o]
                k.broadcastRows(n, g, bCat[l], 0, gates, 0, g);
                wCat[l].multAdd(k, n, s.xh, 0, cat, gates, 0, g);
                boolean proj = wHr[l] != null;
                float[] hOut = proj ? s.hPre : hs;
                for (int r = 0; r < n; r++) {
                    int ho = proj ? r * hidden : hOff + r * state;
                    int co = cOff + r * hidden;
                    if (peep[l] == null) {
                        // i,f,o = σ(·)  g = tanh(·)  c_t = f ⊙ c_{t−1} + i ⊙ g  h_t = o ⊙ tanh(c_t)
                        k.lstmCellForward(hidden, gates, r * g, cs, co, cs, co, s.tanhC, r * hidden, hOut, ho);
                    } else {
                        // as above, with a_i, a_f += p_{i,f} ⊙ c_{t−1} and a_o += p_o ⊙ c_t
                        k.lstmPeepholeCellForward(hidden, gates, r * g, peep[l], 0, cs, co, cs, co, s.tanhC,
                                r * hidden, hOut, ho);
                    }
                }
                if (proj) {
                    // h_t = W_hr·(o ⊙ tanh(c_t))                                (n, P)
                    for (int r = 0; r < n; r++) {
                        java.util.Arrays.fill(hs, hOff + r * state, hOff + (r + 1) * state, 0f);
                    }
                    wHr[l].multAdd(k, n, s.hPre, 0, hidden, hs, hOff, state);
                }
                break;
            }
            case GRU: {
                int h2 = 2 * hidden;
                // [a_r, a_z] = [W_ih | W_hh]_{r,z}·[x ; h_{t−1}] + (b_ih + b_hh)_{r,z}     (n, 2H)
                // x_n = W_in·x + b_in                                                        (n, H)
                k.broadcastRows(n, h2, bCat[l], 0, gates, 0, g);
                wCat[l].multAdd(k, n, s.xh, 0, cat, gates, 0, g);
                k.broadcastRows(n, hidden, bIn[l], 0, gates, h2, g);
                wIn[l].multAdd(k, n, x, xOff, inL, gates, h2, g);
                if (spec.resetBefore()) {
                    gruResetBefore(l, n, hs, hOff, s);
                } else {
                    // h_n = W_hn·h_{t−1} + b_hn; the r, z part of gh stays 0 (Scratch never writes it
                    // for this cell), because a_r and a_z above already hold both projections
                    // r = σ(a_r)  z = σ(a_z)  n = tanh(x_n + r ⊙ h_n)  h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
                    k.broadcastRows(n, hidden, bHn[l], 0, s.gh, h2, g);
                    wHn[l].multAdd(k, n, hs, hOff, state, s.gh, h2, g);
                    for (int r = 0; r < n; r++) {
                        int ho = hOff + r * state;
                        k.gruCellForward(hidden, gates, r * g, s.gh, r * g, hs, ho, hs, ho);
                    }
                }
                break;
            }
            default: {
                // h_t = tanh|relu([W_ih | W_hh]·[x ; h_{t−1}] + b_ih + b_hh)        (n, H)
                k.broadcastRows(n, g, bCat[l], 0, gates, 0, g);
                wCat[l].multAdd(k, n, s.xh, 0, cat, gates, 0, g);
                if (spec.cell() == CellType.RNN_RELU) {
                    k.relu(n * hidden, gates, 0, hs, hOff);
                } else {
                    k.tanh(n * hidden, gates, 0, hs, hOff);
                }
            }
        }
    }

    /*
     * GRU with the reset gate before the recurrent matmul (ONNX linear_before_reset = 0), after the
     * caller put [a_r, a_z] (both biases in) and x_n = W_in·x + b_in into gx:
     *   r = σ(a_r)   z = σ(a_z)   rh = r ⊙ h_{t−1}
     *   h_n = W_hn·rh + b_hn     n = tanh(x_n + h_n)     h_t = n + z ⊙ (h_{t−1} − n)
     */
    private void gruResetBefore(int l, int n, float[] hs, int hOff, Scratch s) {
        float[] gx = s.gates;
        float[] gh = s.gh;
        int h2 = 2 * hidden;
        for (int r = 0; r < n; r++) {
            k.gruResetGateForward(hidden, gx, r * g, hs, hOff + r * state, s.rh, r * hidden);
        }
        k.broadcastRows(n, hidden, bHn[l], 0, gh, h2, g);
        wHn[l].multAdd(k, n, s.rh, 0, hidden, gh, h2, g);
        for (int r = 0; r < n; r++) {
            int ho = hOff + r * state;
            k.gruResetBeforeCellForward(hidden, gx, r * g, gh, r * g, hs, ho, hs, ho);
        }
    }

    /** y (n, O) = head(h_top (n, P)), or a copy of h_top without a head. */
    private void output(int n, float[] hTop, int hOff, float[] y, int yOff) {
        if (headW == null) {
            System.arraycopy(hTop, hOff, y, yOff, n * state);
            return;
        }
        k.broadcastRows(n, out, headB, 0, y, yOff, out);
        headW.multAdd(k, n, hTop, hOff, state, y, yOff, out);
    }

    private void own(StreamState s) {
        if (s == null) {
            throw new IllegalArgumentException("state must not be null");
        }
        if (s.model != this) {
            throw new IllegalArgumentException("state belongs to another model (" + s.model.spec.describe()
                    + "); make states with this model's newState()");
        }
    }

    private void checkBatch(StreamBatch b, StreamState[] states, int n) {
        if (b == null) {
            throw new IllegalArgumentException("batch must not be null");
        }
        if (b.model != this) {
            throw new IllegalArgumentException("batch belongs to another model; make it with this model's newBatch()");
        }
        if (states == null) {
            throw new IllegalArgumentException("states must not be null");
        }
        if (n < 1 || n > b.scratch.capacity) {
            throw new IllegalArgumentException("n must be in [1, capacity = " + b.scratch.capacity + "], got " + n);
        }
        if (n > states.length) {
            throw new IllegalArgumentException("states: n = " + n + " streams needs states.length >= " + n
                    + ", but states.length = " + states.length);
        }
        long mark = ++b.mark;
        for (int r = 0; r < n; r++) {
            StreamState s = states[r];
            if (s == null) {
                throw new IllegalArgumentException("states[" + r + "] must not be null");
            }
            own(s);
            if (s.batchOwner == b && s.batchMark == mark) {
                throw new IllegalArgumentException("states[" + r + "] appears twice in one batched step");
            }
            s.batchOwner = b;
            s.batchMark = mark;
        }
    }

    /** Checks a token id; index is its position in the caller's array, or -1 for a single token. */
    private void checkToken(int index, int token) {
        if (embedding == null) {
            throw new IllegalArgumentException("this model has no embedding: step it with an input vector");
        }
        if (token < 0 || token >= vocab) {
            String name = index < 0 ? "token" : "tokens[" + index + "]";   // built only on failure
            throw new IllegalArgumentException(name + " must be a token id in [0, " + vocab + "), got " + token);
        }
    }

    int layers() {
        return layers;
    }

    int hidden() {
        return hidden;
    }

    int state() {
        return state;
    }
}
