package org.rnn4j.cell;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The parameters of a stacked RNN (or, used as an accumulator, their gradients), stored as one
 * row-major {@code float[]} per tensor under PyTorch's names. Per layer l and direction d (suffix
 * {@code ""} for the forward direction, {@code "_reverse"} for a reversed one):
 * <pre>
 *   weight_ih_l{l}{sfx}        (G·H, in_l)   in_0 = I, in_l = {@link RnnSpec#outputSize()} above layer 0
 *   weight_hh_l{l}{sfx}        (G·H, P)      P = {@link RnnSpec#stateSize()}
 *   bias_ih_l{l}{sfx}          (G·H)
 *   bias_hh_l{l}{sfx}          (G·H)
 *   weight_hr_l{l}{sfx}        (P, H)        projected LSTM only (PyTorch proj_size)
 *   weight_peephole_l{l}{sfx}  (3H)          peephole LSTM only: blocks [i, f, o] (rnn4j's name;
 *                                            ONNX's P tensor holds the same blocks as [i, o, f])
 * </pre>
 * with the G gate blocks in PyTorch's order (LSTM i, f, g, o; GRU r, z, n). {@link #names()} lists
 * them in {@code state_dict} order, the order in which PyTorch saves them (layer by layer, the
 * forward direction before the reverse one).
 *
 * <p>Ownership: this object owns its arrays and never replaces them, so references returned by
 * {@link #get(String)} and the typed accessors stay valid for its lifetime; callers may read and
 * write their elements (that is how weights are loaded and how optimizers update them). An engine
 * reads the arrays on every call, so writes between calls take effect at the next call. Concurrent
 * reads from many threads are safe; a write concurrent with a forward pass is a data race.
 */
public final class RnnWeights {
    private final RnnSpec spec;
    private final Map<String, float[]> tensors = new LinkedHashMap<>();
    private final Map<String, int[]> shapes = new LinkedHashMap<>();
    // Indexed by unit u = layer·D + direction: the same arrays as in the maps, for the engine's hot path.
    private final float[][] weightIh;
    private final float[][] weightHh;
    private final float[][] biasIh;
    private final float[][] biasHh;
    private final float[][] weightHr;   // null entries unless projected
    private final float[][] peephole;   // null entries unless peephole

    /**
     * All-zero parameters for {@code spec} (the right starting point for a gradient accumulator).
     *
     * @param spec the network shape; must not be null
     */
    public RnnWeights(RnnSpec spec) {
        if (spec == null) {
            throw new IllegalArgumentException("spec must not be null");
        }
        this.spec = spec;
        int units = spec.numUnits();
        int dirs = spec.numDirections();
        int rows = spec.gateRows();
        weightIh = new float[units][];
        weightHh = new float[units][];
        biasIh = new float[units][];
        biasHh = new float[units][];
        weightHr = new float[units][];
        peephole = new float[units][];
        for (int l = 0; l < spec.numLayers(); l++) {
            int in = spec.layerInputSize(l);
            for (int d = 0; d < dirs; d++) {
                int u = l * dirs + d;
                String sfx = l + (spec.direction().reversed(d) ? "_reverse" : "");
                weightIh[u] = add("weight_ih_l" + sfx, rows, in);
                weightHh[u] = add("weight_hh_l" + sfx, rows, spec.stateSize());
                biasIh[u] = add("bias_ih_l" + sfx, rows);
                biasHh[u] = add("bias_hh_l" + sfx, rows);
                if (spec.projSize() > 0) {
                    weightHr[u] = add("weight_hr_l" + sfx, spec.projSize(), spec.hiddenSize());
                }
                if (spec.peephole()) {
                    peephole[u] = add("weight_peephole_l" + sfx, 3 * spec.hiddenSize());
                }
            }
        }
    }

    private float[] add(String name, int... shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] data = new float[(int) n];
        tensors.put(name, data);
        shapes.put(name, shape.clone());
        return data;
    }

    /** The network shape these parameters belong to. */
    public RnnSpec spec() {
        return spec;
    }

    /** Parameter names in PyTorch {@code state_dict} order; an unmodifiable list. */
    public List<String> names() {
        return Collections.unmodifiableList(new ArrayList<>(tensors.keySet()));
    }

    /**
     * The live array of a parameter (owned by this object, see the class comment).
     *
     * @param name a PyTorch parameter name from {@link #names()}
     * @return the row-major data
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public float[] get(String name) {
        float[] t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no parameter '" + name + "'; known: " + tensors.keySet());
        }
        return t;
    }

    /**
     * The PyTorch shape of a parameter, e.g. {@code [4H, I]} for {@code weight_ih_l0} of an LSTM.
     *
     * @param name a name from {@link #names()}
     * @return a fresh copy of the shape
     */
    public int[] shape(String name) {
        get(name);
        return shapes.get(name).clone();
    }

    /** @param layer in [0, L) @return {@code weight_ih_l{layer}} of direction 0, (G·H, in_layer), live */
    public float[] weightIh(int layer) {
        return weightIh[unit(layer, 0)];
    }

    /** @param layer in [0, L) @return {@code weight_hh_l{layer}} of direction 0, (G·H, P), live */
    public float[] weightHh(int layer) {
        return weightHh[unit(layer, 0)];
    }

    /** @param layer in [0, L) @return {@code bias_ih_l{layer}} of direction 0, (G·H), live */
    public float[] biasIh(int layer) {
        return biasIh[unit(layer, 0)];
    }

    /** @param layer in [0, L) @return {@code bias_hh_l{layer}} of direction 0, (G·H), live */
    public float[] biasHh(int layer) {
        return biasHh[unit(layer, 0)];
    }

    /**
     * @param layer in [0, L)
     * @param direction in [0, D)
     * @return {@code weight_ih} of that layer and direction, (G·H, in_layer), live
     */
    public float[] weightIh(int layer, int direction) {
        return weightIh[unit(layer, direction)];
    }

    /**
     * @param layer in [0, L)
     * @param direction in [0, D)
     * @return {@code weight_hh} of that layer and direction, (G·H, P), live
     */
    public float[] weightHh(int layer, int direction) {
        return weightHh[unit(layer, direction)];
    }

    /**
     * @param layer in [0, L)
     * @param direction in [0, D)
     * @return {@code bias_ih} of that layer and direction, (G·H), live
     */
    public float[] biasIh(int layer, int direction) {
        return biasIh[unit(layer, direction)];
    }

    /**
     * @param layer in [0, L)
     * @param direction in [0, D)
     * @return {@code bias_hh} of that layer and direction, (G·H), live
     */
    public float[] biasHh(int layer, int direction) {
        return biasHh[unit(layer, direction)];
    }

    /**
     * @param layer in [0, L)
     * @param direction in [0, D)
     * @return {@code weight_hr} of that layer and direction, (P, H), live
     * @throws IllegalStateException if the spec has no projection
     */
    public float[] weightHr(int layer, int direction) {
        int u = unit(layer, direction);
        if (weightHr[u] == null) {
            throw new IllegalStateException("weight_hr exists only for a projected lstm, this is " + spec.describe());
        }
        return weightHr[u];
    }

    /**
     * @param layer in [0, L)
     * @param direction in [0, D)
     * @return {@code weight_peephole} of that layer and direction, (3H) blocks [i, f, o], live
     * @throws IllegalStateException if the spec has no peepholes
     */
    public float[] peephole(int layer, int direction) {
        int u = unit(layer, direction);
        if (peephole[u] == null) {
            throw new IllegalStateException("weight_peephole exists only for a peephole lstm, this is "
                    + spec.describe());
        }
        return peephole[u];
    }

    private int unit(int layer, int direction) {
        if (layer < 0 || layer >= spec.numLayers()) {
            throw new IllegalArgumentException("layer must be in [0, " + spec.numLayers() + "), got " + layer);
        }
        if (direction < 0 || direction >= spec.numDirections()) {
            throw new IllegalArgumentException("direction must be in [0, " + spec.numDirections() + "), got "
                    + direction);
        }
        return layer * spec.numDirections() + direction;
    }

    /** Total number of scalar parameters. */
    public long size() {
        long n = 0;
        for (float[] t : tensors.values()) {
            n += t.length;
        }
        return n;
    }

    /** Sets every element to 0 (e.g. to clear a gradient accumulator). */
    public void zero() {
        for (float[] t : tensors.values()) {
            java.util.Arrays.fill(t, 0f);
        }
    }

    /**
     * PyTorch's default initialization: every element uniform in [−1/√H, 1/√H), drawn from a
     * {@link SplittableRandom} seeded with {@code seed} in {@link #names()} order; the same seed gives
     * the same weights bit for bit (not the same numbers as PyTorch's generator).
     *
     * @param seed the seed
     * @return this
     */
    public RnnWeights initUniform(long seed) {
        double bound = 1.0 / Math.sqrt(spec.hiddenSize());
        SplittableRandom rnd = new SplittableRandom(seed);
        for (float[] t : tensors.values()) {
            for (int i = 0; i < t.length; i++) {
                t[i] = (float) ((2 * rnd.nextDouble() - 1) * bound);
            }
        }
        return this;
    }

    /**
     * Copies every element of {@code other} into this object's arrays.
     *
     * @param other parameters of an equal spec
     * @throws IllegalArgumentException if the parameter shapes differ (dropout and layout may differ)
     */
    public void copyFrom(RnnWeights other) {
        requireSameShape(other, "other");
        for (Map.Entry<String, float[]> e : tensors.entrySet()) {
            float[] src = other.tensors.get(e.getKey());
            System.arraycopy(src, 0, e.getValue(), 0, src.length);
        }
    }

    /**
     * {@code this += other}, element by element, tensor by tensor in {@link #names()} order (the
     * data-parallel engine's one reduction of its slices' gradients).
     */
    void addFrom(RnnWeights other, org.rnn4j.kernel.Kernels k) {
        for (int u = 0; u < weightIh.length; u++) {
            addInto(k, weightIh[u], other.weightIh[u]);
            addInto(k, weightHh[u], other.weightHh[u]);
            addInto(k, biasIh[u], other.biasIh[u]);
            addInto(k, biasHh[u], other.biasHh[u]);
            if (weightHr[u] != null) {
                addInto(k, weightHr[u], other.weightHr[u]);
            }
            if (peephole[u] != null) {
                addInto(k, peephole[u], other.peephole[u]);
            }
        }
    }

    private static void addInto(org.rnn4j.kernel.Kernels k, float[] dst, float[] src) {
        k.add(dst.length, dst, 0, src, 0, dst, 0);
    }

    void requireSameShape(RnnWeights other, String what) {
        if (other == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        if (!spec.hasSameParametersAs(other.spec)) {
            throw new IllegalArgumentException(what + " must have the shape " + spec.describe() + ", got "
                    + other.spec.describe());
        }
    }


    /**
     * The name and flat index of the first NaN or infinite element, or null if all are finite.
     * Cheap enough to call after every optimizer step.
     *
     * @return e.g. {@code "weight_hh_l1[37]"}, or null
     */
    public String firstNonFinite() {
        for (Map.Entry<String, float[]> e : tensors.entrySet()) {
            float[] t = e.getValue();
            for (int i = 0; i < t.length; i++) {
                if (!Float.isFinite(t[i])) {
                    return e.getKey() + "[" + i + "]";
                }
            }
        }
        return null;
    }
}
