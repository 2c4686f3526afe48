package org.rnn4j.cell;

/**
 * How a bidirectional layer combines its two directions' outputs at each step (Keras'
 * {@code merge_mode}). The final states {@code h_n}/{@code c_n} are never merged: they keep one
 * entry per direction.
 */
public enum MergeMode {
    /** [forward, reverse] along the feature axis: output width 2P (PyTorch, the default). */
    CONCAT,
    /** forward + reverse element-wise: output width P. */
    SUM;

    /**
     * Parses {@code concat} or {@code sum}; case-insensitive.
     *
     * @param name the name; must not be null
     * @return the mode
     * @throws IllegalArgumentException for an unknown name
     */
    public static MergeMode parse(String name) {
        if (name != null) {
            for (MergeMode m : values()) {
                if (m.name().equalsIgnoreCase(name)) {
                    return m;
                }
            }
        }
        throw new IllegalArgumentException("merge must be one of concat, sum, got '" + name + "'");
    }
}
