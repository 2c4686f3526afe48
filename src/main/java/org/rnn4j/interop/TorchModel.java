package org.rnn4j.interop;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rnn4j.cell.Direction;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.io.NamedTensor;
import org.rnn4j.io.Safetensors;
import org.rnn4j.io.SafetensorsFile;

/**
 * A recurrent model as PyTorch saves it: an optional embedding, a stacked RNN/LSTM/GRU, an optional
 * linear head, with PyTorch {@code state_dict} names. Loaded from a safetensors file of such a
 * {@code state_dict} ({@link #read}, {@link #from}), built from Java arrays ({@link #of}), exported
 * ({@link #write}); run it with a {@link SequenceRunner}.
 *
 * <h2>Shapes</h2>
 * With I the RNN's input size, H its hidden size, P = {@link RnnSpec#stateSize()} (the width of h),
 * D the directions, L the layers and O<sub>rnn</sub> = {@link RnnSpec#outputSize()}:
 * <pre>
 *   embedding   E.weight              (V, I)          token id v → row v (nn.Embedding)
 *   rnn         PREFIX + RnnWeights names              see {@link RnnWeights}
 *   head        H.weight, H.bias      (O, O_rnn), (O) y = x·Wᵀ + b (nn.Linear; the bias may be absent)
 * </pre>
 * The model maps (T, B) token ids (with an embedding) or (T, B, I) features (without) to
 * y (T, B, {@link #outputSize()}), h_n (L·D, B, P) and, for an LSTM, c_n (L·D, B, H); (B, T, ·) for the
 * sequences when {@link RnnSpec#batchFirst()}.
 *
 * <h2>Loading: what is inferred and how</h2>
 * <ol>
 *   <li><b>The RNN</b>: the one tensor named {@code weight_ih_l0} or ending in {@code .weight_ih_l0}
 *       gives the prefix ({@code ""}, {@code "rnn."}, {@code "lstm."}, {@code "model.encoder.rnn."} ...);
 *       where several match, 1-D ones (an rnn4j checkpoint's optimizer state) are dropped; none or still
 *       several is an error naming {@link LoadOptions#rnnPrefix()}. With none, {@code weight_ih_l0_reverse}
 *       marks an rnn4j reverse-only network.</li>
 *   <li>L: consecutive {@code weight_ih_l0, _l1, ...}; D = 2 if {@code weight_ih_l0_reverse} exists too
 *       (then every layer needs both directions).</li>
 *   <li>{@code weight_hr_l0} present: a projected LSTM, P = its rows, H = its columns; else H = the
 *       columns of {@code weight_hh_l0}. G = rows of {@code weight_hh_l0} / H: 4 LSTM, 3 GRU, 1 RNN.
 *       {@code weight_peephole_l0} (3H, rnn4j only) present: a peephole LSTM.</li>
 *   <li>What shapes cannot say: the vanilla RNN's nonlinearity ({@link LoadOptions#cell()}, else metadata
 *       {@link MetadataKeys#CELL}, else tanh), GRU reset-before ({@link LoadOptions#resetBefore()}, else
 *       {@link MetadataKeys#RESET_BEFORE}, else false), merge ({@link MetadataKeys#MERGE}, else concat),
 *       the layout ({@link LoadOptions#batchFirst()}). A cell hint or metadata cell with another G is an
 *       error naming the tensor and both facts.</li>
 *   <li>Every tensor of that network must exist with exactly its shape ({@code weight_ih_l{k}{_reverse}}
 *       (G·H, k == 0 ? I : D·P), {@code weight_hh} (G·H, P), {@code bias_ih}/{@code bias_hh} (G·H),
 *       {@code weight_hr} (P, H), {@code weight_peephole} (3H)). No bias tensor at all (PyTorch
 *       {@code bias=False}) loads as zero biases and exports as none; some but not all is an error.</li>
 *   <li>The embedding and head among the remaining tensors, by the rules of the package documentation
 *       (2-D {@code M.weight} with I columns and no bias: embedding; 2-D {@code M.weight} with O<sub>rnn</sub>
 *       columns: head; usual names such as {@code encoder}/{@code decoder}, {@code embedding}/{@code fc}
 *       break ties; an unbreakable tie is an error), or as {@link LoadOptions#embedding()} and
 *       {@link LoadOptions#head()} (or the metadata of an rnn4j export) name them.</li>
 *   <li>Any tensor left over is an error listing it, unless {@link LoadOptions#ignoreUnknown()}.</li>
 * </ol>
 * Dtypes F16, BF16, F32, F64 are accepted and converted to float (exact, except F64 which rounds);
 * integer dtypes and non-finite values are errors naming the tensor (and the index).
 *
 * <h2>Export</h2>
 * {@link #write} writes the tensors (F32) under the names they were loaded from, in the file's order
 * (a model from {@link #of}: {@code encoder.weight}, {@code rnn.*}, {@code decoder.weight},
 * {@code decoder.bias}, PyTorch word_language_model's names; see {@link #withNames}), and metadata
 * {@link MetadataKeys} so that rnn4j reads back exactly this model. A plain PyTorch module of the same
 * structure accepts the tensors with {@code load_state_dict}, except the rnn4j-only options: peephole
 * tensors are unexpected keys to PyTorch, and a reset-before GRU loads into {@code nn.GRU} but computes
 * PyTorch's reset-after GRU; so does a merge-sum network (it has no PyTorch module).
 *
 * <h2>Ownership and threads</h2>
 * Immutable: every array is copied in and never handed out (the accessors return copies), so one
 * instance may serve any number of threads, each with its own {@link SequenceRunner}.
 */
public final class TorchModel {
    /** Export-order keys: the embedding's weight, the head's weight and bias, and "R:" + an RnnWeights name. */
    static final String EMBEDDING_KEY = "E:weight";
    static final String HEAD_WEIGHT_KEY = "H:weight";
    static final String HEAD_BIAS_KEY = "H:bias";
    static final String RNN_KEY = "R:";

    private final RnnSpec spec;
    private final RnnWeights weights;
    private final boolean rnnBias;
    private final String rnnPrefix;
    private final String embeddingName;
    private final float[] embedding;
    private final String headName;
    private final float[] headWeight;
    private final float[] headBias;
    /** The tensors in file order, as keys (see EMBEDDING_KEY ...). */
    private final List<String> order;

    /** Takes ownership of every argument; the callers have validated them. */
    TorchModel(RnnWeights weights, boolean rnnBias, String rnnPrefix, String embeddingName, float[] embedding,
               String headName, float[] headWeight, float[] headBias, List<String> order) {
        this.spec = weights.spec();
        this.weights = weights;
        this.rnnBias = rnnBias;
        this.rnnPrefix = rnnPrefix;
        this.embeddingName = embedding == null ? null : embeddingName;
        this.embedding = embedding;
        this.headName = headWeight == null ? null : headName;
        this.headWeight = headWeight;
        this.headBias = headBias;
        this.order = Collections.unmodifiableList(new ArrayList<>(order));
    }

    // ---------------------------------------------------------------------------------- construction

    /**
     * Reads a safetensors file of a PyTorch {@code state_dict} (see the class documentation for what is
     * inferred and how).
     *
     * @param file the file; not null
     * @param options how to interpret it; not null ({@link LoadOptions#DEFAULTS})
     * @return the model
     * @throws ModelFormatException if the tensors do not make a model; the message starts with the file
     *         name and names the tensor or setting, the expected and the actual value
     * @throws IOException if the file cannot be read or is not a valid safetensors file
     *         ({@link org.rnn4j.io.SafetensorsException})
     */
    public static TorchModel read(Path file, LoadOptions options) throws IOException {
        if (file == null || options == null) {
            throw new IllegalArgumentException("file and options must not be null");
        }
        SafetensorsFile f = Safetensors.read(file);
        try {
            return StateDictLoader.load(f, options);
        } catch (ModelFormatException e) {
            throw new ModelFormatException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Builds the model from tensors already read (see the class documentation).
     *
     * @param file the tensors and metadata; not null; not retained
     * @param options how to interpret them; not null
     * @return the model
     * @throws ModelFormatException if the tensors do not make a model; the message names the tensor or
     *         setting, the expected and the actual value
     */
    public static TorchModel from(SafetensorsFile file, LoadOptions options) throws ModelFormatException {
        if (file == null || options == null) {
            throw new IllegalArgumentException("file and options must not be null");
        }
        return StateDictLoader.load(file, options);
    }

    /**
     * A model from Java arrays, all copied, under the default names: embedding {@code encoder}, RNN
     * {@code rnn.}, head {@code decoder} (PyTorch word_language_model's; change them with
     * {@link #withNames}). The layout and every option come from {@code weights.spec()}, except its dropout,
     * which is set to 0 (the model is for inference).
     *
     * @param weights the RNN; not null; copied
     * @param embedding (V, I) row-major with V >= 1, or null for none; copied
     * @param headWeight (O, O<sub>rnn</sub>) row-major with O >= 1, or null for none; copied
     * @param headBias (O), or null for a head without bias (must be null without a head); copied
     * @return the model
     * @throws IllegalArgumentException naming the argument whose size does not fit the spec, or the first
     *         non-finite value
     */
    public static TorchModel of(RnnWeights weights, float[] embedding, float[] headWeight, float[] headBias) {
        if (weights == null) {
            throw new IllegalArgumentException("weights must not be null");
        }
        RnnSpec spec = weights.spec();
        String bad = weights.firstNonFinite();
        if (bad != null) {
            throw new IllegalArgumentException("weights: non-finite value at " + bad);
        }
        int in = spec.inputSize();
        int out = spec.outputSize();
        if (embedding != null) {
            rows("embedding", embedding, in, "(V, I) with I = " + in);
            finite("embedding", embedding);
        }
        if (headWeight == null && headBias != null) {
            throw new IllegalArgumentException("headBias must be null when headWeight is null (no head)");
        }
        if (headWeight != null) {
            int o = rows("headWeight", headWeight, out, "(O, " + out + "), " + out + " the RNN's output width");
            finite("headWeight", headWeight);
            if (headBias != null) {
                if (headBias.length != o) {
                    throw new IllegalArgumentException("headBias has " + headBias.length + " elements, expected (O) = "
                            + o + " (the rows of headWeight)");
                }
                finite("headBias", headBias);
            }
        }
        // inference only: dropout 0, so that a written and re-read model has an equal spec
        RnnWeights copy = new RnnWeights(spec.toBuilder().dropout(0).build());
        copy.copyFrom(weights);
        List<String> order = new ArrayList<>();
        if (embedding != null) {
            order.add(EMBEDDING_KEY);
        }
        for (String n : copy.names()) {
            order.add(RNN_KEY + n);
        }
        if (headWeight != null) {
            order.add(HEAD_WEIGHT_KEY);
            if (headBias != null) {
                order.add(HEAD_BIAS_KEY);
            }
        }
        return new TorchModel(copy, true, "rnn.", "encoder", clone(embedding), "decoder", clone(headWeight),
                clone(headBias), order);
    }

    private static int rows(String what, float[] a, int cols, String shape) {
        if (a.length == 0 || a.length % cols != 0) {
            throw new IllegalArgumentException(what + " has " + a.length + " elements, expected " + shape
                    + ": a positive multiple of " + cols);
        }
        return a.length / cols;
    }

    private static void finite(String what, float[] a) {
        for (int i = 0; i < a.length; i++) {
            if (!Float.isFinite(a[i])) {
                throw new IllegalArgumentException(what + "[" + i + "] = " + a[i] + ": values must be finite");
            }
        }
    }

    private static float[] clone(float[] a) {
        return a == null ? null : a.clone();
    }

    /**
     * The same model under other names (the values are shared, both being immutable).
     *
     * @param rnnPrefix the RNN's prefix, e.g. {@code "lstm."}, or {@code ""} for a bare module; a missing
     *                  trailing dot is added
     * @param embedding the embedding's module name, e.g. {@code "embedding"}; ignored without an embedding
     * @param head the head's module name, e.g. {@code "fc"}; ignored without a head
     * @return the renamed model
     * @throws IllegalArgumentException if a name needed is null or empty, or two tensors would share a name
     */
    public TorchModel withNames(String rnnPrefix, String embedding, String head) {
        if (rnnPrefix == null) {
            throw new IllegalArgumentException("rnnPrefix must not be null (\"\" for none)");
        }
        String p = rnnPrefix.isEmpty() || rnnPrefix.endsWith(".") ? rnnPrefix : rnnPrefix + ".";
        if (this.embedding != null && (embedding == null || embedding.isEmpty())) {
            throw new IllegalArgumentException("embedding name must not be empty: the model has an embedding");
        }
        if (headWeight != null && (head == null || head.isEmpty())) {
            throw new IllegalArgumentException("head name must not be empty: the model has a head");
        }
        TorchModel m = new TorchModel(weights, rnnBias, p, embedding, this.embedding, head, headWeight, headBias, order);
        List<String> names = m.tensorNames();
        if (names.size() != new java.util.HashSet<>(names).size()) {
            throw new IllegalArgumentException("names " + names + " are not unique");
        }
        return m;
    }

    // ------------------------------------------------------------------------------------ accessors

    /** The RNN's shape and options (layout included). */
    public RnnSpec spec() {
        return spec;
    }

    /** I: the RNN's input size, the width of each feature vector (and of each embedding row). */
    public int inputSize() {
        return spec.inputSize();
    }

    /** The width of y: the head's O if there is a head, else the RNN's output width. */
    public int outputSize() {
        return headWeight != null ? headWeight.length / spec.outputSize() : spec.outputSize();
    }

    /** Whether token ids go in (through an embedding) rather than feature vectors. */
    public boolean hasEmbedding() {
        return embedding != null;
    }

    /** V, the embedding's row count (the number of token ids), or 0 without an embedding. */
    public int vocabSize() {
        return embedding == null ? 0 : embedding.length / spec.inputSize();
    }

    /** Whether a linear head follows the RNN. */
    public boolean hasHead() {
        return headWeight != null;
    }

    /** Whether the head has a bias tensor. */
    public boolean hasHeadBias() {
        return headBias != null;
    }

    /** Whether the RNN has bias tensors (false for PyTorch {@code bias=False}, whose biases are 0). */
    public boolean hasRnnBias() {
        return rnnBias;
    }

    /** The RNN's name prefix, e.g. {@code "rnn."}, {@code ""} for a bare module. */
    public String rnnPrefix() {
        return rnnPrefix;
    }

    /** The embedding's module name (its tensor is {@code NAME.weight}), or null. */
    public String embeddingName() {
        return embeddingName;
    }

    /** The head's module name ({@code NAME.weight}, {@code NAME.bias}), or null. */
    public String headName() {
        return headName;
    }

    /** A copy of the RNN's parameters (PyTorch names without the prefix); the caller owns it. */
    public RnnWeights rnnWeights() {
        RnnWeights w = new RnnWeights(spec);
        w.copyFrom(weights);
        return w;
    }

    /** A copy of the embedding (V, I) row-major, or null; the caller owns it. */
    public float[] embeddingWeight() {
        return clone(embedding);
    }

    /** A copy of the head's weight (O, O<sub>rnn</sub>) row-major, or null; the caller owns it. */
    public float[] headWeight() {
        return clone(headWeight);
    }

    /** A copy of the head's bias (O), or null; the caller owns it. */
    public float[] headBias() {
        return clone(headBias);
    }

    // Live arrays for SequenceRunner, which only reads them.
    RnnWeights weightsLive() {
        return weights;
    }

    float[] embeddingLive() {
        return embedding;
    }

    float[] headWeightLive() {
        return headWeight;
    }

    float[] headBiasLive() {
        return headBias;
    }

    /**
     * This model prepared for streaming: an immutable {@link org.rnn4j.serve.StreamingModel} with the
     * same embedding, RNN and head, stepped one event at a time per stream.
     *
     * @param format how the RNN's matrices are stored
     * @return a new model sharing no arrays with this one
     * @throws IllegalArgumentException if the RNN is reverse or bidirectional (it reads the future;
     *         use {@link SequenceRunner})
     */
    public org.rnn4j.serve.StreamingModel streaming(org.rnn4j.serve.WeightFormat format) {
        org.rnn4j.serve.StreamingModel.Builder b = org.rnn4j.serve.StreamingModel.builder(rnnWeights()).format(format);
        if (hasEmbedding()) {
            b.embedding(embeddingWeight(), vocabSize());
        }
        if (hasHead()) {
            b.head(headWeight(), hasHeadBias() ? headBias() : null, outputSize());
        }
        return b.build();
    }

    /**
     * E.g. {@code embedding 'encoder' (V=11) -> 'rnn.' gru(I=6, H=7, L=1) -> head 'decoder' (7 -> 11)}.
     *
     * @return a one-line description
     */
    public String describe() {
        StringBuilder s = new StringBuilder();
        if (embedding != null) {
            s.append("embedding '").append(embeddingName).append("' (V=").append(vocabSize()).append(") -> ");
        }
        s.append('\'').append(rnnPrefix).append("' ").append(spec.describe());
        if (!rnnBias) {
            s.append(" without biases");
        }
        if (headWeight != null) {
            s.append(" -> head '").append(headName).append("' (").append(spec.outputSize()).append(" -> ")
                    .append(outputSize()).append(headBias == null ? ", no bias" : "").append(')');
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return "TorchModel[" + describe() + "]";
    }

    // --------------------------------------------------------------------------------------- export

    /** The full tensor names in export order. */
    private List<String> tensorNames() {
        List<String> names = new ArrayList<>();
        for (String k : order) {
            names.add(name(k));
        }
        return names;
    }

    private String name(String key) {
        switch (key) {
            case EMBEDDING_KEY:
                return embeddingName + ".weight";
            case HEAD_WEIGHT_KEY:
                return headName + ".weight";
            case HEAD_BIAS_KEY:
                return headName + ".bias";
            default:
                return rnnPrefix + key.substring(RNN_KEY.length());
        }
    }

    /**
     * The tensors {@link #write} writes, F32, in its order: the names and order they were loaded with
     * (or embedding, RNN, head for a model from {@link #of}); RNN biases only if {@link #hasRnnBias()}.
     *
     * @return a new list the caller owns
     */
    public List<NamedTensor> tensors() {
        List<NamedTensor> r = new ArrayList<>();
        int out = spec.outputSize();
        for (String k : order) {
            String n = name(k);
            switch (k) {
                case EMBEDDING_KEY:
                    r.add(NamedTensor.ofFloats(n, new int[] {vocabSize(), spec.inputSize()}, embedding));
                    break;
                case HEAD_WEIGHT_KEY:
                    r.add(NamedTensor.ofFloats(n, new int[] {outputSize(), out}, headWeight));
                    break;
                case HEAD_BIAS_KEY:
                    r.add(NamedTensor.ofFloats(n, new int[] {outputSize()}, headBias));
                    break;
                default:
                    String local = k.substring(RNN_KEY.length());
                    r.add(NamedTensor.ofFloats(n, weights.shape(local), weights.get(local)));
                    break;
            }
        }
        return r;
    }

    /**
     * The metadata {@link #write} writes (keys of {@link MetadataKeys}): {@code format = pt}, the cell
     * with its nonlinearity, for a GRU {@code reset_before}, for a bidirectional network the merge mode,
     * the RNN prefix, and the embedding and head module names where present.
     *
     * @return a new map the caller owns
     */
    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(MetadataKeys.FORMAT, MetadataKeys.FORMAT_PT);
        m.put(MetadataKeys.CELL, spec.cell().id());
        if (spec.cell() == org.rnn4j.cell.CellType.GRU) {
            m.put(MetadataKeys.RESET_BEFORE, spec.resetBefore() ? "1" : "0");
        }
        if (spec.direction() == Direction.BIDIRECTIONAL) {
            m.put(MetadataKeys.MERGE, spec.merge().name().toLowerCase(java.util.Locale.ROOT));
        }
        m.put(MetadataKeys.RNN, rnnPrefix);
        if (embedding != null) {
            m.put(MetadataKeys.EMBEDDING, embeddingName);
        }
        if (headWeight != null) {
            m.put(MetadataKeys.HEAD, headName);
        }
        return m;
    }

    /**
     * Writes {@link #tensors()} and {@link #metadata()} atomically with {@link Safetensors#write}: the
     * target keeps its old content or gets the complete new file. Reading it back with
     * {@link LoadOptions#DEFAULTS} (and the same {@link LoadOptions#batchFirst()}) gives this model, bit
     * for bit.
     *
     * @param file the target; its directory must exist
     * @throws IOException if writing fails; the target is then unchanged
     */
    public void write(Path file) throws IOException {
        if (file == null) {
            throw new IllegalArgumentException("file must not be null");
        }
        Safetensors.write(file, tensors(), metadata());
    }
}
