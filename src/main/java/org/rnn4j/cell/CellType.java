package org.rnn4j.cell;

/**
 * The recurrent cell of a layer, with PyTorch's gate layout.
 *
 * <p>{@link #gates()} is G, the number of H-sized blocks stacked in the weights: {@code weight_ih}
 * is (G·H, in), {@code weight_hh} is (G·H, H), each bias is (G·H). The block order is PyTorch's:
 * LSTM [i, f, g, o], GRU [r, z, n].
 */
public enum CellType {
    /** Elman RNN, {@code h = tanh(W_ih·x + b_ih + W_hh·h_prev + b_hh)}. */
    RNN_TANH(1, false),
    /** Elman RNN, {@code h = relu(W_ih·x + b_ih + W_hh·h_prev + b_hh)}. */
    RNN_RELU(1, false),
    /** LSTM, gates [i, f, g, o], separate cell state c. */
    LSTM(4, true),
    /** GRU, gates [r, z, n], reset applied to {@code W_hn·h + b_hn} (PyTorch "reset after"). */
    GRU(3, false);

    private final int gates;
    private final boolean hasCellState;

    CellType(int gates, boolean hasCellState) {
        this.gates = gates;
        this.hasCellState = hasCellState;
    }

    /** G: the number of H-sized gate blocks in {@code weight_ih}, {@code weight_hh} and each bias. */
    public int gates() {
        return gates;
    }

    /** True for the LSTM, whose state is the pair (h, c); false where the state is h alone. */
    public boolean hasCellState() {
        return hasCellState;
    }

    /**
     * Parses the names used on the command line and in file metadata: {@code rnn} (= {@code rnn_tanh}),
     * {@code rnn_tanh}, {@code rnn_relu}, {@code lstm}, {@code gru}; case-insensitive.
     *
     * @param name the name; must not be null
     * @return the cell type
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static CellType parse(String name) {
        if (name == null) {
            throw new IllegalArgumentException("cell must not be null");
        }
        switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "rnn":
            case "rnn_tanh":
                return RNN_TANH;
            case "rnn_relu":
                return RNN_RELU;
            case "lstm":
                return LSTM;
            case "gru":
                return GRU;
            default:
                throw new IllegalArgumentException(
                        "cell must be one of rnn, rnn_tanh, rnn_relu, lstm, gru; got '" + name + "'");
        }
    }

    /** The lower-case name that {@link #parse} accepts, e.g. {@code "lstm"}. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
