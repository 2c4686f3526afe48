package org.rnn4j.cell;

/**
 * Which way(s) each layer reads its input sequence.
 *
 * <p>With {@link #BIDIRECTIONAL} every layer has D = 2 directions, each with its own parameters
 * (PyTorch's {@code *_reverse} tensors); the states are indexed {@code layer·D + direction}
 * ((L·D, B, P), PyTorch's {@code h_n} layout) and the two outputs are merged per
 * {@link MergeMode}. Under variable lengths the reverse direction of a sequence of length
 * {@code len} starts at step {@code len − 1}, its own last valid step (PyTorch packed semantics),
 * not at {@code T − 1}.
 */
public enum Direction {
    /** Steps 0, 1, …, len−1 (the default; PyTorch {@code bidirectional=False}). */
    FORWARD(1),
    /**
     * Steps len−1, …, 0 only (Keras {@code go_backwards=True}, ONNX {@code direction="reverse"}).
     * The parameters carry the {@code _reverse} suffix, so a file of a reverse-only network is never
     * mistaken for a forward one; its output at step t is the state after reading steps len−1 … t.
     */
    REVERSE(1),
    /** Both, D = 2 (PyTorch {@code bidirectional=True}, ONNX {@code direction="bidirectional"}). */
    BIDIRECTIONAL(2);

    private final int count;

    Direction(int count) {
        this.count = count;
    }

    /** D: the number of directions per layer, 1 or 2. */
    public int count() {
        return count;
    }

    /**
     * Whether direction index {@code d} (in [0, D)) reads its sequence backwards.
     *
     * @param d the direction index within a layer
     * @return true for {@link #REVERSE}, and for index 1 of {@link #BIDIRECTIONAL}
     */
    public boolean reversed(int d) {
        return this == REVERSE || d == 1;
    }

    /**
     * Parses {@code forward}, {@code reverse}, {@code bidirectional}; case-insensitive.
     *
     * @param name the name; must not be null
     * @return the direction
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static Direction parse(String name) {
        if (name != null) {
            for (Direction d : values()) {
                if (d.name().equalsIgnoreCase(name)) {
                    return d;
                }
            }
        }
        throw new IllegalArgumentException("direction must be one of forward, reverse, bidirectional, got '"
                + name + "'");
    }
}
