package org.rnn4j.serve;

/**
 * How a {@link StreamingModel} stores its recurrent and input weight matrices.
 */
public enum WeightFormat {
    /** IEEE float32, as trained: results equal the sequence engine's up to summation order. */
    F32,
    /**
     * bfloat16 (the upper 16 bits of a float32, rounded to nearest even): half the bytes per step, for
     * steps bound by reading the weights (H &ge; 256). Widened to float32 in registers; products and
     * sums stay float32. Biases, peepholes, the embedding and the head stay float32. The accuracy
     * cost is measured in docs/serving.md.
     */
    BF16
}
