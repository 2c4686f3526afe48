package org.rnn4j.cell;

/**
 * The shape of a (stacked) recurrent network: cell, input size I, hidden size H, layer count L,
 * inter-layer dropout and the input layout. Immutable; build with {@link #builder(CellType, int, int)}.
 *
 * <p>Options of the wider cell family (bidirectional, projection, peepholes, GRU reset placement)
 * will be added as further builder settings; build specs with the builder, whose calls keep working,
 * rather than with the canonical constructor, whose parameter list will grow.
 *
 * @param cell the cell type
 * @param inputSize I, the feature size of the input, {@code >= 1}
 * @param hiddenSize H, the state size of every layer, {@code >= 1}
 * @param numLayers L, {@code >= 1}; layer {@code l > 0} reads layer {@code l−1}'s output
 * @param dropout probability in [0, 1) of zeroing an element of each layer's output except the
 *                last, in training only (PyTorch semantics: survivors are scaled by 1/(1−p))
 * @param batchFirst input and output are (B, T, ·) instead of (T, B, ·); states are always (L, B, H)
 */
public record RnnSpec(CellType cell, int inputSize, int hiddenSize, int numLayers, double dropout,
                      boolean batchFirst) {

    /**
     * Validates the fields.
     *
     * @throws IllegalArgumentException naming the first bad field, its constraint and its value
     */
    public RnnSpec {
        if (cell == null) {
            throw new IllegalArgumentException("cell must not be null");
        }
        if (inputSize < 1) {
            throw new IllegalArgumentException("inputSize must be >= 1, got " + inputSize);
        }
        if (hiddenSize < 1) {
            throw new IllegalArgumentException("hiddenSize must be >= 1, got " + hiddenSize);
        }
        if (numLayers < 1) {
            throw new IllegalArgumentException("numLayers must be >= 1, got " + numLayers);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        // G·H·max(I, H) must index a Java array.
        long biggest = (long) cell.gates() * hiddenSize * Math.max(inputSize, hiddenSize);
        if (biggest > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("weight matrix of " + cell.gates() + "·" + hiddenSize + "·"
                    + Math.max(inputSize, hiddenSize) + " elements exceeds the Java array limit");
        }
    }

    /**
     * A builder with one layer, no dropout, seq-first layout.
     *
     * @param cell the cell type
     * @param inputSize I
     * @param hiddenSize H
     * @return a builder
     */
    public static Builder builder(CellType cell, int inputSize, int hiddenSize) {
        return new Builder(cell, inputSize, hiddenSize);
    }

    /** G·H: the row count of each layer's {@code weight_ih} and {@code weight_hh}. */
    public int gateRows() {
        return cell.gates() * hiddenSize;
    }

    /** The input feature size of {@code layer}: I for layer 0, H above it. */
    public int layerInputSize(int layer) {
        if (layer < 0 || layer >= numLayers) {
            throw new IllegalArgumentException("layer must be in [0, " + numLayers + "), got " + layer);
        }
        return layer == 0 ? inputSize : hiddenSize;
    }

    /** The feature size of the output sequence: H. */
    public int outputSize() {
        return hiddenSize;
    }

    /** Mutable builder for {@link RnnSpec}. */
    public static final class Builder {
        private final CellType cell;
        private final int inputSize;
        private final int hiddenSize;
        private int numLayers = 1;
        private double dropout;
        private boolean batchFirst;

        private Builder(CellType cell, int inputSize, int hiddenSize) {
            this.cell = cell;
            this.inputSize = inputSize;
            this.hiddenSize = hiddenSize;
        }

        /**
         * @param numLayers L, {@code >= 1}
         * @return this
         */
        public Builder numLayers(int numLayers) {
            this.numLayers = numLayers;
            return this;
        }

        /**
         * @param dropout inter-layer dropout probability in [0, 1), applied in training only
         * @return this
         */
        public Builder dropout(double dropout) {
            this.dropout = dropout;
            return this;
        }

        /**
         * @param batchFirst (B, T, ·) input and output layout instead of (T, B, ·)
         * @return this
         */
        public Builder batchFirst(boolean batchFirst) {
            this.batchFirst = batchFirst;
            return this;
        }

        /**
         * @return the validated spec
         * @throws IllegalArgumentException naming the first bad field
         */
        public RnnSpec build() {
            return new RnnSpec(cell, inputSize, hiddenSize, numLayers, dropout, batchFirst);
        }
    }
}
