package org.rnn4j.interop;

/**
 * The {@code __metadata__} keys rnn4j writes into an exported model and reads back: what a
 * {@code state_dict}'s names and shapes cannot say. All values are strings. A file without them (any
 * file PyTorch wrote) loads by inference from names and shapes; see {@link TorchModel}.
 */
public final class MetadataKeys {
    private MetadataKeys() {}

    /** {@code "pt"}: the Hugging Face convention for a file of PyTorch tensors. */
    public static final String FORMAT = "format";
    /** The value of {@link #FORMAT} rnn4j writes. */
    public static final String FORMAT_PT = "pt";
    /** {@code lstm | gru | rnn_tanh | rnn_relu}: the cell, including the vanilla RNN's nonlinearity. */
    public static final String CELL = "rnn4j.cell";
    /** {@code 0 | 1}, GRU only: 1 for the reset gate before the recurrent matmul (rnn4j only). */
    public static final String RESET_BEFORE = "rnn4j.reset_before";
    /** {@code concat | sum}, bidirectional only: how a layer joins its directions ({@code sum} is rnn4j only). */
    public static final String MERGE = "rnn4j.merge";
    /** The RNN's name prefix, e.g. {@code rnn.}; its presence marks a file exported by rnn4j. */
    public static final String RNN = "rnn4j.rnn";
    /** The embedding's module name, e.g. {@code encoder}; absent in an rnn4j export means no embedding. */
    public static final String EMBEDDING = "rnn4j.embedding";
    /** The head's module name, e.g. {@code decoder}; absent in an rnn4j export means no head. */
    public static final String HEAD = "rnn4j.head";

    /** The {@link #FORMAT} value of an rnn4j language-model checkpoint ({@code org.rnn4j.lm.Checkpoint}). */
    static final String LM_FORMAT = "rnn4j-lm/1";
    /** Where such a checkpoint keeps its cell. */
    static final String LM_CELL = "model.cell";
}
