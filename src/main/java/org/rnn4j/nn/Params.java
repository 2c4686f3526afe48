package org.rnn4j.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rnn4j.cell.RnnWeights;

/**
 * The trainable tensors of a model, in a fixed order, each with its gradient: what optimizers,
 * gradient clipping and checkpoints work on. A name is a PyTorch {@code state_dict} key such as
 * {@code rnn.weight_ih_l0} or {@code decoder.weight}; the value and gradient are row-major
 * {@code float[]} of the same length.
 *
 * <p>Ownership: the arrays are the layers' own live arrays, registered here, not copies; an
 * optimizer writes the values in place, layers add into the gradients. The order of registration is
 * the order of {@link #names()}, of optimizer state and of checkpoint tensors, so it must not depend
 * on anything but the model's structure. Not thread-safe.
 */
public final class Params {
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    private static final class Entry {
        final float[] value;
        final float[] grad;
        final int[] shape;

        Entry(float[] value, float[] grad, int[] shape) {
            this.value = value;
            this.grad = grad;
            this.shape = shape;
        }
    }

    /**
     * Registers one tensor.
     *
     * @param name a unique name; not null
     * @param value the live values, row-major; not null
     * @param grad the live gradient accumulator, same length; not null and not {@code value}
     * @param shape the shape; the product must equal {@code value.length}
     * @return this
     * @throws IllegalArgumentException for a duplicate name, a null array or a length that does not
     *                                  match the shape
     */
    public Params add(String name, float[] value, float[] grad, int... shape) {
        if (name == null || entries.containsKey(name)) {
            throw new IllegalArgumentException("name must be unique and not null, got " + name);
        }
        if (value == null || grad == null || value == grad) {
            throw new IllegalArgumentException(name + ": value and grad must be two distinct non-null arrays");
        }
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(name + ": shape must be non-negative, got " + java.util.Arrays.toString(shape));
            }
            n *= d;
        }
        if (n != value.length || n != grad.length) {
            throw new IllegalArgumentException(name + ": value and grad must hold " + java.util.Arrays.toString(shape)
                    + " = " + n + " floats, got " + value.length + " and " + grad.length);
        }
        entries.put(name, new Entry(value, grad, shape.clone()));
        return this;
    }

    /**
     * Registers every tensor of an RNN under {@code prefix + "." + name}, in {@link RnnWeights#names()} order.
     *
     * @param prefix e.g. {@code "rnn"}; not null
     * @param weights the live parameters
     * @param grads their gradient accumulator, same spec
     * @return this
     */
    public Params addAll(String prefix, RnnWeights weights, RnnWeights grads) {
        if (!weights.spec().hasSameParametersAs(grads.spec())) {
            throw new IllegalArgumentException("grads must have the shape " + weights.spec().describe() + ", got "
                    + grads.spec().describe());
        }
        for (String n : weights.names()) {
            add(prefix + "." + n, weights.get(n), grads.get(n), weights.shape(n));
        }
        return this;
    }

    /** @return the names in registration order; an unmodifiable copy */
    public List<String> names() {
        return Collections.unmodifiableList(new ArrayList<>(entries.keySet()));
    }

    /** @param name a registered name @return its live values */
    public float[] value(String name) {
        return entry(name).value;
    }

    /** @param name a registered name @return its live gradient */
    public float[] grad(String name) {
        return entry(name).grad;
    }

    /** @param name a registered name @return a copy of its shape */
    public int[] shape(String name) {
        return entry(name).shape.clone();
    }

    /** @return the number of registered tensors */
    public int size() {
        return entries.size();
    }

    /** @return the total number of scalar parameters */
    public long count() {
        long n = 0;
        for (Entry e : entries.values()) {
            n += e.value.length;
        }
        return n;
    }

    /** Sets every gradient to 0 (PyTorch {@code zero_grad(set_to_none=False)}). */
    public void zeroGrad() {
        for (Entry e : entries.values()) {
            java.util.Arrays.fill(e.grad, 0f);
        }
    }

    /**
     * The name and flat index of the first NaN or infinite gradient element, or null.
     *
     * @return e.g. {@code "rnn.weight_hh_l0[12]"}, or null
     */
    public String firstNonFiniteGrad() {
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            float[] g = e.getValue().grad;
            for (int i = 0; i < g.length; i++) {
                if (!Float.isFinite(g[i])) {
                    return e.getKey() + "[" + i + "]";
                }
            }
        }
        return null;
    }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException("no parameter '" + name + "'; known: " + entries.keySet());
        }
        return e;
    }
}
