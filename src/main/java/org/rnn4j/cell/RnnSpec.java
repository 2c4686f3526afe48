package org.rnn4j.cell;

import org.rnn4j.kernel.Checks;

/**
 * The shape of a (stacked) recurrent network: cell, sizes, layer count, directions, the LSTM and GRU
 * variants, inter-layer dropout and the input layout. Immutable; build with
 * {@link #builder(CellType, int, int)}, whose calls keep working as options are added (the canonical
 * constructor's parameter list grows with them).
 *
 * <h2>Sizes</h2>
 * <ul>
 *   <li>H ({@link #hiddenSize()}): the width of each gate block and of the LSTM cell state c.</li>
 *   <li>P ({@link #stateSize()}): the width of h; P = {@link #projSize()} for a projected LSTM,
 *       else P = H.</li>
 *   <li>D ({@link #numDirections()}): 1, or 2 for {@link Direction#BIDIRECTIONAL}.</li>
 *   <li>{@link #outputSize()}: the width of each layer's output, D·P under {@link MergeMode#CONCAT},
 *       P otherwise; every layer above the first reads that many features.</li>
 * </ul>
 *
 * @param cell the cell type
 * @param inputSize I, the feature size of the input, {@code >= 1}
 * @param hiddenSize H, {@code >= 1}
 * @param numLayers L, {@code >= 1}; layer {@code l > 0} reads layer {@code l−1}'s output
 * @param dropout probability in [0, 1) of zeroing an element of each layer's output except the
 *                last, in training only (PyTorch semantics: survivors are scaled by 1/(1−p))
 * @param batchFirst input and output are (B, T, ·) instead of (T, B, ·); states are always (L·D, B, ·)
 * @param direction forward, reverse-only or bidirectional; not null
 * @param merge how a bidirectional layer joins its directions; {@link MergeMode#SUM} needs
 *              {@link Direction#BIDIRECTIONAL}; not null
 * @param projSize P of a projected LSTM (PyTorch {@code proj_size}): 0 for none, else in [1, H)
 * @param peephole LSTM peephole connections (diagonal weights from c to the i, f and o gates)
 * @param resetBefore GRU with the reset gate applied to h before the recurrent matmul (ONNX
 *                    {@code linear_before_reset=0}, Keras {@code reset_after=False}); false is
 *                    PyTorch's GRU
 */
public record RnnSpec(CellType cell, int inputSize, int hiddenSize, int numLayers, double dropout,
                      boolean batchFirst, Direction direction, MergeMode merge, int projSize,
                      boolean peephole, boolean resetBefore) {

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
        if (direction == null) {
            throw new IllegalArgumentException("direction must not be null");
        }
        if (merge == null) {
            throw new IllegalArgumentException("merge must not be null");
        }
        if (merge == MergeMode.SUM && direction != Direction.BIDIRECTIONAL) {
            throw new IllegalArgumentException("merge SUM needs direction BIDIRECTIONAL, got " + direction);
        }
        if (projSize != 0) {
            if (cell != CellType.LSTM) {
                throw new IllegalArgumentException("projSize needs an lstm, got " + cell.id());
            }
            if (projSize < 0 || projSize >= hiddenSize) {
                throw new IllegalArgumentException("projSize must be 0 or in [1, hiddenSize = " + hiddenSize
                        + "), got " + projSize);
            }
        }
        if (peephole && cell != CellType.LSTM) {
            throw new IllegalArgumentException("peephole needs an lstm, got " + cell.id());
        }
        if (resetBefore && cell != CellType.GRU) {
            throw new IllegalArgumentException("resetBefore needs a gru, got " + cell.id());
        }
        // G·H·max(I, D·H) must index a Java array.
        long widest = Math.max(inputSize, (long) direction.count() * hiddenSize);
        long biggest = (long) cell.gates() * hiddenSize * widest;
        if (biggest > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("weight matrix of " + cell.gates() + "·" + hiddenSize + "·"
                    + widest + " elements exceeds the Java array limit");
        }
    }

    /**
     * A builder with one forward layer, no dropout, seq-first layout and the plain cell.
     *
     * @param cell the cell type
     * @param inputSize I
     * @param hiddenSize H
     * @return a builder
     */
    public static Builder builder(CellType cell, int inputSize, int hiddenSize) {
        return new Builder(cell, inputSize, hiddenSize);
    }

    /** A builder holding every setting of this spec, to derive a variant. */
    public Builder toBuilder() {
        return new Builder(cell, inputSize, hiddenSize).numLayers(numLayers).dropout(dropout)
                .batchFirst(batchFirst).direction(direction).merge(merge).projSize(projSize)
                .peephole(peephole).resetBefore(resetBefore);
    }

    /** G·H: the row count of each {@code weight_ih} and {@code weight_hh}. */
    public int gateRows() {
        return cell.gates() * hiddenSize;
    }

    /** D: 2 for a bidirectional network, else 1. */
    public int numDirections() {
        return direction.count();
    }

    /** P: the width of h (and of each direction's output): {@link #projSize()} if set, else H. */
    public int stateSize() {
        return projSize > 0 ? projSize : hiddenSize;
    }

    /** L·D: the number of (layer, direction) units, the leading dimension of the states. */
    public int numUnits() {
        return numLayers * direction.count();
    }

    /** The input feature size of {@code layer}: I for layer 0, {@link #outputSize()} above it. */
    public int layerInputSize(int layer) {
        if (layer < 0 || layer >= numLayers) {
            throw new IllegalArgumentException("layer must be in [0, " + numLayers + "), got " + layer);
        }
        return layer == 0 ? inputSize : outputSize();
    }

    /** The feature size of every layer's output (and the network's): D·P under CONCAT, else P. */
    public int outputSize() {
        return merge == MergeMode.CONCAT ? direction.count() * stateSize() : stateSize();
    }

    /**
     * Checks the state arguments of a call on a batch of B sequences: two h-state arrays
     * (L·D, B, P) and two c-state arrays (L·D, B, H), each optional (null). For a cell without a
     * cell state both c arrays must be null. Allocates nothing unless a check fails.
     *
     * @param batch B
     * @param hName1 name of the first h-state argument in messages; likewise the other names
     * @param h1 (L·D, B, P) or null
     * @param hName2 name of the second h-state argument
     * @param h2 (L·D, B, P) or null
     * @param cName1 name of the first c-state argument
     * @param c1 (L·D, B, H) or null; must be null without a cell state
     * @param cName2 name of the second c-state argument
     * @param c2 (L·D, B, H) or null; must be null without a cell state
     * @throws IllegalArgumentException naming the first bad argument, its shape, expected and actual size
     */
    public void checkStates(int batch, String hName1, float[] h1, String hName2, float[] h2,
                            String cName1, float[] c1, String cName2, float[] c2) {
        long hStates = (long) numUnits() * batch * stateSize();
        Checks.holds(hName1, h1, hStates, "(L·D, B, P)", true);
        Checks.holds(hName2, h2, hStates, "(L·D, B, P)", true);
        if (cell().hasCellState()) {
            long cStates = (long) numUnits() * batch * hiddenSize();
            Checks.holds(cName1, c1, cStates, "(L·D, B, H)", true);
            Checks.holds(cName2, c2, cStates, "(L·D, B, H)", true);
        } else {
            noCellState(cName1, c1);
            noCellState(cName2, c2);
        }
    }

    private void noCellState(String name, float[] a) {
        if (a != null) {
            throw new IllegalArgumentException(name + " must be null: a " + cell().id() + " has no cell state");
        }
    }

    /**
     * Whether a network of {@code other}'s shape has exactly this one's parameter tensors (names and
     * shapes), so that weights or gradients of one fit the other; dropout, layout and, for one layer,
     * the merge mode may differ.
     *
     * @param other a spec; must not be null
     * @return true if the parameter tensors are the same
     */
    public boolean hasSameParametersAs(RnnSpec other) {
        return cell == other.cell && inputSize == other.inputSize && hiddenSize == other.hiddenSize
                && numLayers == other.numLayers && direction == other.direction && projSize == other.projSize
                && peephole == other.peephole && resetBefore == other.resetBefore
                && layerInputSize(numLayers - 1) == other.layerInputSize(numLayers - 1);
    }

    /** A short description such as {@code lstm(I=3, H=8, L=2, bidirectional, proj=4, peephole)}. */
    public String describe() {
        StringBuilder s = new StringBuilder(cell.id()).append("(I=").append(inputSize).append(", H=")
                .append(hiddenSize).append(", L=").append(numLayers);
        if (direction != Direction.FORWARD) {
            s.append(", ").append(direction.name().toLowerCase(java.util.Locale.ROOT));
            if (merge != MergeMode.CONCAT) {
                s.append(" ").append(merge.name().toLowerCase(java.util.Locale.ROOT));
            }
        }
        if (projSize > 0) {
            s.append(", proj=").append(projSize);
        }
        if (peephole) {
            s.append(", peephole");
        }
        if (resetBefore) {
            s.append(", reset-before");
        }
        return s.append(')').toString();
    }

    /** Mutable builder for {@link RnnSpec}. */
    public static final class Builder {
        private final CellType cell;
        private final int inputSize;
        private final int hiddenSize;
        private int numLayers = 1;
        private double dropout;
        private boolean batchFirst;
        private Direction direction = Direction.FORWARD;
        private MergeMode merge = MergeMode.CONCAT;
        private int projSize;
        private boolean peephole;
        private boolean resetBefore;

        private Builder(CellType cell, int inputSize, int hiddenSize) {
            this.cell = cell;
            this.inputSize = inputSize;
            this.hiddenSize = hiddenSize;
        }

        /** @param numLayers L, {@code >= 1} @return this */
        public Builder numLayers(int numLayers) {
            this.numLayers = numLayers;
            return this;
        }

        /** @param dropout inter-layer dropout probability in [0, 1), applied in training only @return this */
        public Builder dropout(double dropout) {
            this.dropout = dropout;
            return this;
        }

        /** @param batchFirst (B, T, ·) input and output layout instead of (T, B, ·) @return this */
        public Builder batchFirst(boolean batchFirst) {
            this.batchFirst = batchFirst;
            return this;
        }

        /** @param direction forward (default), reverse-only or bidirectional @return this */
        public Builder direction(Direction direction) {
            this.direction = direction;
            return this;
        }

        /** @param bidirectional shorthand for {@code direction(BIDIRECTIONAL)} or {@code (FORWARD)} @return this */
        public Builder bidirectional(boolean bidirectional) {
            this.direction = bidirectional ? Direction.BIDIRECTIONAL : Direction.FORWARD;
            return this;
        }

        /** @param merge how a bidirectional layer joins its directions (default CONCAT) @return this */
        public Builder merge(MergeMode merge) {
            this.merge = merge;
            return this;
        }

        /** @param projSize LSTM projection size P in [1, H), or 0 for none (default) @return this */
        public Builder projSize(int projSize) {
            this.projSize = projSize;
            return this;
        }

        /** @param peephole LSTM peephole connections @return this */
        public Builder peephole(boolean peephole) {
            this.peephole = peephole;
            return this;
        }

        /** @param resetBefore GRU reset gate applied before the recurrent matmul @return this */
        public Builder resetBefore(boolean resetBefore) {
            this.resetBefore = resetBefore;
            return this;
        }

        /**
         * @return the validated spec
         * @throws IllegalArgumentException naming the first bad field
         */
        public RnnSpec build() {
            return new RnnSpec(cell, inputSize, hiddenSize, numLayers, dropout, batchFirst, direction, merge,
                    projSize, peephole, resetBefore);
        }
    }
}
