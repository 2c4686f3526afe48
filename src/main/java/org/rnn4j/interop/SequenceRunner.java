package org.rnn4j.interop;

import java.util.Arrays;
import org.rnn4j.cell.Rnn;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWorkspace;
import org.rnn4j.kernel.Checks;
import org.rnn4j.kernel.Kernels;

/**
 * Runs a {@link TorchModel} over a batch of sequences: embedding → RNN (inference, no dropout) → head.
 *
 * <h2>Layouts</h2>
 * With T steps, B sequences, I = {@link TorchModel#inputSize()}, O = {@link TorchModel#outputSize()},
 * L·D = {@link RnnSpec#numUnits()}, P = {@link RnnSpec#stateSize()}, H = {@link RnnSpec#hiddenSize()};
 * all row-major; sequence arrays are (B, T, ·) instead of (T, B, ·) when the model's spec is
 * {@link RnnSpec#batchFirst() batch-first}:
 * <ul>
 *   <li>{@code x}: (T, B, I) features, for a model without embedding;</li>
 *   <li>{@code ids}: (T, B) token ids in [0, V), for a model with an embedding;</li>
 *   <li>{@code lengths}: (B) in [0, T], or null for all T (PyTorch packed-sequence semantics: steps
 *       {@code t >= lengths[b]} are padding; their input is never read, ids there need not be valid);</li>
 *   <li>{@code h0}: (L·D, B, P), {@code c0}: (L·D, B, H) (LSTM only), or null for zeros;</li>
 *   <li>{@code y}: receives (T, B, O), <b>exactly 0 at padded steps</b>, also after a head (whose bias
 *       would otherwise fill them; PyTorch's {@code pad_packed_sequence} output is 0 there before the
 *       head);</li>
 *   <li>{@code hN}: receives (L·D, B, P), {@code cN}: (L·D, B, H) (LSTM only): each sequence's state after
 *       its own last step (the first step for a reversed direction).</li>
 * </ul>
 * Arrays may be longer than their shape needs (only the prefix is used); outputs may be null when not
 * wanted. Inputs are read during the call only.
 *
 * <h2>Ownership and threads</h2>
 * A runner keeps per-call buffers (its {@link RnnWorkspace} and two scratch arrays) that grow to the
 * largest T·B seen, so a stream of calls of one shape allocates nothing. It is not thread-safe: give
 * each thread its own runner; the {@link TorchModel} is shared.
 */
public final class SequenceRunner {
    private final TorchModel model;
    private final RnnSpec spec;
    private final Rnn rnn;
    private final Kernels k;
    private final RnnWorkspace ws;
    private float[] feats = new float[0];    // (T, B, I) embedded tokens
    private float[] hidden = new float[0];   // (T, B, O_rnn) the RNN's output, read by the head

    /**
     * A runner on the default kernels ({@link Kernels#get()}) with a serial workspace.
     *
     * @param model the model; not null
     */
    public SequenceRunner(TorchModel model) {
        this(model, Kernels.get(), new RnnWorkspace());
    }

    /**
     * A runner on the given kernels and workspace.
     *
     * @param model the model; not null
     * @param kernels e.g. {@link Kernels#scalar()}; not null
     * @param ws the RNN workspace (its {@link org.rnn4j.kernel.Parallelism} splits the RNN's GEMMs);
     *           not null; this runner's from now on
     */
    public SequenceRunner(TorchModel model, Kernels kernels, RnnWorkspace ws) {
        if (model == null || kernels == null || ws == null) {
            throw new IllegalArgumentException("model, kernels and ws must not be null");
        }
        this.model = model;
        this.spec = model.spec();
        this.rnn = new Rnn(model.weightsLive(), kernels);
        this.k = kernels;
        this.ws = ws;
    }

    /** The model this runner runs. */
    public TorchModel model() {
        return model;
    }

    /**
     * Runs a model without embedding on feature vectors (see the class documentation for layouts).
     *
     * @param x (T, B, I) features; read only
     * @param seqLen T, {@code >= 1}
     * @param batch B, {@code >= 1}
     * @param lengths (B) in [0, T] or null
     * @param h0 (L·D, B, P) or null
     * @param c0 (L·D, B, H) (LSTM only) or null
     * @param y receives (T, B, O), 0 at padded steps; or null
     * @param hN receives (L·D, B, P) or null
     * @param cN receives (L·D, B, H) (LSTM only) or null
     * @throws IllegalArgumentException if the model has an embedding, or naming the first argument of a
     *         wrong size, with the expected and the actual size
     */
    public void forward(float[] x, int seqLen, int batch, int[] lengths, float[] h0, float[] c0, float[] y,
                        float[] hN, float[] cN) {
        if (model.hasEmbedding()) {
            throw new IllegalArgumentException("x: this model starts with the embedding '" + model.embeddingName()
                    + "' (V = " + model.vocabSize() + "); pass token ids to forwardTokens");
        }
        checkCommon(seqLen, batch, lengths, y);
        run(x, seqLen, batch, lengths, h0, c0, y, hN, cN);
    }

    /**
     * Runs a model with an embedding on token ids (see the class documentation for layouts).
     *
     * @param ids (T, B) token ids, each in [0, V) at the steps within its sequence's length; read only
     * @param seqLen T, {@code >= 1}
     * @param batch B, {@code >= 1}
     * @param lengths (B) in [0, T] or null
     * @param h0 (L·D, B, P) or null
     * @param c0 (L·D, B, H) (LSTM only) or null
     * @param y receives (T, B, O), 0 at padded steps; or null
     * @param hN receives (L·D, B, P) or null
     * @param cN receives (L·D, B, H) (LSTM only) or null
     * @throws IllegalArgumentException if the model has no embedding, for an id out of range (naming its
     *         position and value), or naming the first argument of a wrong size
     */
    public void forwardTokens(int[] ids, int seqLen, int batch, int[] lengths, float[] h0, float[] c0, float[] y,
                              float[] hN, float[] cN) {
        if (!model.hasEmbedding()) {
            throw new IllegalArgumentException("ids: this model has no embedding; pass (T, B, I = "
                    + model.inputSize() + ") features to forward");
        }
        checkCommon(seqLen, batch, lengths, y);
        long n = (long) seqLen * batch;
        if (ids == null || ids.length < n) {
            throw new IllegalArgumentException("ids must hold (" + (spec.batchFirst() ? "B, T" : "T, B") + ") = " + n
                    + " ids, got " + (ids == null ? "null" : ids.length));
        }
        int in = spec.inputSize();
        int vocab = model.vocabSize();
        float[] table = model.embeddingLive();
        feats = grow(feats, n * in);
        for (int t = 0; t < seqLen; t++) {
            for (int b = 0; b < batch; b++) {
                int row = row(t, b, seqLen, batch);
                if (lengths != null && t >= lengths[b]) {
                    Arrays.fill(feats, row * in, row * in + in, 0f);   // padding: never read by the RNN
                    continue;
                }
                int id = ids[row];
                if (id < 0 || id >= vocab) {
                    throw new IllegalArgumentException("ids[" + row + "] (t = " + t + ", b = " + b + ") = " + id
                            + " is not a token id of the embedding '" + model.embeddingName() + "': expected [0, "
                            + vocab + ")");
                }
                System.arraycopy(table, id * in, feats, row * in, in);
            }
        }
        run(feats, seqLen, batch, lengths, h0, c0, y, hN, cN);
    }

    private int row(int t, int b, int seqLen, int batch) {
        return spec.batchFirst() ? b * seqLen + t : t * batch + b;
    }

    private void checkCommon(int seqLen, int batch, int[] lengths, float[] y) {
        if (seqLen < 1) {
            throw new IllegalArgumentException("seqLen must be >= 1, got " + seqLen);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        long widest = Math.max(model.outputSize(), Math.max(spec.outputSize(), spec.inputSize()));
        if ((long) seqLen * batch * widest > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("T·B = " + seqLen + "·" + batch + " rows of " + widest
                    + " floats exceed the Java array limit");
        }
        Checks.lengths(lengths, "T", seqLen, batch);
        Checks.holds("y", y, (long) seqLen * batch * model.outputSize(), spec.batchFirst() ? "(B, T, O)" : "(T, B, O)",
                true);
    }

    private void run(float[] x, int seqLen, int batch, int[] lengths, float[] h0, float[] c0, float[] y, float[] hN,
                     float[] cN) {
        if (!model.hasHead()) {
            rnn.forward(ws, false, x, seqLen, batch, lengths, h0, c0, y, hN, cN);
            return;
        }
        int rows = seqLen * batch;
        int width = spec.outputSize();
        hidden = grow(hidden, (long) rows * width);
        rnn.forward(ws, false, x, seqLen, batch, lengths, h0, c0, hidden, hN, cN);
        if (y == null) {
            return;
        }
        int out = model.outputSize();
        float[] bias = model.headBiasLive();
        if (bias != null) {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(bias, 0, y, r * out, out);
            }
        }
        // y (rows, O) = hidden (rows, O_rnn) · Wᵀ (W stored (O, O_rnn)) [+ y holding the bias]
        k.gemm(false, true, rows, out, width, 1f, hidden, 0, width, model.headWeightLive(), 0, width,
                bias != null ? 1f : 0f, y, 0, out);
        if (lengths != null) {
            for (int b = 0; b < batch; b++) {
                for (int t = lengths[b]; t < seqLen; t++) {
                    int r = row(t, b, seqLen, batch);
                    Arrays.fill(y, r * out, r * out + out, 0f);
                }
            }
        }
    }

    private static float[] grow(float[] a, long n) {
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(n + " floats exceed the Java array limit");
        }
        return a.length >= n ? a : new float[(int) n];
    }
}
