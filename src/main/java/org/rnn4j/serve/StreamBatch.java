package org.rnn4j.serve;

/**
 * Working memory for advancing up to {@link #capacity()} streams of one {@link StreamingModel} in
 * one call. Holds no stream state: any states of the model may be passed to each call. Not
 * thread-safe: one per thread.
 */
public final class StreamBatch {
    final StreamingModel model;
    final Scratch scratch;
    final float[] h;    // (n, P) gathered h of the current layer; after the step, the top layer's h
    final float[] h2;   // (n, P) the other buffer of the layer-to-layer ping-pong
    final float[] c;    // LSTM: (n, H) gathered c of the current layer; else null
    final float[] x;    // (n, I) gathered embedding rows of a token step
    long mark;          // generation counter of the duplicate-state check

    StreamBatch(StreamingModel m, int capacity) {
        this.model = m;
        this.scratch = new Scratch(m, capacity);
        h = new float[capacity * m.state()];
        h2 = new float[m.layers() > 1 ? capacity * m.state() : 0];
        c = m.spec().cell().hasCellState() ? new float[capacity * m.hidden()] : null;
        x = new float[m.hasEmbedding() ? capacity * m.inputSize() : 0];
    }

    /** The largest number of streams one call may advance. */
    public int capacity() {
        return scratch.capacity;
    }

    /** The model this batch scratch belongs to. */
    public StreamingModel model() {
        return model;
    }
}
