package org.rnn4j.cell;

/**
 * Each cell and each option that changes what a step computes, for tests that must cover them all
 * (the allocation guards of the engine and of the streaming model). Two layers, so that the second
 * layer reads the first one's h.
 */
public enum CellVariant {
    RNN_TANH, RNN_RELU, LSTM, LSTM_PROJ, LSTM_PEEPHOLE, GRU_RESET_AFTER, GRU_RESET_BEFORE, BIDIRECTIONAL_LSTM,
    BIDIRECTIONAL_GRU;

    /** @return whether a streaming model can run it (forward direction only) */
    public boolean streams() {
        return this != BIDIRECTIONAL_LSTM && this != BIDIRECTIONAL_GRU;
    }

    /**
     * @param input I
     * @param hidden H; a projected LSTM gets P = H/2 + 1
     * @return a two-layer builder of this variant
     */
    public RnnSpec.Builder builder(int input, int hidden) {
        CellType cell = switch (this) {
            case RNN_TANH -> CellType.RNN_TANH;
            case RNN_RELU -> CellType.RNN_RELU;
            case LSTM, LSTM_PROJ, LSTM_PEEPHOLE, BIDIRECTIONAL_LSTM -> CellType.LSTM;
            case GRU_RESET_AFTER, GRU_RESET_BEFORE, BIDIRECTIONAL_GRU -> CellType.GRU;
        };
        RnnSpec.Builder b = RnnSpec.builder(cell, input, hidden).numLayers(2);
        switch (this) {
            case LSTM_PROJ -> b.projSize(hidden / 2 + 1);
            case LSTM_PEEPHOLE -> b.peephole(true);
            case GRU_RESET_BEFORE -> b.resetBefore(true);
            case BIDIRECTIONAL_LSTM, BIDIRECTIONAL_GRU -> b.bidirectional(true);
            default -> { }
        }
        return b;
    }
}
