package org.rnn4j.interop;

/**
 * How {@link TorchModel#read} and {@link TorchModel#from} interpret a {@code state_dict}: everything
 * the names and shapes cannot say, and the choices they leave open. Immutable; each setter returns a
 * new instance, e.g. {@code LoadOptions.DEFAULTS.rnnPrefix("lstm.").head("fc")}.
 *
 * <p>Precedence for every setting: the option when set, else the rnn4j metadata of the file (see
 * {@link TorchModel}), else inference from names and shapes, else the default. Errors name the
 * setting that resolves them as {@code LoadOptions.<name>}.
 */
public final class LoadOptions {
    /** Everything inferred; tanh for a vanilla RNN, reset-after for a GRU, seq-first, unknown tensors refused. */
    public static final LoadOptions DEFAULTS = new LoadOptions(null, null, null, null, null, false, false);

    private final String rnnPrefix;
    private final CellHint cell;
    private final Boolean resetBefore;
    private final String embedding;
    private final String head;
    private final boolean ignoreUnknown;
    private final boolean batchFirst;

    private LoadOptions(String rnnPrefix, CellHint cell, Boolean resetBefore, String embedding, String head,
                        boolean ignoreUnknown, boolean batchFirst) {
        this.rnnPrefix = rnnPrefix;
        this.cell = cell;
        this.resetBefore = resetBefore;
        this.embedding = embedding;
        this.head = head;
        this.ignoreUnknown = ignoreUnknown;
        this.batchFirst = batchFirst;
    }

    /**
     * The RNN's name prefix, or null to find it: the one tensor whose name is {@code weight_ih_l0} or
     * ends in {@code .weight_ih_l0} (else {@code weight_ih_l0_reverse}, a reverse-only rnn4j network).
     *
     * @return e.g. {@code "rnn."}, {@code ""} for a bare module, or null
     */
    public String rnnPrefix() {
        return rnnPrefix;
    }

    /**
     * @param prefix the module path of the RNN, with or without the trailing dot ({@code "rnn"} and
     *               {@code "rnn."} are the same); {@code ""} for a bare module's {@code state_dict};
     *               null to infer
     * @return a copy with this setting
     */
    public LoadOptions rnnPrefix(String prefix) {
        String p = prefix == null || prefix.isEmpty() || prefix.endsWith(".") ? prefix : prefix + ".";
        return new LoadOptions(p, cell, resetBefore, embedding, head, ignoreUnknown, batchFirst);
    }

    /** The cell hint, or null for none (the shapes decide; tanh for a vanilla RNN unless metadata says relu). */
    public CellHint cell() {
        return cell;
    }

    /**
     * @param hint what the cell is; a hint that contradicts the shapes or the metadata is an error at
     *             load time; null for none
     * @return a copy with this setting
     */
    public LoadOptions cell(CellHint hint) {
        return new LoadOptions(rnnPrefix, hint, resetBefore, embedding, head, ignoreUnknown, batchFirst);
    }

    /** Whether a GRU applies its reset gate before the recurrent matmul; null to take the metadata, else false. */
    public Boolean resetBefore() {
        return resetBefore;
    }

    /**
     * @param resetBefore true for a reset-before GRU (rnn4j only: ONNX {@code linear_before_reset=0});
     *                    true on a model that is not a GRU is an error at load time
     * @return a copy with this setting
     */
    public LoadOptions resetBefore(boolean resetBefore) {
        return new LoadOptions(rnnPrefix, cell, resetBefore, embedding, head, ignoreUnknown, batchFirst);
    }

    /**
     * The embedding's module name ({@code "encoder"} for the tensor {@code encoder.weight}), {@code ""}
     * for none, or null to find it by the rules of {@link TorchModel}.
     *
     * @return the setting
     */
    public String embedding() {
        return embedding;
    }

    /**
     * @param module the module whose {@code .weight} (V, I) is the embedding, e.g. {@code "encoder"}
     *               (a trailing dot is dropped); {@code ""} for none, as {@link #noEmbedding()}; null to infer
     * @return a copy with this setting
     */
    public LoadOptions embedding(String module) {
        return new LoadOptions(rnnPrefix, cell, resetBefore, module(module), head, ignoreUnknown, batchFirst);
    }

    /** @return a copy that loads no embedding (a 2-D weight that would fit one is then unknown) */
    public LoadOptions noEmbedding() {
        return new LoadOptions(rnnPrefix, cell, resetBefore, "", head, ignoreUnknown, batchFirst);
    }

    /**
     * The head's module name ({@code "decoder"} for {@code decoder.weight} and {@code decoder.bias}),
     * {@code ""} for none, or null to find it by the rules of {@link TorchModel}.
     *
     * @return the setting
     */
    public String head() {
        return head;
    }

    /**
     * @param module the module whose {@code .weight} (O, outputSize) and optional {@code .bias} (O) are
     *               the head, e.g. {@code "fc"} (a trailing dot is dropped); {@code ""} for none, as
     *               {@link #noHead()}; null to infer
     * @return a copy with this setting
     */
    public LoadOptions head(String module) {
        return new LoadOptions(rnnPrefix, cell, resetBefore, embedding, module(module), ignoreUnknown, batchFirst);
    }

    /** @return a copy that loads no head */
    public LoadOptions noHead() {
        return new LoadOptions(rnnPrefix, cell, resetBefore, embedding, "", ignoreUnknown, batchFirst);
    }

    /** Whether tensors that belong to neither the embedding, the RNN nor the head are skipped (else an error). */
    public boolean ignoreUnknown() {
        return ignoreUnknown;
    }

    /**
     * @param ignore true to skip tensors that fit nothing, e.g. the {@code optimizer.*},
     *               {@code position.*} and {@code history.*} tensors of an rnn4j language-model
     *               checkpoint; they are then also absent from {@link TorchModel#write}
     * @return a copy with this setting
     */
    public LoadOptions ignoreUnknown(boolean ignore) {
        return new LoadOptions(rnnPrefix, cell, resetBefore, embedding, head, ignore, batchFirst);
    }

    /** Whether the model's sequences are (B, T, ·) instead of (T, B, ·) (PyTorch {@code batch_first}). */
    public boolean batchFirst() {
        return batchFirst;
    }

    /**
     * @param batchFirst true for PyTorch's {@code batch_first=True}: inputs and outputs (B, T, ·); the
     *                   states stay (L·D, B, ·). Not stored in a {@code state_dict}, nor in rnn4j's export
     * @return a copy with this setting
     */
    public LoadOptions batchFirst(boolean batchFirst) {
        return new LoadOptions(rnnPrefix, cell, resetBefore, embedding, head, ignoreUnknown, batchFirst);
    }

    private static String module(String m) {
        return m != null && m.endsWith(".") ? m.substring(0, m.length() - 1) : m;
    }

    @Override
    public String toString() {
        return "LoadOptions[rnnPrefix=" + rnnPrefix + ", cell=" + cell + ", resetBefore=" + resetBefore
                + ", embedding=" + embedding + ", head=" + head + ", ignoreUnknown=" + ignoreUnknown
                + ", batchFirst=" + batchFirst + "]";
    }
}
