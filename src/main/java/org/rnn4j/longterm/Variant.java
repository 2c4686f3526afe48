package org.rnn4j.longterm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.rnn4j.cell.CellType;
import org.rnn4j.cell.Initializers;
import org.rnn4j.cell.RnnWeights;

/**
 * A recurrent cell together with its initialization: the four contenders of the long-term benchmarks.
 * Each one is the remedy (or the lack of one) for vanishing gradients described in
 * {@code docs/sequence-modeling.md}.
 */
public enum Variant {
    /** tanh RNN, PyTorch's default initialization U(−1/√H, 1/√H) on every parameter. */
    RNN("rnn", CellType.RNN_TANH, "tanh RNN, PyTorch default init"),
    /**
     * IRNN (Le, Jaitly and Hinton 2015): relu RNN with W_hh = I, both biases 0, and the input weights
     * W_ih drawn from N(0, 0.001²) as in the paper.
     */
    IRNN("irnn", CellType.RNN_RELU, "relu RNN, W_hh = I, biases 0, W_ih ~ N(0, 0.001^2)"),
    /** LSTM, PyTorch's default initialization with the forget-gate bias set to 1. */
    LSTM("lstm", CellType.LSTM, "LSTM, PyTorch default init, forget-gate bias 1"),
    /** GRU, PyTorch's default initialization. */
    GRU("gru", CellType.GRU, "GRU, PyTorch default init");

    /** The standard deviation of IRNN's input weights (Le et al. 2015). */
    public static final double IRNN_INPUT_STD = 0.001;

    private final String id;
    private final CellType cell;
    private final String description;

    Variant(String id, CellType cell, String description) {
        this.id = id;
        this.cell = cell;
        this.description = description;
    }

    /** @return the command-line name: rnn, irnn, lstm or gru */
    public String id() {
        return id;
    }

    /** @return the engine cell it runs */
    public CellType cell() {
        return cell;
    }

    /** @return a one-line description of the cell and its initialization */
    public String description() {
        return description;
    }

    /**
     * Overwrites every parameter of {@code w} with this variant's seeded initialization: PyTorch's
     * default U(−1/√H, 1/√H) ({@link RnnWeights#initUniform(long)}), then for IRNN the identity
     * recurrent matrix, zero biases and N(0, 0.001²) input weights, for LSTM the forget-gate bias 1.
     *
     * @param w parameters of a spec whose cell is {@link #cell()}; not null
     * @param seed the seed
     * @return {@code w}
     * @throws IllegalArgumentException if the spec's cell is not this variant's
     */
    public RnnWeights initialize(RnnWeights w, long seed) {
        if (w.spec().cell() != cell) {
            throw new IllegalArgumentException(id + " needs a " + cell.id() + " spec, got " + w.spec().describe());
        }
        w.initUniform(seed);
        switch (this) {
            case IRNN:
                Initializers.identityRecurrent(w, 1.0, true);
                SplittableRandom rnd = new SplittableRandom(seed ^ 0x5DEECE66DL);
                for (int l = 0; l < w.spec().numLayers(); l++) {
                    for (int d = 0; d < w.spec().numDirections(); d++) {
                        float[] ih = w.weightIh(l, d);
                        for (int i = 0; i < ih.length; i++) {
                            ih[i] = (float) (IRNN_INPUT_STD * gaussian(rnd));
                        }
                    }
                }
                break;
            case LSTM:
                Initializers.forgetGateBias(w, 1.0);
                break;
            default:
                break;
        }
        return w;
    }

    /**
     * @param name rnn, irnn, lstm or gru (case-insensitive)
     * @return the variant
     * @throws IllegalArgumentException for another name, listing the known ones
     */
    public static Variant parse(String name) {
        if (name != null) {
            for (Variant v : values()) {
                if (v.id.equals(name.trim().toLowerCase(Locale.ROOT))) {
                    return v;
                }
            }
        }
        throw new IllegalArgumentException("cell must be one of rnn, irnn, lstm, gru; got '" + name + "'");
    }

    /**
     * @param csv a comma-separated list such as {@code "rnn,lstm"}; no repeats
     * @return the variants in the given order, a new list
     * @throws IllegalArgumentException for an empty list, an unknown name or a repeat
     */
    public static List<Variant> parseList(String csv) {
        List<Variant> list = new ArrayList<>();
        if (csv == null || csv.isBlank()) {
            throw new IllegalArgumentException("the cell list is empty");
        }
        for (String s : csv.split(",", -1)) {
            Variant v = parse(s);
            if (list.contains(v)) {
                throw new IllegalArgumentException("cell '" + v.id + "' listed twice");
            }
            list.add(v);
        }
        return list;
    }

    /** Standard normal by Box-Muller on {@link StrictMath}, one draw per call. */
    static double gaussian(SplittableRandom rnd) {
        double u1 = 1.0 - rnd.nextDouble();
        double u2 = rnd.nextDouble();
        return StrictMath.sqrt(-2 * StrictMath.log(u1)) * StrictMath.cos(2 * Math.PI * u2);
    }
}
