package org.rnn4j.serve;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rnn4j.io.NamedTensor;
import org.rnn4j.io.Safetensors;
import org.rnn4j.io.SafetensorsFile;

/**
 * The carried state of one stream of a {@link StreamingModel}: h (L, P) for every layer, c (L, H)
 * for an LSTM, plus the stream's private working memory, so that a step allocates nothing and the
 * model stays immutable. Not thread-safe: one thread at a time per state (different states of one
 * model may be stepped by different threads at once).
 *
 * <p>Layouts follow PyTorch's h_n/c_n with batch 1: {@code h[l·P + j]} is unit j of layer l.
 */
public final class StreamState {
    final StreamingModel model;
    final float[] h;   // (L, P)
    final float[] c;   // (L, H) or null
    final Scratch scratch;
    StreamBatch batchOwner;   // duplicate check of the batched step
    long batchMark;

    StreamState(StreamingModel m) {
        this.model = m;
        h = new float[m.layers() * m.state()];
        c = m.spec().cell().hasCellState() ? new float[m.layers() * m.hidden()] : null;
        scratch = new Scratch(m, 1);
    }

    /** The model this state belongs to. */
    public StreamingModel model() {
        return model;
    }

    /** Sets h and c to zero, the state of a new stream. */
    public void reset() {
        Arrays.fill(h, 0f);
        if (c != null) {
            Arrays.fill(c, 0f);
        }
    }

    /**
     * Copies another stream's state into this one (e.g. to fork a stream for beam search).
     *
     * @param other a state of the same model
     * @throws IllegalArgumentException if other is null or belongs to another model
     */
    public void copyFrom(StreamState other) {
        if (other == null) {
            throw new IllegalArgumentException("other must not be null");
        }
        if (other.model != model) {
            throw new IllegalArgumentException("other belongs to another model");
        }
        System.arraycopy(other.h, 0, h, 0, h.length);
        if (c != null) {
            System.arraycopy(other.c, 0, c, 0, c.length);
        }
    }

    /** Whether the state has a cell state c (LSTM). */
    public boolean hasCellState() {
        return c != null;
    }

    /** Number of elements of h: L·P. */
    public int hSize() {
        return h.length;
    }

    /** Number of elements of c: L·H, or 0 without a cell state. */
    public int cSize() {
        return c == null ? 0 : c.length;
    }

    /**
     * Copies h (L, P) out.
     *
     * @param dst receives {@code dst[off .. off+L·P)}; owned by the caller
     * @param off offset into dst
     */
    public void getH(float[] dst, int off) {
        org.rnn4j.kernel.Checks.range("dst", dst, off, h.length);
        System.arraycopy(h, 0, dst, off, h.length);
    }

    /**
     * Sets h (L, P), e.g. from PyTorch's h_n of batch 1.
     *
     * @param src {@code src[off .. off+L·P)}; read only
     * @param off offset into src
     */
    public void setH(float[] src, int off) {
        org.rnn4j.kernel.Checks.range("src", src, off, h.length);
        System.arraycopy(src, off, h, 0, h.length);
    }

    /**
     * Copies c (L, H) out.
     *
     * @param dst receives {@code dst[off .. off+L·H)}
     * @param off offset into dst
     * @throws IllegalStateException if the cell has no cell state
     */
    public void getC(float[] dst, int off) {
        needC();
        org.rnn4j.kernel.Checks.range("dst", dst, off, c.length);
        System.arraycopy(c, 0, dst, off, c.length);
    }

    /**
     * Sets c (L, H).
     *
     * @param src {@code src[off .. off+L·H)}; read only
     * @param off offset into src
     * @throws IllegalStateException if the cell has no cell state
     */
    public void setC(float[] src, int off) {
        needC();
        org.rnn4j.kernel.Checks.range("src", src, off, c.length);
        System.arraycopy(src, off, c, 0, c.length);
    }

    private void needC() {
        if (c == null) {
            throw new IllegalStateException(model.spec().cell().id() + " has no cell state c");
        }
    }

    /**
     * Where the state stopped being finite: the first NaN or infinite element, as {@code "h[i]"} or
     * {@code "c[i]"}, or null if every element is finite. A step never checks (it would cost a pass);
     * call this where the inputs are not trusted.
     *
     * @return the first non-finite element's name, or null
     */
    public String firstNonFinite() {
        for (int i = 0; i < h.length; i++) {
            if (!Float.isFinite(h[i])) {
                return "h[" + i + "]";
            }
        }
        for (int i = 0; c != null && i < c.length; i++) {
            if (!Float.isFinite(c[i])) {
                return "c[" + i + "]";
            }
        }
        return null;
    }

    /**
     * The state as tensors in PyTorch's shapes: {@code h_n} (L, 1, P) and, for an LSTM, {@code c_n}
     * (L, 1, H), both F32.
     *
     * @return new tensors owned by the caller
     */
    public List<NamedTensor> toTensors() {
        List<NamedTensor> l = new ArrayList<>();
        int layers = model.spec().numLayers();
        l.add(NamedTensor.ofFloats("h_n", new int[] {layers, 1, model.state()}, h));
        if (c != null) {
            l.add(NamedTensor.ofFloats("c_n", new int[] {layers, 1, model.hidden()}, c));
        }
        return l;
    }

    /**
     * Saves the state to a safetensors file ({@link #toTensors()}), atomically.
     *
     * @param file the target; replaced
     * @throws IOException if the file cannot be written; the target is then unchanged
     */
    public void save(Path file) throws IOException {
        Safetensors.write(file, toTensors());
    }

    /**
     * Loads a state saved by {@link #save} (or PyTorch's h_n/c_n of batch 1 written as safetensors).
     *
     * @param f the file's content: {@code h_n} (L, 1, P) and, for an LSTM, {@code c_n} (L, 1, H); any
     *        floating dtype
     * @throws IllegalArgumentException naming the tensor, the expected and the actual shape, if a
     *         tensor is missing or misshaped; the state is then unchanged
     */
    public void load(SafetensorsFile f) {
        if (f == null) {
            throw new IllegalArgumentException("file must not be null");
        }
        int layers = model.spec().numLayers();
        float[] nh = tensor(f, "h_n", new int[] {layers, 1, model.state()});
        float[] nc = c == null ? null : tensor(f, "c_n", new int[] {layers, 1, model.hidden()});
        if (c == null && f.contains("c_n")) {
            throw new IllegalArgumentException("c_n given, but " + model.spec().cell().id() + " has no cell state");
        }
        System.arraycopy(nh, 0, h, 0, h.length);
        if (c != null) {
            System.arraycopy(nc, 0, c, 0, c.length);
        }
    }

    private static float[] tensor(SafetensorsFile f, String name, int[] shape) {
        if (!f.contains(name)) {
            throw new IllegalArgumentException("missing tensor '" + name + "' " + Arrays.toString(shape));
        }
        NamedTensor t = f.tensor(name);
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException("tensor '" + name + "' must have shape " + Arrays.toString(shape)
                    + ", got " + Arrays.toString(t.shape()));
        }
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException("tensor '" + name + "' must be floating point, got " + t.dtype());
        }
        return t.asFloats();
    }
}
