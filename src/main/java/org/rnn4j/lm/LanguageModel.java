package org.rnn4j.lm;

import java.util.LinkedHashMap;
import java.util.Map;
import org.rnn4j.cell.CellType;
import org.rnn4j.cell.Rnn;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.cell.RnnWorkspace;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.nn.Embedding;
import org.rnn4j.nn.Linear;
import org.rnn4j.nn.Params;
import org.rnn4j.nn.SoftmaxCrossEntropy;

/**
 * A next-token language model: token ids → embedding (V, E) → stacked RNN/LSTM/GRU (E → H, L layers)
 * → linear decoder (H → V) → softmax over the vocabulary. The layout and parameter names are those of
 * PyTorch's {@code word_language_model} example: {@code encoder.weight} (V, E), {@code rnn.*}
 * ({@link RnnWeights} names), {@code decoder.weight} (V, H), {@code decoder.bias} (V).
 *
 * <p>Sequences are seq-first: a chunk of token ids is (T, B) row-major, element (t, b) at
 * {@code t·B + b}; the recurrent state (h, and c for the LSTM) is (L, B, H) and is carried by the
 * caller from chunk to chunk (classic truncated-BPTT language-model training: the state crosses a
 * chunk boundary as a value, the gradient does not).
 *
 * <p>Ownership and threads: the model owns its parameters and their gradients ({@link #params()});
 * all per-call buffers live in a {@link Workspace}, one per thread. Forward-only calls
 * ({@link #evaluate}, sampling) may share the model between threads; {@link #trainChunk} adds into
 * the gradients and must not run concurrently with anything that reads or writes them.
 */
public final class LanguageModel {
    private final Config config;
    private final Kernels kernels;
    private final Embedding encoder;
    private final RnnWeights rnnWeights;
    private final RnnWeights rnnGrads;
    private final Rnn rnn;
    private final Linear decoder;
    private final Params params = new Params();
    private final SoftmaxCrossEntropy loss;

    /**
     * The architecture.
     *
     * @param cell the recurrent cell
     * @param vocabSize V, {@code >= 1}
     * @param embeddingSize E, {@code >= 1}
     * @param hiddenSize H, {@code >= 1}
     * @param numLayers L, {@code >= 1}
     * @param dropout inter-layer dropout of the RNN in training, in [0, 1)
     */
    public record Config(CellType cell, int vocabSize, int embeddingSize, int hiddenSize, int numLayers,
                         double dropout) {
        /** Validates through {@link RnnSpec} and the sizes; names the bad field. */
        public Config {
            if (vocabSize < 1) {
                throw new IllegalArgumentException("vocabSize must be >= 1, got " + vocabSize);
            }
            if (embeddingSize < 1) {
                throw new IllegalArgumentException("embeddingSize must be >= 1, got " + embeddingSize);
            }
            rnnSpec(cell, embeddingSize, hiddenSize, numLayers, dropout);
        }

        /** The RNN's spec: seq-first, forward, plain cell. */
        public RnnSpec rnnSpec() {
            return rnnSpec(cell, embeddingSize, hiddenSize, numLayers, dropout);
        }

        private static RnnSpec rnnSpec(CellType cell, int in, int hidden, int layers, double dropout) {
            return RnnSpec.builder(cell, in, hidden).numLayers(layers).dropout(dropout).build();
        }

        /** As strings, for checkpoint metadata (keys {@code model.*}). */
        public Map<String, String> toMetadata() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("model.cell", cell.id());
            m.put("model.vocab_size", Integer.toString(vocabSize));
            m.put("model.embedding_size", Integer.toString(embeddingSize));
            m.put("model.hidden_size", Integer.toString(hiddenSize));
            m.put("model.num_layers", Integer.toString(numLayers));
            m.put("model.dropout", Double.toString(dropout));
            return m;
        }

        /**
         * The inverse of {@link #toMetadata()}.
         *
         * @param m metadata holding the {@code model.*} keys
         * @return the config
         * @throws IllegalArgumentException naming a missing or malformed key
         */
        public static Config fromMetadata(Map<String, String> m) {
            return new Config(CellType.parse(Meta.string(m, "model.cell")), Meta.integer(m, "model.vocab_size"),
                    Meta.integer(m, "model.embedding_size"), Meta.integer(m, "model.hidden_size"),
                    Meta.integer(m, "model.num_layers"), Meta.real(m, "model.dropout"));
        }
    }

    /**
     * A model with all parameters 0 (see {@link #init(long)}).
     *
     * @param config the architecture; not null
     * @param kernels the kernels for every layer; not null
     */
    public LanguageModel(Config config, Kernels kernels) {
        if (config == null || kernels == null) {
            throw new IllegalArgumentException("config and kernels must not be null");
        }
        this.config = config;
        this.kernels = kernels;
        RnnSpec spec = config.rnnSpec();
        encoder = new Embedding(config.vocabSize(), config.embeddingSize(), kernels);
        rnnWeights = new RnnWeights(spec);
        rnnGrads = new RnnWeights(spec);
        rnn = new Rnn(rnnWeights, kernels);
        decoder = new Linear(config.hiddenSize(), config.vocabSize(), kernels);
        loss = new SoftmaxCrossEntropy(kernels);
        encoder.register(params, "encoder");
        params.addAll("rnn", rnnWeights, rnnGrads);
        decoder.register(params, "decoder");
    }

    /**
     * PyTorch's default initialization of each layer, seeded: embedding N(0, 1), RNN U(±1/√H),
     * decoder U(±1/√H); the LSTM's forget-gate bias is left at that default.
     *
     * @param seed the seed
     * @return this
     */
    public LanguageModel init(long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        encoder.initNormal(r.nextLong());
        rnnWeights.initUniform(r.nextLong());
        decoder.initUniform(r.nextLong());
        return this;
    }

    /**
     * This model prepared for serving: a snapshot of the current weights as an immutable
     * {@link org.rnn4j.serve.StreamingModel} (embedding → RNN → decoder), stepped one token at a
     * time per stream with no allocation; its step output is the decoder's logits (V).
     *
     * @param format how the RNN's matrices are stored
     * @return a new model that shares no arrays with this one (later training does not reach it)
     */
    public org.rnn4j.serve.StreamingModel streaming(org.rnn4j.serve.WeightFormat format) {
        return org.rnn4j.serve.StreamingModel.builder(rnnWeights)
                .embedding(encoder.weight(), config.vocabSize())
                .head(decoder.weight(), decoder.bias(), config.vocabSize())
                .format(format)
                .kernels(kernels)
                .build();
    }

    /** The architecture. */
    public Config config() {
        return config;
    }

    /** Every trainable tensor with its gradient: encoder, rnn, decoder (in that order). */
    public Params params() {
        return params;
    }

    /** The kernels every layer runs on. */
    public Kernels kernels() {
        return kernels;
    }

    /** The number of floats of a state tensor (h or c) for a batch of {@code batch}: L·B·H. */
    public int stateSize(int batch) {
        return config.numLayers() * batch * config.hiddenSize();
    }

    /**
     * Per-thread buffers of a model, sized by the largest (T, B) seen and grown when needed; a
     * stream of same-shape calls allocates nothing.
     */
    public static final class Workspace {
        final RnnWorkspace rnn;
        float[] emb = new float[0];      // (T, B, E)
        float[] out = new float[0];      // (T, B, H)
        float[] logits = new float[0];   // (T, B, V); dLogits in place
        float[] dOut = new float[0];     // (T, B, H)
        float[] dEmb = new float[0];     // (T, B, E)
        float[] hN = new float[0];       // (L, B, H)
        float[] cN = new float[0];

        /** @param rnn the RNN workspace (its Parallelism and dropout stream are used); not null */
        public Workspace(RnnWorkspace rnn) {
            if (rnn == null) {
                throw new IllegalArgumentException("rnn workspace must not be null");
            }
            this.rnn = rnn;
        }

        /** A workspace on a serial {@link RnnWorkspace}. */
        public Workspace() {
            this(new RnnWorkspace());
        }

        /** The RNN workspace (e.g. to reseed its dropout stream). */
        public RnnWorkspace rnn() {
            return rnn;
        }

        void size(Config c, int tokens, int batch) {
            emb = grow(emb, (long) tokens * c.embeddingSize());
            out = grow(out, (long) tokens * c.hiddenSize());
            logits = grow(logits, (long) tokens * c.vocabSize());
            long states = (long) c.numLayers() * batch * c.hiddenSize();
            hN = grow(hN, states);
            cN = grow(cN, states);
        }

        void sizeBackward(Config c, int tokens) {
            dOut = grow(dOut, (long) tokens * c.hiddenSize());
            dEmb = grow(dEmb, (long) tokens * c.embeddingSize());
        }

        private static float[] grow(float[] a, long n) {
            if (n > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("a buffer of " + n + " floats exceeds the Java array limit;"
                        + " use a smaller batch, sequence length or vocabulary");
            }
            return a.length >= n ? a : new float[(int) n];
        }
    }

    /**
     * One training chunk: forward from the carried state, the summed cross-entropy of predicting
     * {@code targets}, and its gradient added into {@link #params()} (scaled by {@code gradScale},
     * e.g. 1/count for the mean loss). The state arrays are updated in place to the chunk's final
     * state (the value carried to the next chunk).
     *
     * @param ws per-thread workspace
     * @param input (T, B) token ids in [0, V)
     * @param targets (T, B) token ids in [0, V), or {@link SoftmaxCrossEntropy#IGNORE_INDEX}
     * @param seqLen T
     * @param batch B
     * @param h (L, B, H) in: initial state; out: final state
     * @param c (L, B, H) for the LSTM (else null), in/out like {@code h}
     * @param gradScale factor on the gradient of the summed loss
     * @return the summed loss over the counted targets (nats), in double
     */
    public double trainChunk(Workspace ws, int[] input, int[] targets, int seqLen, int batch, float[] h, float[] c,
                             float gradScale) {
        int n = seqLen * batch;
        double sum = forward(ws, true, input, targets, seqLen, batch, h, c);
        ws.sizeBackward(config, n);
        int v = config.vocabSize();
        // dL/dlogits = scale·(softmax − onehot), in place over the logits
        loss.forwardBackward(n, v, ws.logits, 0, targets, 0, ws.logits, 0, gradScale);
        // forward: logits = out·W_decᵀ + b_dec  ⇒  dW_dec += dLogitsᵀ·out, dOut = dLogits·W_dec
        decoder.backward(n, ws.out, 0, ws.logits, 0, ws.dOut, 0);
        // forward: out = RNN(emb, h0)  ⇒  BPTT; the carried state gets no gradient (truncation)
        rnn.backward(ws.rnn, ws.dOut, null, null, rnnGrads, ws.dEmb, null, null);
        // forward: emb = E[input]  ⇒  dE[input] += dEmb
        encoder.backward(input, 0, n, ws.dEmb, 0);
        return sum;
    }

    /**
     * Forward only (inference mode, no dropout): the summed cross-entropy of predicting
     * {@code targets}; the state arrays are advanced in place like in {@link #trainChunk}.
     *
     * @param ws per-thread workspace
     * @param input (T, B) token ids
     * @param targets (T, B) token ids or {@link SoftmaxCrossEntropy#IGNORE_INDEX}
     * @param seqLen T
     * @param batch B
     * @param h (L, B, H) in/out
     * @param c (L, B, H) in/out for the LSTM, else null
     * @return the summed loss (nats)
     */
    public double evaluate(Workspace ws, int[] input, int[] targets, int seqLen, int batch, float[] h, float[] c) {
        return forward(ws, false, input, targets, seqLen, batch, h, c);
    }

    private double forward(Workspace ws, boolean training, int[] input, int[] targets, int seqLen, int batch,
                           float[] h, float[] c) {
        int n = seqLen * batch;
        ws.size(config, n, batch);
        logitsOf(ws, training, input, seqLen, batch, h, c);
        return loss.forward(n, config.vocabSize(), ws.logits, 0, targets, 0);
    }

    /**
     * Logits for every position of a (T, B) chunk, in {@code ws}; advances h (and c) in place.
     * Returns the logits array of the workspace: (T, B, V), valid until the next call.
     */
    float[] logitsOf(Workspace ws, boolean training, int[] input, int seqLen, int batch, float[] h, float[] c) {
        int n = seqLen * batch;
        ws.size(config, n, batch);
        boolean lstm = config.cell().hasCellState();
        int states = stateSize(batch);
        // emb (T, B, E) = E[input]
        encoder.forward(input, 0, n, ws.emb, 0);
        rnn.forward(ws.rnn, training, ws.emb, seqLen, batch, null, h, lstm ? c : null, ws.out, ws.hN,
                lstm ? ws.cN : null);
        System.arraycopy(ws.hN, 0, h, 0, states);
        if (lstm) {
            System.arraycopy(ws.cN, 0, c, 0, states);
        }
        // logits (T·B, V) = out·W_decᵀ + b_dec
        decoder.forward(n, ws.out, 0, ws.logits, 0);
        return ws.logits;
    }
}
