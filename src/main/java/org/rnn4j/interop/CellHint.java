package org.rnn4j.interop;

import java.util.Locale;
import org.rnn4j.cell.CellType;

/**
 * What the caller says the recurrent cell is, checked against the tensor shapes when a model is loaded
 * ({@link LoadOptions#cell(CellHint)}, {@code rnn4j infer --cell}).
 *
 * <p>The shapes already tell the gate count G (4 LSTM, 3 GRU, 1 vanilla RNN); a hint with another G is
 * an error. What they cannot tell is the vanilla RNN's nonlinearity: PyTorch keeps
 * {@code nonlinearity='relu'} in the module, not in its {@code state_dict}. {@link #RNN_RELU} and
 * {@link #RNN_TANH} say it; {@link #RNN} leaves it to the file's metadata, else tanh.
 */
public enum CellHint {
    /** An LSTM (G = 4). */
    LSTM(4),
    /** A GRU (G = 3). */
    GRU(3),
    /** A vanilla RNN (G = 1), nonlinearity from the file's metadata, else tanh. */
    RNN(1),
    /** A vanilla RNN with tanh. */
    RNN_TANH(1),
    /** A vanilla RNN with relu. */
    RNN_RELU(1);

    private final int gates;

    CellHint(int gates) {
        this.gates = gates;
    }

    /** G, the number of gate blocks this cell stacks in {@code weight_ih}/{@code weight_hh}. */
    public int gates() {
        return gates;
    }

    /**
     * The cell type this hint fixes, or null for {@link #RNN}, which leaves the nonlinearity open.
     *
     * @return the cell type or null
     */
    public CellType cellType() {
        switch (this) {
            case LSTM:
                return CellType.LSTM;
            case GRU:
                return CellType.GRU;
            case RNN_TANH:
                return CellType.RNN_TANH;
            case RNN_RELU:
                return CellType.RNN_RELU;
            default:
                return null;
        }
    }

    /** Whether {@code type} is consistent with this hint (same G, and the same nonlinearity if fixed). */
    boolean admits(CellType type) {
        CellType fixed = cellType();
        return fixed == null ? type.gates() == gates : fixed == type;
    }

    /** The lower-case name {@link #parse} accepts, e.g. {@code "rnn_relu"}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code lstm}, {@code gru}, {@code rnn}, {@code rnn_tanh}, {@code rnn_relu}; case-insensitive.
     *
     * @param name the name; not null
     * @return the hint
     * @throws IllegalArgumentException for another name, listing the known ones
     */
    public static CellHint parse(String name) {
        if (name != null) {
            for (CellHint h : values()) {
                if (h.name().equalsIgnoreCase(name)) {
                    return h;
                }
            }
        }
        throw new IllegalArgumentException("cell must be one of lstm, gru, rnn, rnn_tanh, rnn_relu; got '" + name + "'");
    }
}
