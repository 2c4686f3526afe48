package org.rnn4j.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rnn4j.nn.Params;

/**
 * A first-order optimizer with PyTorch's {@code torch.optim} semantics: {@link Sgd}, {@link Adagrad},
 * {@link Adam}, {@link AdamW}. Each {@link #step} updates every tensor of a {@link Params} in place
 * from its gradient; the learning rate is an argument of each step (see {@link LrSchedule}), the other
 * hyper-parameters are fixed at construction.
 *
 * <h2>Arithmetic</h2>
 * Element by element in float, with PyTorch's float32 CPU operation order (its single-tensor,
 * non-foreach path); each subclass documents its formula. Scalars derived from the hyper-parameters
 * and the step count (bias corrections, {@code 1 − β}, the effective step size) are computed in
 * double, as PyTorch computes them in Python, and rounded to float once, as PyTorch's kernels do.
 * PyTorch's CPU kernels, as built for AVX2 (checked on Debian's torch 1.13), fuse the multiply-adds
 * {@code a + α·b} of {@code add(…, alpha)} and {@code addcmul} into one FMA, in the vector loops and in
 * their scalar tails; rnn4j uses {@link Math#fma(float, float, float)} at exactly those places, so the
 * results agree with that build bitwise (see tools/golden/README.md, optimizer golden files). Like the
 * kernels' scalar twin, this relies on FMA hardware ({@code -XX:+UseFMA}, the default on x86-64 since
 * Haswell and on AArch64); elsewhere the JDK computes {@code Math.fma} exactly but slowly, allocating. Adam's β^t is {@link Math#pow}, an intrinsic that allocates nothing in any JIT tier
 * ({@link StrictMath#pow}, a Java port of fdlibm in JDK 17, allocates until C2 compiles it); every
 * other operation is an IEEE operation on floats, so a run is bitwise reproducible within a JVM, and
 * across platforms except where {@code Math.pow} rounds the last bit of a double differently.
 *
 * <h2>State</h2>
 * Per-tensor state ({@code exp_avg}, {@code exp_avg_sq}, {@code momentum_buffer}, {@code sum}) is
 * allocated on the first step, for the tensors of the {@link Params} given then, and kept by tensor
 * name; it is never allocated again, so a steady-state {@link #step} allocates nothing. Before the
 * first step there is no state, as in PyTorch. A later step may be given another {@link Params}
 * object (a reloaded model, say) if it has the same names and lengths; anything else is an
 * {@link IllegalArgumentException} and changes nothing. {@link #state()}, {@link #steps()} and
 * {@link #loadState} save and restore the state exactly, for checkpoints; {@link #config()} and
 * {@link #fromConfig} do the same for the hyper-parameters.
 *
 * <p>Where PyTorch keeps a {@code step} count per tensor, rnn4j keeps one for the optimizer
 * ({@link #steps()}): the same thing when every step updates every tensor, which is the case here (a
 * gradient is always present, zero or not). PyTorch stores that count as a float32 tensor, exact up to
 * 2²⁴ steps; rnn4j counts in a {@code long}.
 *
 * <p>Not thread-safe. Subclasses are the four in this package (the constructor is package-private).
 */
public abstract class Optimizer {
    private long steps;

    /** The Params last stepped (or given to {@link #loadState(Params, Map, long)}), or null. */
    private Params bound;
    /** Tensor names, values and gradients of {@link #bound}, in its order. */
    private String[] names;
    private float[][] values;
    private float[][] grads;
    /** State arrays [tensor][slot], in {@link #names} order; null while there is no state. */
    private float[][][] slots;
    /** State loaded before any Params was known: key → owned copy; adopted by the next step. */
    private LinkedHashMap<String, float[]> pending;

    Optimizer() {}

    /**
     * The optimizer's name as {@link #config()} writes it.
     *
     * @return "sgd", "adagrad", "adam" or "adamw"
     */
    public abstract String name();

    /**
     * One update of every tensor of {@code params} from its gradient, with PyTorch's semantics (each
     * subclass states the formula). The values change in place; the gradients are only read (weight
     * decay is added to a copy per element, as PyTorch adds it to a new tensor). Non-finite gradients
     * are not checked and propagate, as in PyTorch; check {@link Params#firstNonFiniteGrad()} or clip
     * first. On the first step the state is created (and a state loaded by
     * {@link #loadState(Map, long)} is matched against {@code params}); afterwards nothing is allocated.
     *
     * @param params the tensors to update; once the optimizer has state, the same names and lengths on
     *               every step (another {@link Params} object of those is fine)
     * @param lr the learning rate of this update, {@code >= 0} and finite
     * @throws IllegalArgumentException for a null {@code params}, a bad {@code lr}, or tensors that do
     *                                  not match the optimizer's state; nothing is changed then
     */
    public abstract void step(Params params, double lr);

    /**
     * The number of updates so far: also the 0-based number of the next one, e.g. for
     * {@link LrSchedule#rate(long)}.
     *
     * @return the number of {@link #step} calls so far, counting from the steps restored by {@link #loadState}
     */
    public long steps() {
        return steps;
    }

    /**
     * The state tensors by name {@code slot + "." + tensorName}, e.g. {@code "exp_avg.rnn.weight_ih_l0"},
     * ordered tensor by tensor in {@link Params} order and, within a tensor, slot by slot
     * ({@code exp_avg} before {@code exp_avg_sq}). Empty before the first step, and always for an
     * {@link Sgd} without momentum.
     *
     * <p>Ownership: a new map of the live arrays, each of its tensor's length; writing one changes
     * the optimizer's state. A checkpoint writer should copy or serialize them before the next step.
     *
     * @return a new {@link LinkedHashMap} of the live state arrays
     */
    public Map<String, float[]> state() {
        LinkedHashMap<String, float[]> m = new LinkedHashMap<>();
        if (pending != null) {
            m.putAll(pending);
        } else if (slots != null) {
            String[] slotNames = slotNames();
            for (int i = 0; i < names.length; i++) {
                for (int s = 0; s < slotNames.length; s++) {
                    m.put(slotNames[s] + "." + names[i], slots[i][s]);
                }
            }
        }
        return m;
    }

    /**
     * Restores a state saved from {@link #state()} and {@link #steps()} (of an optimizer with the same
     * {@link #config()}), bitwise: continuing from here gives exactly the values an uninterrupted run
     * would have given. The arrays are copied, the caller keeps its map.
     *
     * <p>Validated now: every key is {@code slot + "." + tensorName} with a slot this optimizer has,
     * every tensor has every slot and all of a tensor's slots have one length, {@code steps >= 0},
     * and the state is empty exactly when {@code steps == 0} (or when the optimizer has no slots). If
     * the optimizer has stepped before, the tensor names and lengths are matched against that
     * {@link Params} now; otherwise against the {@link Params} of the next {@link #step} (which then
     * throws, changing nothing, on a mismatch), or use {@link #loadState(Params, Map, long)}. On any
     * error nothing is changed. {@code loadState(Map.of(), 0)} resets the optimizer to a fresh one.
     *
     * @param state state tensors by name, as {@link #state()} returns them; not null, no null arrays
     * @param steps the step count, as {@link #steps()} returned it
     * @throws IllegalArgumentException naming the offending key, the expected and the actual value
     */
    public void loadState(Map<String, float[]> state, long steps) {
        LinkedHashMap<String, float[]> copy = checkedCopy(state, steps);
        if (bound != null) {
            float[][][] s = match(copy, names, values, "the params of the last step");
            install(s, steps);
        } else {
            this.pending = copy.isEmpty() ? null : copy;
            this.slots = null;
            this.steps = steps;
        }
    }

    /**
     * {@link #loadState(Map, long)} with the tensor names and lengths matched against {@code params}
     * now, rather than at the next step; afterwards the optimizer is bound to {@code params} (its next
     * step may still be given another {@link Params} of the same names and lengths).
     *
     * @param params the tensors the state belongs to; not null
     * @param state state tensors by name, as {@link #state()} returns them
     * @param steps the step count, as {@link #steps()} returned it
     * @throws IllegalArgumentException as {@link #loadState(Map, long)}, or when the state does not fit
     *                                  {@code params}; nothing is changed then
     */
    public void loadState(Params params, Map<String, float[]> state, long steps) {
        if (params == null) {
            throw new IllegalArgumentException("params must not be null");
        }
        LinkedHashMap<String, float[]> copy = checkedCopy(state, steps);
        String[] n = params.names().toArray(new String[0]);
        float[][] v = new float[n.length][];
        float[][] g = new float[n.length][];
        for (int i = 0; i < n.length; i++) {
            v[i] = params.value(n[i]);
            g[i] = params.grad(n[i]);
        }
        float[][][] s = match(copy, n, v, "params");
        this.bound = params;
        this.names = n;
        this.values = v;
        this.grads = g;
        install(s, steps);
    }

    /**
     * The hyper-parameters as strings, for checkpoint metadata: {@code "optimizer"} → {@link #name()},
     * then one entry per constructor argument under PyTorch's argument name (e.g. {@code "beta1"},
     * {@code "weight_decay"}, {@code "nesterov"}), numbers in {@link Double#toString(double)} form,
     * which {@link #fromConfig} parses back exactly. The learning rate is not part of it (it is an
     * argument of {@link #step}; see {@link LrSchedule#config()}).
     *
     * @return a new ordered map the caller owns
     */
    public abstract Map<String, String> config();

    /**
     * The optimizer a {@link #config()} describes, fresh (no state): the inverse of {@link #config()}.
     * A hyper-parameter key that is absent takes PyTorch's default (listed on each subclass's no-argument
     * constructor); an unknown key or an unparsable value is an error.
     *
     * @param config {@code "optimizer"} (sgd, adagrad, adam, adamw) and hyper-parameters; not null
     * @return a new optimizer
     * @throws IllegalArgumentException for a missing or unknown optimizer, an unknown key, a value that
     *                                  does not parse, or hyper-parameters the constructor rejects
     */
    public static Optimizer fromConfig(Map<String, String> config) {
        Configs.Reader r = new Configs.Reader(config, "optimizer config");
        String name = r.required("optimizer");
        Optimizer o;
        switch (name) {
            case "sgd":
                o = new Sgd(r.dbl("momentum", 0), r.dbl("dampening", 0), r.dbl("weight_decay", 0),
                        r.bool("nesterov", false));
                break;
            case "adagrad":
                o = new Adagrad(r.dbl("lr_decay", 0), r.dbl("weight_decay", 0),
                        r.dbl("initial_accumulator_value", 0), r.dbl("eps", 1e-10));
                break;
            case "adam":
                o = new Adam(r.dbl("beta1", 0.9), r.dbl("beta2", 0.999), r.dbl("eps", 1e-8),
                        r.dbl("weight_decay", 0));
                break;
            case "adamw":
                o = new AdamW(r.dbl("beta1", 0.9), r.dbl("beta2", 0.999), r.dbl("eps", 1e-8),
                        r.dbl("weight_decay", 1e-2));
                break;
            default:
                throw new IllegalArgumentException("optimizer config: 'optimizer' must be one of sgd, adagrad, adam, "
                        + "adamw, got '" + name + "'");
        }
        r.rejectUnknown();
        return o;
    }

    @Override
    public String toString() {
        return config().toString();
    }

    // ------------------------------------------------------------------ for the subclasses

    /** The state slots each tensor has, e.g. {"exp_avg", "exp_avg_sq"}; the same array every call. */
    abstract String[] slotNames();

    /** Sets a freshly allocated slot array to its initial value; the default leaves it zero. */
    void initSlot(int slot, float[] a) {}

    /**
     * Validates {@code lr}, binds {@code params} (allocating only when they are new) and makes sure the
     * state exists; after it the subclass updates {@link #tensors()} tensors and calls {@link #advance()}.
     *
     * @return the state arrays [tensor][slot]
     */
    final float[][][] begin(Params params, double lr) {
        if (!(lr >= 0) || lr == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("lr must be >= 0 and finite, got " + lr);
        }
        if (params == null) {
            throw new IllegalArgumentException("params must not be null");
        }
        if (params != bound || params.size() != names.length) {
            bind(params);
        }
        if (slots == null) {
            String[] slotNames = slotNames();
            float[][][] s = new float[names.length][slotNames.length][];
            for (int i = 0; i < names.length; i++) {
                for (int j = 0; j < slotNames.length; j++) {
                    s[i][j] = new float[values[i].length];
                    initSlot(j, s[i][j]);
                }
            }
            slots = s;
        }
        return slots;
    }

    /** The number of bound tensors. */
    final int tensors() {
        return names.length;
    }

    /** The live values of bound tensor i. */
    final float[] value(int i) {
        return values[i];
    }

    /** The live gradient of bound tensor i. */
    final float[] grad(int i) {
        return grads[i];
    }

    /** Ends a step: counts it. */
    final void advance() {
        steps++;
    }

    // ------------------------------------------------------------------ binding and state checks

    /** (Re)binds to params: any pending state is matched, any existing state must fit. */
    private void bind(Params params) {
        String[] n = params.names().toArray(new String[0]);
        float[][] v = new float[n.length][];
        float[][] g = new float[n.length][];
        for (int i = 0; i < n.length; i++) {
            v[i] = params.value(n[i]);
            g[i] = params.grad(n[i]);
        }
        float[][][] s = null;
        if (pending != null) {
            s = match(pending, n, v, "params");
        } else if (slots != null) {
            // state exists for the previously bound tensors: the new ones must be the same names/lengths
            s = match(state(), n, v, "params");
        }
        this.bound = params;
        this.names = n;
        this.values = v;
        this.grads = g;
        this.slots = s;
        this.pending = null;
    }

    private void install(float[][][] s, long steps) {
        this.slots = s;
        this.pending = null;
        this.steps = steps;
    }

    /** Structural checks of a state to load, and an owned copy in the caller's order. */
    private LinkedHashMap<String, float[]> checkedCopy(Map<String, float[]> state, long steps) {
        if (state == null) {
            throw new IllegalArgumentException("state must not be null");
        }
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        }
        String[] slotNames = slotNames();
        if (steps == 0 && !state.isEmpty()) {
            throw new IllegalArgumentException(name() + ": a state with steps = 0 must be empty (there is no state "
                    + "before the first step), got " + state.size() + " tensors, e.g. '" + state.keySet().iterator().next()
                    + "'");
        }
        if (steps > 0 && slotNames.length > 0 && state.isEmpty()) {
            throw new IllegalArgumentException(name() + ": steps = " + steps + " but the state is empty; expected the "
                    + "slots " + Arrays.toString(slotNames) + " for every tensor");
        }
        // tensor name → lengths per slot
        LinkedHashMap<String, int[]> lengths = new LinkedHashMap<>();
        LinkedHashMap<String, float[]> copy = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : state.entrySet()) {
            String key = e.getKey();
            float[] a = e.getValue();
            if (key == null) {
                throw new IllegalArgumentException(name() + ": state has a null key");
            }
            if (a == null) {
                throw new IllegalArgumentException(name() + ": state '" + key + "' is null");
            }
            int slot = -1;
            for (int s = 0; s < slotNames.length; s++) {
                if (key.startsWith(slotNames[s] + ".") && key.length() > slotNames[s].length() + 1) {
                    slot = s;
                }
            }
            if (slot < 0) {
                throw new IllegalArgumentException(name() + ": unexpected state key '" + key + "'; expected "
                        + (slotNames.length == 0 ? "none (this optimizer has no state)"
                                : "<slot>.<tensor> with a slot in " + Arrays.toString(slotNames)));
            }
            String tensor = key.substring(slotNames[slot].length() + 1);
            int[] len = lengths.computeIfAbsent(tensor, t -> {
                int[] l = new int[slotNames.length];
                Arrays.fill(l, -1);
                return l;
            });
            len[slot] = a.length;
            copy.put(key, a.clone());
        }
        for (Map.Entry<String, int[]> e : lengths.entrySet()) {
            int[] len = e.getValue();
            for (int s = 0; s < slotNames.length; s++) {
                if (len[s] < 0) {
                    throw new IllegalArgumentException(name() + ": state lacks '" + slotNames[s] + "." + e.getKey()
                            + "' (every tensor needs every slot of " + Arrays.toString(slotNames) + ")");
                }
                if (len[s] != len[0]) {
                    throw new IllegalArgumentException(name() + ": state '" + slotNames[s] + "." + e.getKey() + "' has "
                            + len[s] + " floats, but '" + slotNames[0] + "." + e.getKey() + "' has " + len[0]);
                }
            }
        }
        return copy;
    }

    /**
     * Matches a structurally valid state against tensors: every tensor has every slot of its length,
     * there is nothing else. Returns the arrays of {@code state} arranged [tensor][slot], or null for
     * an empty state.
     */
    private float[][][] match(Map<String, float[]> state, String[] n, float[][] v, String what) {
        String[] slotNames = slotNames();
        if (state.isEmpty()) {
            return null;
        }
        float[][][] s = new float[n.length][slotNames.length][];
        int used = 0;
        for (int i = 0; i < n.length; i++) {
            for (int j = 0; j < slotNames.length; j++) {
                String key = slotNames[j] + "." + n[i];
                float[] a = state.get(key);
                if (a == null) {
                    throw new IllegalArgumentException(name() + ": state lacks '" + key + "' for tensor '" + n[i]
                            + "' of " + what + "; the state has " + state.keySet());
                }
                if (a.length != v[i].length) {
                    throw new IllegalArgumentException(name() + ": state '" + key + "' has " + a.length + " floats, "
                            + "tensor '" + n[i] + "' of " + what + " has " + v[i].length);
                }
                s[i][j] = a;
                used++;
            }
        }
        if (used != state.size()) {
            List<String> extra = new ArrayList<>(state.keySet());
            for (int i = 0; i < n.length; i++) {
                for (String slot : slotNames) {
                    extra.remove(slot + "." + n[i]);
                }
            }
            throw new IllegalArgumentException(name() + ": state has tensors that " + what + " lack: " + extra
                    + "; " + what + " are " + Arrays.toString(n));
        }
        return s;
    }

    /** Float rounding of a hyper-parameter, as PyTorch's kernels round a Python scalar. */
    static float f(double x) {
        return (float) x;
    }
}
