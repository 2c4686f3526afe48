package org.rnn4j.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.rnn4j.cell.CellType;
import org.rnn4j.cell.Direction;
import org.rnn4j.cell.MergeMode;
import org.rnn4j.cell.RnnSpec;

/**
 * A stacked, optionally bidirectional RNN / LSTM / GRU in double precision, written plainly from the
 * equations: the oracle that faster implementations are tested against.
 *
 * <p>It deliberately shares no code with {@code org.rnn4j.kernel} or the engine
 * ({@code org.rnn4j.cell.Rnn}): explicit loops, one method per cell forward, each followed by its
 * backward, {@link Math#exp} and {@link Math#tanh} only. It reads only the description of the
 * network from {@link RnnSpec}. Speed is not a goal; every step allocates its own small arrays.
 *
 * <h2>Semantics (PyTorch's {@code nn.RNN}, {@code nn.LSTM}, {@code nn.GRU}, plus two ONNX variants)</h2>
 * With H the hidden size and P the state size ({@link #stateSize()}: the projection size of a
 * projected LSTM, else H):
 * <pre>
 * RNN_TANH / RNN_RELU:  h = act(W_ih·x + b_ih + W_hh·h_prev + b_hh)
 * LSTM (gates i,f,g,o): a_k = W_ik·x + b_ik + W_hk·h_prev + b_hk   for k = i, f, g, o
 *                       i = σ(a_i + p_i⊙c_prev),  f = σ(a_f + p_f⊙c_prev),  g = tanh(a_g)
 *                       c = f⊙c_prev + i⊙g,  o = σ(a_o + p_o⊙c)
 *                       m = o⊙tanh(c),  h = W_hr·m   (h = m without projection)
 *                       the p terms only with {@link RnnSpec#peephole()} (ONNX/Gers: o peeks at the new c)
 * GRU  (gates r,z,n):   r = σ(W_ir·x + b_ir + W_hr·h_prev + b_hr),  z likewise
 *                       n = tanh(W_in·x + b_in + r⊙(W_hn·h_prev + b_hn))      PyTorch ("reset after")
 *                       n = tanh(W_in·x + b_in + W_hn·(r⊙h_prev) + b_hn)      {@link RnnSpec#resetBefore()}
 *                       h = (1−z)⊙n + z⊙h_prev
 * </pre>
 * (In the GRU lines W_hr is the r block of {@code weight_hh}; the LSTM's projection W_hr is the
 * separate {@code weight_hr} tensor, PyTorch's name.)
 *
 * <h2>Directions and layers</h2>
 * Each layer has D = {@link #numDirections()} (layer, direction) units, indexed
 * {@code u = layer·D + direction}, each with its own parameters. A unit reads its layer's input
 * either forward (steps 0 … len−1) or, for {@link Direction#REVERSE} and direction 1 of
 * {@link Direction#BIDIRECTIONAL}, backwards: steps len_b−1 … 0 of sequence b, starting at the
 * sequence's own last valid step (PyTorch packed semantics), so its output at step t is its state
 * after reading steps len_b−1 … t. The layer output at (t, b) merges the units' outputs:
 * {@link MergeMode#CONCAT} puts [forward, reverse] side by side (width D·P), {@link MergeMode#SUM}
 * adds them (width P); its width is {@link #outputSize()}. Layer {@code l > 0} reads layer
 * {@code l−1}'s merged output, multiplied element-wise by an optional caller-supplied dropout mask;
 * the network's output is the last layer's merged output.
 *
 * <h2>Parameters</h2>
 * Per unit (suffix {@code sfx} = {@code l} for a forward unit of layer l, {@code l_reverse} for a
 * reversed one; G = {@link CellType#gates()}, {@code in_0 = I}, {@code in_l = outputSize()} above),
 * in this order:
 * <pre>
 *   weight_ih_l{sfx}        (G·H, in_l)
 *   weight_hh_l{sfx}        (G·H, P)
 *   bias_ih_l{sfx}          (G·H)
 *   bias_hh_l{sfx}          (G·H)
 *   weight_hr_l{sfx}        (P, H)     projected LSTM only
 *   weight_peephole_l{sfx}  (3H)       peephole LSTM only, blocks [p_i, p_f, p_o]
 * </pre>
 * units in order u = 0, 1, … (layer by layer, forward before reverse): PyTorch's
 * {@code state_dict()} order and the names and shapes of {@code org.rnn4j.cell.RnnWeights}. Each
 * parameter is a row-major {@code double[]}: element (r, c) of {@code weight_ih_l0} is at
 * {@code r·I + c}. Gate blocks are stacked in PyTorch order, so block {@code k}'s rows are
 * {@code k·H .. k·H+H−1}.
 *
 * <h2>Layouts and variable lengths</h2>
 * Sequence tensors are seq-first (T, B, ·) row-major: element (t, b, j) of an (T, B, N) array is at
 * {@code (t·B + b)·N + j}. Input (T, B, I), output (T, B, {@link #outputSize()}), h0 and h_n
 * (L·D, B, P), c0 and c_n (L·D, B, H); entry {@code u·B + b} of a state array is unit u's state of
 * sequence b. Lengths follow PyTorch's packed sequences: at steps {@code t >= lengths[b]} sequence
 * {@code b} is inactive, its output is 0, no unit reads its input there (it may hold garbage, NaN
 * included) and it receives exactly 0 gradient; {@code h_n} (and {@code c_n}) of sequence {@code b}
 * is each unit's state after its last step (step {@code lengths[b]−1} forward, step 0 reversed),
 * or {@code h0} when the length is 0.
 *
 * <p>Not thread-safe: the parameters are live arrays that callers write (and that
 * {@link GradientCheck} perturbs in place). A {@link Forward} holds its own snapshot of the
 * parameters and inputs, so it can be back-propagated after the parameters changed; the arrays its
 * accessors return are its own (not copies): treat them as read-only, and do not share one
 * {@code Forward} between threads.
 *
 * <p><b>Why one long file.</b> An oracle should be read and trusted on its own: it shares no code with
 * the engine and is laid out cell by cell, each forward followed by its backward, so a reviewer checks
 * one cell's derivation against docs/cells.md without leaving the file.
 */
public final class ReferenceRnn {
    private final RnnSpec spec;
    private final CellType cell;
    private final int inputSize;
    private final int hiddenSize;
    private final int numLayers;
    private final int stateSize;
    private final int numDirections;
    private final int outputSize;
    private final Map<String, double[]> params = new LinkedHashMap<>();
    private final Map<String, int[]> shapes = new LinkedHashMap<>();

    /**
     * A forward, unprojected, plain-cell network with all parameters 0 (see
     * {@link #initUniform(long, double)}); the same as {@code new ReferenceRnn(RnnSpec.builder(cell,
     * inputSize, hiddenSize).numLayers(numLayers).build())}.
     *
     * @param cell the cell type; not null
     * @param inputSize I, {@code >= 1}
     * @param hiddenSize H, {@code >= 1}
     * @param numLayers L, {@code >= 1}
     * @throws IllegalArgumentException on a bad argument (the message names it and its value)
     */
    public ReferenceRnn(CellType cell, int inputSize, int hiddenSize, int numLayers) {
        // Same validation and messages as the rest of the library.
        this(RnnSpec.builder(cell, inputSize, hiddenSize).numLayers(numLayers).build());
    }

    /**
     * The network described by {@code spec}, every option honoured (direction, merge, projection,
     * peepholes, GRU reset-before), all parameters 0. {@link RnnSpec#dropout()} and
     * {@link RnnSpec#batchFirst()} are ignored: dropout masks are passed to {@link #forward}
     * explicitly and this class is always seq-first. The spec was validated when it was built
     * (bad combinations throw there, naming the field).
     *
     * @param spec the shape; not null; immutable, kept
     * @throws IllegalArgumentException if {@code spec} is null
     */
    public ReferenceRnn(RnnSpec spec) {
        if (spec == null) {
            throw new IllegalArgumentException("spec must not be null");
        }
        this.spec = spec;
        this.cell = spec.cell();
        this.inputSize = spec.inputSize();
        this.hiddenSize = spec.hiddenSize();
        this.numLayers = spec.numLayers();
        // Derived here from the fields rather than through RnnSpec's helpers: P, D and the output
        // width are the definitions this oracle checks others against.
        this.stateSize = spec.projSize() > 0 ? spec.projSize() : hiddenSize;
        this.numDirections = spec.direction() == Direction.BIDIRECTIONAL ? 2 : 1;
        this.outputSize = spec.merge() == MergeMode.CONCAT ? numDirections * stateSize : stateSize;
        int rows = cell.gates() * hiddenSize;
        for (int l = 0; l < numLayers; l++) {
            int in = l == 0 ? inputSize : outputSize;
            for (int d = 0; d < numDirections; d++) {
                String sfx = suffix(l, d);
                add("weight_ih_l" + sfx, rows, in);
                add("weight_hh_l" + sfx, rows, stateSize);
                add("bias_ih_l" + sfx, rows);
                add("bias_hh_l" + sfx, rows);
                if (spec.projSize() > 0) {
                    add("weight_hr_l" + sfx, stateSize, hiddenSize);
                }
                if (spec.peephole()) {
                    add("weight_peephole_l" + sfx, 3 * hiddenSize);
                }
            }
        }
    }

    /** Whether direction index d of a layer reads its sequence backwards. */
    private boolean reversed(int d) {
        return spec.direction() == Direction.REVERSE || d == 1;
    }

    /** The name suffix of unit (l, d): "l" or "l_reverse". */
    private String suffix(int l, int d) {
        return l + (reversed(d) ? "_reverse" : "");
    }

    private void add(String name, int... shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        params.put(name, new double[Math.toIntExact(n)]);
        shapes.put(name, shape.clone());
    }

    /**
     * The network described by {@code spec}: {@link #ReferenceRnn(RnnSpec)}.
     *
     * @param spec the shape; not null
     * @return a new network, all parameters 0
     * @throws IllegalArgumentException if {@code spec} is null
     */
    public static ReferenceRnn of(RnnSpec spec) {
        return new ReferenceRnn(spec);
    }

    /**
     * @return the spec this network was built from (immutable; its dropout and batchFirst are not
     *         used by this class)
     */
    public RnnSpec spec() {
        return spec;
    }

    /** @return the cell type */
    public CellType cell() {
        return cell;
    }

    /** @return I, the input feature size of layer 0 */
    public int inputSize() {
        return inputSize;
    }

    /** @return H, the width of each gate block and of the LSTM cell state c */
    public int hiddenSize() {
        return hiddenSize;
    }

    /** @return L, the number of stacked layers */
    public int numLayers() {
        return numLayers;
    }

    /** @return P, the width of h: the projection size of a projected LSTM, else H */
    public int stateSize() {
        return stateSize;
    }

    /** @return D, the number of directions per layer: 2 for a bidirectional network, else 1 */
    public int numDirections() {
        return numDirections;
    }

    /**
     * @return the width of every layer's output and of the network output: D·P under
     *         {@link MergeMode#CONCAT}, P under {@link MergeMode#SUM}; layers above 0 read this many
     *         features
     */
    public int outputSize() {
        return outputSize;
    }

    /**
     * The parameter names in PyTorch {@code state_dict()} order: per layer, per direction (forward
     * first), {@code weight_ih, weight_hh, bias_ih, bias_hh}, then {@code weight_hr} (projected
     * LSTM) and {@code weight_peephole} (peephole LSTM); e.g. {@code weight_ih_l0, weight_hh_l0,
     * bias_ih_l0, bias_hh_l0, weight_ih_l0_reverse, …, weight_ih_l1, …}.
     *
     * @return an unmodifiable list of L·D·(4 + [projected] + [peephole]) names
     */
    public List<String> parameterNames() {
        return Collections.unmodifiableList(new ArrayList<>(params.keySet()));
    }

    /**
     * The live parameter array, row-major with the shape {@link #shape(String)}. It is owned by this
     * object; callers may read and write it (that is how weights are loaded), and every later
     * {@link #forward} uses the values it holds then.
     *
     * @param name a name from {@link #parameterNames()}
     * @return the array itself, not a copy
     * @throws IllegalArgumentException for an unknown name
     */
    public double[] parameter(String name) {
        double[] p = params.get(name);
        if (p == null) {
            throw new IllegalArgumentException("parameter name must be one of " + params.keySet()
                    + ", got '" + name + "'");
        }
        return p;
    }

    /**
     * The shape of a parameter: {@code {G·H, in_l}} for {@code weight_ih}, {@code {G·H, P}} for
     * {@code weight_hh}, {@code {G·H}} for biases, {@code {P, H}} for {@code weight_hr},
     * {@code {3H}} for {@code weight_peephole}.
     *
     * @param name a name from {@link #parameterNames()}
     * @return a fresh copy of the shape, owned by the caller
     * @throws IllegalArgumentException for an unknown name
     */
    public int[] shape(String name) {
        parameter(name);
        return shapes.get(name).clone();
    }

    /**
     * Copies values into a parameter.
     *
     * @param name a name from {@link #parameterNames()}
     * @param values row-major values, length = product of {@link #shape(String)}; copied, still
     *               owned by the caller
     * @throws IllegalArgumentException for an unknown name, a null array or a wrong length
     */
    public void setParameter(String name, double[] values) {
        double[] p = parameter(name);
        checkLength(name, values, p.length);
        System.arraycopy(values, 0, p, 0, p.length);
    }

    /**
     * Copies float values into a parameter, widened exactly to double (for loading the weights of a
     * float engine or a float32 golden file).
     *
     * @param name a name from {@link #parameterNames()}
     * @param values row-major values, length = product of {@link #shape(String)}; still owned by
     *               the caller
     * @throws IllegalArgumentException for an unknown name, a null array or a wrong length
     */
    public void setParameter(String name, float[] values) {
        double[] p = parameter(name);
        if (values == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (values.length != p.length) {
            throw new IllegalArgumentException(name + ".length must be " + p.length + " (shape "
                    + Arrays.toString(shapes.get(name)) + "), got " + values.length);
        }
        for (int k = 0; k < p.length; k++) {
            p[k] = values[k];
        }
    }

    /** @return the total number of parameter elements, Σ over {@link #parameterNames()} */
    public long parameterCount() {
        long n = 0;
        for (double[] p : params.values()) {
            n += p.length;
        }
        return n;
    }

    /**
     * Sets every parameter to an independent draw from U(−bound, bound), deterministically: the
     * same seed and bound give the same bits on every JVM. Parameters are filled in
     * {@link #parameterNames()} order from one {@link SplittableRandom}.
     *
     * @param seed the seed
     * @param bound the half-width, finite and {@code >= 0} (PyTorch's default is 1/√H)
     * @throws IllegalArgumentException if {@code bound} is negative or not finite
     */
    public void initUniform(long seed, double bound) {
        if (!(bound >= 0 && bound < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("bound must be finite and >= 0, got " + bound);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        for (double[] p : params.values()) {
            for (int k = 0; k < p.length; k++) {
                p[k] = bound * (2 * rnd.nextDouble() - 1);
            }
        }
    }

    /**
     * {@link #initUniform(long, double)} with PyTorch's default bound 1/√H (H, also for a projected
     * LSTM, as PyTorch).
     *
     * @param seed the seed
     */
    public void initUniform(long seed) {
        initUniform(seed, 1 / Math.sqrt(hiddenSize));
    }

    // ================================================================== forward

    /**
     * {@link #forward(double[], int, int, int[], double[], double[], double[][])} with full
     * lengths, zero initial states and no dropout.
     *
     * @param input (T, B, I), not null; read, not kept
     * @param seqLen T, {@code >= 0}
     * @param batch B, {@code >= 0}
     * @return the forward result, owned by the caller
     * @throws IllegalArgumentException on a bad argument
     */
    public Forward forward(double[] input, int seqLen, int batch) {
        return forward(input, seqLen, batch, null, null, null, null);
    }

    /**
     * Runs the network over a batch of sequences.
     *
     * <p>Every array argument is read during the call and not kept (the result holds copies of what
     * backward needs), and none is written.
     *
     * @param input (T, B, I) seq-first; not null. Elements at inactive positions
     *              ({@code t >= lengths[b]}) are never read
     * @param seqLen T, {@code >= 0}
     * @param batch B, {@code >= 0}
     * @param lengths B lengths, each in [0, T], in any order; null = all T
     * @param h0 (L·D, B, P) initial hidden states, entry {@code layer·D + direction}; null = zeros
     * @param c0 (L·D, B, H) initial cell states, LSTM only (must be null otherwise); null = zeros
     * @param dropoutMasks null (no dropout), or L−1 entries where entry {@code l} is null or a
     *                     (T, B, {@link #outputSize()}) array of multipliers applied to layer
     *                     {@code l}'s merged output before layer {@code l+1} reads it (typically 0
     *                     or 1/(1−p)); inactive positions are not read
     * @return the outputs and what {@link #backward} needs, owned by the caller
     * @throws IllegalArgumentException naming the first bad argument, what was expected and what
     *                                  was given
     */
    public Forward forward(double[] input, int seqLen, int batch, int[] lengths, double[] h0, double[] c0,
                           double[][] dropoutMasks) {
        if (seqLen < 0) {
            throw new IllegalArgumentException("seqLen must be >= 0, got " + seqLen);
        }
        if (batch < 0) {
            throw new IllegalArgumentException("batch must be >= 0, got " + batch);
        }
        final int T = seqLen;
        final int B = batch;
        final int H = hiddenSize;
        final int P = stateSize;
        final int D = numDirections;
        final int O = outputSize;
        final int L = numLayers;
        final int U = L * D;
        checkLength("input", input, (long) T * B * inputSize, "(T, B, I) = (" + T + ", " + B + ", " + inputSize + ")");
        int[] len = checkLengths(lengths, T, B);
        if (h0 != null) {
            checkLength("h0", h0, (long) U * B * P, stateShape(B, P, "P"));
        }
        if (c0 != null) {
            if (!cell.hasCellState()) {
                throw new IllegalArgumentException("c0 must be null for cell " + cell.id()
                        + " (no cell state), got an array of length " + c0.length);
            }
            checkLength("c0", c0, (long) U * B * H, stateShape(B, H, "H"));
        }
        double[][] masks = new double[Math.max(L - 1, 0)][];
        if (dropoutMasks != null) {
            if (dropoutMasks.length != L - 1) {
                throw new IllegalArgumentException("dropoutMasks.length must be numLayers − 1 = " + (L - 1)
                        + ", got " + dropoutMasks.length);
            }
            for (int l = 0; l < L - 1; l++) {
                if (dropoutMasks[l] != null) {
                    checkLength("dropoutMasks[" + l + "]", dropoutMasks[l], (long) T * B * O,
                            "(T, B, outputSize) = (" + T + ", " + B + ", " + O + ")");
                    masks[l] = dropoutMasks[l].clone();
                }
            }
        }

        Weights[] weights = new Weights[U];
        Step[][][] steps = new Step[U][T][B];
        double[][] unitOutputs = new double[U][T * B * P];
        double[][] layerOutputs = new double[L][T * B * O];
        double[] hN = new double[U * B * P];
        double[] cN = cell.hasCellState() ? new double[U * B * H] : null;

        for (int l = 0; l < L; l++) {
            int in = l == 0 ? inputSize : O;
            for (int d = 0; d < D; d++) {
                int u = l * D + d;
                Weights w = snapshot(l, d);
                weights[u] = w;
                boolean rev = reversed(d);
                for (int b = 0; b < B; b++) {
                    double[] h = h0 == null ? new double[P]
                            : Arrays.copyOfRange(h0, (u * B + b) * P, (u * B + b + 1) * P);
                    double[] c = !cell.hasCellState() ? null
                            : c0 == null ? new double[H] : Arrays.copyOfRange(c0, (u * B + b) * H, (u * B + b + 1) * H);
                    // Only the active steps t < len[b] are visited: in order 0 … len−1 forward,
                    // len−1 … 0 reversed (the sequence's own last step first, never T−1).
                    for (int k = 0; k < len[b]; k++) {
                        int t = rev ? len[b] - 1 - k : k;
                        double[] x = new double[in];
                        for (int j = 0; j < in; j++) {
                            x[j] = l == 0 ? input[(t * B + b) * in + j]
                                    : layerOutputs[l - 1][(t * B + b) * O + j]
                                            * (masks[l - 1] == null ? 1.0 : masks[l - 1][(t * B + b) * O + j]);
                        }
                        Step s = cellForward(w, x, h, c);
                        steps[u][t][b] = s;
                        h = s.h;
                        c = s.c;
                        System.arraycopy(h, 0, unitOutputs[u], (t * B + b) * P, P);
                    }
                    System.arraycopy(h, 0, hN, (u * B + b) * P, P);
                    if (cN != null) {
                        System.arraycopy(c, 0, cN, (u * B + b) * H, H);
                    }
                }
            }
            // CONCAT: out[t, b] = [y_0[t, b], y_1[t, b]]      SUM: out[t, b] = y_0[t, b] + y_1[t, b]
            double[] out = layerOutputs[l];
            for (int b = 0; b < B; b++) {
                for (int t = 0; t < len[b]; t++) {
                    for (int d = 0; d < D; d++) {
                        int off = mergeOffset(d);
                        for (int j = 0; j < P; j++) {
                            out[(t * B + b) * O + off + j] += unitOutputs[l * D + d][(t * B + b) * P + j];
                        }
                    }
                }
            }
        }
        return new Forward(this, T, B, len, weights, steps, masks, unitOutputs, layerOutputs, hN, cN);
    }

    /** Where direction d's P features sit in a merged output row: d·P under CONCAT, 0 under SUM. */
    private int mergeOffset(int d) {
        return spec.merge() == MergeMode.CONCAT ? d * stateSize : 0;
    }

    private String stateShape(int B, int width, String widthName) {
        return "(L·D, B, " + widthName + ") = (" + numLayers * numDirections + ", " + B + ", " + width + ")";
    }

    private Weights snapshot(int l, int d) {
        String sfx = suffix(l, d);
        return new Weights(l == 0 ? inputSize : outputSize,
                params.get("weight_ih_l" + sfx).clone(), params.get("weight_hh_l" + sfx).clone(),
                params.get("bias_ih_l" + sfx).clone(), params.get("bias_hh_l" + sfx).clone(),
                spec.projSize() > 0 ? params.get("weight_hr_l" + sfx).clone() : null,
                spec.peephole() ? params.get("weight_peephole_l" + sfx).clone() : null);
    }

    /** One unit's parameters, copied at forward time. */
    private static final class Weights {
        final int in;
        final double[] wIh;
        final double[] wHh;
        final double[] bIh;
        final double[] bHh;
        /** LSTM projection W_hr (P, H), or null. */
        final double[] wHr;
        /** LSTM peephole weights (3H) = [p_i, p_f, p_o], or null. */
        final double[] peep;

        Weights(int in, double[] wIh, double[] wHh, double[] bIh, double[] bHh, double[] wHr, double[] peep) {
            this.in = in;
            this.wIh = wIh;
            this.wHh = wHh;
            this.bIh = bIh;
            this.bHh = bHh;
            this.wHr = wHr;
            this.peep = peep;
        }
    }

    /** Everything one active cell step of one sequence computed; backward reads it. */
    private static final class Step {
        /** The step's input (already masked) and previous state (h_prev has P elements, c_prev H). */
        double[] x;
        double[] hPrev;
        double[] cPrev;
        /**
         * The full arguments of the gate activations (G·H): LSTM peephole terms included, and for
         * the GRU's n block the whole argument of its tanh.
         */
        double[] pre;
        /** Activated gates (G·H): RNN h; LSTM i, f, g, o; GRU r, z, n. */
        double[] act;
        /**
         * GRU: the recurrent term of n, W_hn·h_prev + b_hn (reset after: r multiplies it) or
         * W_hn·(r⊙h_prev) + b_hn (reset before).
         */
        double[] hn;
        /** GRU reset-before only: r⊙h_prev, the vector W_hn multiplies. */
        double[] rh;
        /** LSTM only: c, tanh(c) and m = o⊙tanh(c) (= h without projection). */
        double[] c;
        double[] tanhC;
        double[] m;
        /** The new hidden state (P). */
        double[] h;
    }

    private Step cellForward(Weights w, double[] x, double[] hPrev, double[] cPrev) {
        switch (cell) {
            case RNN_TANH:
                return rnnForward(false, w, x, hPrev);
            case RNN_RELU:
                return rnnForward(true, w, x, hPrev);
            case LSTM:
                return lstmForward(w, x, hPrev, cPrev);
            case GRU:
                return spec.resetBefore() ? gruResetBeforeForward(w, x, hPrev) : gruForward(w, x, hPrev);
            default:
                throw new AssertionError(cell);
        }
    }

    // ================================================================== backward

    /**
     * Back-propagation through time of the scalar loss whose gradients with respect to the outputs
     * of {@code fwd} are the three upstream arrays. Exact derivatives of the forward pass in double
     * (with relu'(0) = 0, as PyTorch), computed from the parameter values {@code fwd} was run with.
     *
     * <p>None of the arguments is written or kept.
     *
     * @param fwd a result of this object's {@link #forward}; not null
     * @param gradOutput ∂loss/∂output, (T, B, {@link #outputSize()}); null = zeros. Inactive
     *                   positions are ignored (not read: they may hold NaN)
     * @param gradHN ∂loss/∂h_n, (L·D, B, P); null = zeros
     * @param gradCN ∂loss/∂c_n, (L·D, B, H), LSTM only (must be null otherwise); null = zeros
     * @return the gradients, owned by the caller
     * @throws IllegalArgumentException naming the first bad argument
     */
    public Gradients backward(Forward fwd, double[] gradOutput, double[] gradHN, double[] gradCN) {
        if (fwd == null) {
            throw new IllegalArgumentException("fwd must not be null");
        }
        if (fwd.owner != this) {
            throw new IllegalArgumentException("fwd must come from this ReferenceRnn's forward, got one from "
                    + "another instance");
        }
        final int T = fwd.seqLen;
        final int B = fwd.batch;
        final int H = hiddenSize;
        final int P = stateSize;
        final int D = numDirections;
        final int O = outputSize;
        final int L = numLayers;
        final int U = L * D;
        final int[] len = fwd.lengths;
        if (gradOutput != null) {
            checkLength("gradOutput", gradOutput, (long) T * B * O,
                    "(T, B, outputSize) = (" + T + ", " + B + ", " + O + ")");
        }
        if (gradHN != null) {
            checkLength("gradHN", gradHN, (long) U * B * P, stateShape(B, P, "P"));
        }
        if (gradCN != null) {
            if (!cell.hasCellState()) {
                throw new IllegalArgumentException("gradCN must be null for cell " + cell.id()
                        + " (no cell state), got an array of length " + gradCN.length);
            }
            checkLength("gradCN", gradCN, (long) U * B * H, stateShape(B, H, "H"));
        }

        Map<String, double[]> grads = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : params.entrySet()) {
            grads.put(e.getKey(), new double[e.getValue().length]);
        }
        double[] gradH0 = new double[U * B * P];
        double[] gradC0 = cell.hasCellState() ? new double[U * B * H] : null;
        double[] gradInput = null;

        // ∂loss/∂(layer l's merged output) at active positions; starts as the upstream gradient.
        double[] dOut = new double[T * B * O];
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < len[b]; t++) {
                for (int j = 0; j < O; j++) {
                    int k = (t * B + b) * O + j;
                    dOut[k] = gradOutput == null ? 0 : gradOutput[k];
                }
            }
        }

        for (int l = L - 1; l >= 0; l--) {
            int in = l == 0 ? inputSize : O;
            // Every unit of the layer reads the same input, so their input gradients add up.
            double[] dIn = new double[T * B * in];
            for (int d = 0; d < D; d++) {
                int u = l * D + d;
                Weights w = fwd.weights[u];
                String sfx = suffix(l, d);
                LayerGrads g = new LayerGrads(grads.get("weight_ih_l" + sfx), grads.get("weight_hh_l" + sfx),
                        grads.get("bias_ih_l" + sfx), grads.get("bias_hh_l" + sfx), grads.get("weight_hr_l" + sfx),
                        grads.get("weight_peephole_l" + sfx));
                boolean rev = reversed(d);
                int off = mergeOffset(d);
                for (int b = 0; b < B; b++) {
                    // forward: h_n = h after the unit's last step (t = len−1 forward, t = 0 reversed)
                    // backward: so ∂h_n flows straight into that step.
                    double[] dh = gradHN == null ? new double[P]
                            : Arrays.copyOfRange(gradHN, (u * B + b) * P, (u * B + b + 1) * P);
                    double[] dc = !cell.hasCellState() ? null
                            : gradCN == null ? new double[H]
                            : Arrays.copyOfRange(gradCN, (u * B + b) * H, (u * B + b + 1) * H);
                    // The steps in the opposite order to the forward pass's visit.
                    for (int k = len[b] - 1; k >= 0; k--) {
                        int t = rev ? len[b] - 1 - k : k;
                        Step s = fwd.steps[u][t][b];
                        // forward: the step's h is the unit's output at t (merged: CONCAT puts it at
                        // features off … off+P−1, SUM adds it to features 0 … P−1) and the next
                        // step's h_prev; backward: its gradient is the sum of both uses.
                        double[] dhTotal = new double[P];
                        for (int j = 0; j < P; j++) {
                            dhTotal[j] = dh[j] + dOut[(t * B + b) * O + off + j];
                        }
                        CellGrads cg = cellBackward(w, s, dhTotal, dc, g);
                        dh = cg.dhPrev;
                        dc = cg.dcPrev;
                        for (int j = 0; j < in; j++) {
                            dIn[(t * B + b) * in + j] += cg.dx[j];
                        }
                    }
                    System.arraycopy(dh, 0, gradH0, (u * B + b) * P, P);
                    if (gradC0 != null) {
                        System.arraycopy(dc, 0, gradC0, (u * B + b) * H, H);
                    }
                }
            }
            if (l == 0) {
                gradInput = dIn;
            } else {
                // forward: x_l = out_{l−1} ⊙ mask_{l−1}
                // backward: d out_{l−1} = dx_l ⊙ mask_{l−1}   (active positions only; dIn is 0 elsewhere)
                double[] mask = fwd.masks[l - 1];
                dOut = new double[T * B * O];
                for (int b = 0; b < B; b++) {
                    for (int t = 0; t < len[b]; t++) {
                        for (int j = 0; j < O; j++) {
                            int k = (t * B + b) * O + j;
                            dOut[k] = mask == null ? dIn[k] : dIn[k] * mask[k];
                        }
                    }
                }
            }
        }
        return new Gradients(grads, gradInput, gradH0, gradC0);
    }

    private CellGrads cellBackward(Weights w, Step s, double[] dh, double[] dc, LayerGrads g) {
        switch (cell) {
            case RNN_TANH:
                return rnnBackward(false, w, s, dh, g);
            case RNN_RELU:
                return rnnBackward(true, w, s, dh, g);
            case LSTM:
                return lstmBackward(w, s, dh, dc, g);
            case GRU:
                return spec.resetBefore() ? gruResetBeforeBackward(w, s, dh, g) : gruBackward(w, s, dh, g);
            default:
                throw new AssertionError(cell);
        }
    }

    /** The gradient accumulators of one unit's parameters (dWhr and dPeep null when absent). */
    private static final class LayerGrads {
        final double[] dWih;
        final double[] dWhh;
        final double[] dbIh;
        final double[] dbHh;
        final double[] dWhr;
        final double[] dPeep;

        LayerGrads(double[] dWih, double[] dWhh, double[] dbIh, double[] dbHh, double[] dWhr, double[] dPeep) {
            this.dWih = dWih;
            this.dWhh = dWhh;
            this.dbIh = dbIh;
            this.dbHh = dbHh;
            this.dWhr = dWhr;
            this.dPeep = dPeep;
        }
    }

    /** What one cell backward returns: gradients with respect to the step's inputs. */
    private static final class CellGrads {
        final double[] dx;
        final double[] dhPrev;
        final double[] dcPrev;

        CellGrads(double[] dx, double[] dhPrev, double[] dcPrev) {
            this.dx = dx;
            this.dhPrev = dhPrev;
            this.dcPrev = dcPrev;
        }
    }

    // ================================================================== the cells, each forward then its backward

    /**
     * a = W[r0 : r0+rows]·v + b[r0 : r0+rows] for W (·, v.length) row-major; b null = no bias.
     */
    private static double[] affineRows(double[] w, double[] b, double[] v, int r0, int rows) {
        int cols = v.length;
        double[] a = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int k = 0; k < cols; k++) {
                s += w[(r0 + r) * cols + k] * v[k];
            }
            a[r] = s + (b == null ? 0 : b[r0 + r]);
        }
        return a;
    }

    /**
     * forward: a = W[r0 : r0+rows]·v + b[r0 : r0+rows],  rows = da.length
     * backward: dW[r0 …] += da ⊗ v,  db[r0 …] += da (db null = no bias),  dv = W[r0 …]ᵀ·da  (returned)
     */
    private static double[] affineRowsBackward(double[] w, double[] v, double[] da, double[] dW, double[] db,
                                               int r0) {
        int cols = v.length;
        double[] dv = new double[cols];
        for (int r = 0; r < da.length; r++) {
            if (db != null) {
                db[r0 + r] += da[r];
            }
            for (int k = 0; k < cols; k++) {
                dW[(r0 + r) * cols + k] += da[r] * v[k];
                dv[k] += w[(r0 + r) * cols + k] * da[r];
            }
        }
        return dv;
    }

    /** a = W·v + b for W (rows, v.length) row-major. */
    private static double[] affine(double[] w, double[] b, double[] v, int rows) {
        return affineRows(w, b, v, 0, rows);
    }

    /**
     * forward: a = W·v + b
     * backward: dW += da ⊗ v,  db += da,  dv = Wᵀ·da  (returned)
     */
    private static double[] affineBackward(double[] w, double[] v, double[] da, double[] dW, double[] db) {
        return affineRowsBackward(w, v, da, dW, db, 0);
    }

    private static double sigmoid(double a) {
        return 1 / (1 + Math.exp(-a));
    }

    // ------------------------------------------------------------------ vanilla RNN

    private Step rnnForward(boolean relu, Weights w, double[] x, double[] hPrev) {
        int H = hiddenSize;
        Step s = new Step();
        s.x = x;
        s.hPrev = hPrev;
        double[] aIh = affine(w.wIh, w.bIh, x, H);
        double[] aHh = affine(w.wHh, w.bHh, hPrev, H);
        s.pre = new double[H];
        s.h = new double[H];
        for (int j = 0; j < H; j++) {
            // a = W_ih·x + b_ih + W_hh·h_prev + b_hh
            s.pre[j] = aIh[j] + aHh[j];
            // h = tanh(a)  or  h = relu(a) = max(a, 0)
            s.h[j] = relu ? (s.pre[j] > 0 ? s.pre[j] : 0.0) : Math.tanh(s.pre[j]);
        }
        s.act = s.h;
        return s;
    }

    private CellGrads rnnBackward(boolean relu, Weights w, Step s, double[] dh, LayerGrads g) {
        int H = hiddenSize;
        double[] da = new double[H];
        for (int j = 0; j < H; j++) {
            // forward: h = tanh(a)          backward: da = dh·(1 − h²)
            // forward: h = relu(a)          backward: da = dh·[a > 0]   (0 at a = 0, as PyTorch)
            da[j] = relu ? (s.pre[j] > 0 ? dh[j] : 0.0) : dh[j] * (1 - s.h[j] * s.h[j]);
        }
        // forward: a = (W_ih·x + b_ih) + (W_hh·h_prev + b_hh); both affine maps see the same da.
        double[] dx = affineBackward(w.wIh, s.x, da, g.dWih, g.dbIh);
        double[] dhPrev = affineBackward(w.wHh, s.hPrev, da, g.dWhh, g.dbHh);
        return new CellGrads(dx, dhPrev, null);
    }

    // ------------------------------------------------------------------ LSTM, with optional peepholes and projection

    private Step lstmForward(Weights w, double[] x, double[] hPrev, double[] cPrev) {
        int H = hiddenSize;
        double[] p = w.peep;
        Step s = new Step();
        s.x = x;
        s.hPrev = hPrev;
        s.cPrev = cPrev;
        // a_k = W_ik·x + b_ik + W_hk·h_prev + b_hk      (W_hh is (4H, P): h_prev has P elements)
        double[] aIh = affine(w.wIh, w.bIh, x, 4 * H);
        double[] aHh = affine(w.wHh, w.bHh, hPrev, 4 * H);
        s.pre = new double[4 * H];
        s.act = new double[4 * H];
        s.c = new double[H];
        s.tanhC = new double[H];
        s.m = new double[H];
        for (int j = 0; j < H; j++) {
            for (int k = 0; k < 4; k++) {
                s.pre[k * H + j] = aIh[k * H + j] + aHh[k * H + j];
            }
            if (p != null) {
                // peephole: i and f see the old cell state
                s.pre[j] += p[j] * cPrev[j];
                s.pre[H + j] += p[H + j] * cPrev[j];
            }
            // i = σ(a_i [+ p_i⊙c_prev])
            double i = sigmoid(s.pre[j]);
            // f = σ(a_f [+ p_f⊙c_prev])
            double f = sigmoid(s.pre[H + j]);
            // g = tanh(a_g)
            double g = Math.tanh(s.pre[2 * H + j]);
            // c = f⊙c_prev + i⊙g
            double c = f * cPrev[j] + i * g;
            if (p != null) {
                // peephole: o sees the new cell state (ONNX / Gers)
                s.pre[3 * H + j] += p[2 * H + j] * c;
            }
            // o = σ(a_o [+ p_o⊙c])
            double o = sigmoid(s.pre[3 * H + j]);
            // m = o⊙tanh(c)
            double tc = Math.tanh(c);
            s.act[j] = i;
            s.act[H + j] = f;
            s.act[2 * H + j] = g;
            s.act[3 * H + j] = o;
            s.c[j] = c;
            s.tanhC[j] = tc;
            s.m[j] = o * tc;
        }
        // h = W_hr·m (P)  with a projection,  h = m otherwise
        s.h = w.wHr == null ? s.m : affineRows(w.wHr, null, s.m, 0, stateSize);
        return s;
    }

    private CellGrads lstmBackward(Weights w, Step s, double[] dh, double[] dc, LayerGrads g) {
        int H = hiddenSize;
        double[] p = w.peep;
        // forward: h = W_hr·m
        // backward: dW_hr += dh ⊗ m,  dm = W_hrᵀ·dh      (no projection: dm = dh)
        double[] dm = w.wHr == null ? dh : affineRowsBackward(w.wHr, s.m, dh, g.dWhr, null, 0);
        double[] da = new double[4 * H];
        double[] dcPrev = new double[H];
        for (int j = 0; j < H; j++) {
            double i = s.act[j];
            double f = s.act[H + j];
            double gg = s.act[2 * H + j];
            double o = s.act[3 * H + j];
            double tc = s.tanhC[j];
            double cPrev = s.cPrev[j];
            // forward: m = o·tanh(c)
            // backward: do = dm·tanh(c),  dc_total = dc + dm·o·(1 − tanh²(c))
            double dO = dm[j] * tc;
            double dcTotal = dc[j] + dm[j] * o * (1 - tc * tc);
            // forward: o = σ(a_o [+ p_o·c])
            // backward: da_o = do·o·(1 − o);  peephole: dp_o += da_o·c,  dc_total += da_o·p_o
            double daO = dO * o * (1 - o);
            if (p != null) {
                g.dPeep[2 * H + j] += daO * s.c[j];
                dcTotal += daO * p[2 * H + j];
            }
            // forward: c = f·c_prev + i·g
            // backward: df = dc·c_prev,  dc_prev = dc·f,  di = dc·g,  dg = dc·i
            double dF = dcTotal * cPrev;
            dcPrev[j] = dcTotal * f;
            double dI = dcTotal * gg;
            double dG = dcTotal * i;
            // forward: i = σ(a_i [+ p_i·c_prev]),  f = σ(a_f [+ p_f·c_prev]),  g = tanh(a_g)
            // backward: da_i = di·i·(1 − i),  da_f = df·f·(1 − f),  da_g = dg·(1 − g²)
            double daI = dI * i * (1 - i);
            double daF = dF * f * (1 - f);
            // peephole backward: dp_i += da_i·c_prev,  dp_f += da_f·c_prev,  dc_prev += da_i·p_i + da_f·p_f
            if (p != null) {
                g.dPeep[j] += daI * cPrev;
                g.dPeep[H + j] += daF * cPrev;
                dcPrev[j] += daI * p[j] + daF * p[H + j];
            }
            da[j] = daI;
            da[H + j] = daF;
            da[2 * H + j] = dG * (1 - gg * gg);
            da[3 * H + j] = daO;
        }
        // forward: a = (W_ih·x + b_ih) + (W_hh·h_prev + b_hh); both affine maps see the same da.
        double[] dx = affineBackward(w.wIh, s.x, da, g.dWih, g.dbIh);
        double[] dhPrev = affineBackward(w.wHh, s.hPrev, da, g.dWhh, g.dbHh);
        return new CellGrads(dx, dhPrev, dcPrev);
    }

    // ------------------------------------------------------------------ GRU, PyTorch ("reset after")

    private Step gruForward(Weights w, double[] x, double[] hPrev) {
        int H = hiddenSize;
        Step s = new Step();
        s.x = x;
        s.hPrev = hPrev;
        double[] aIh = affine(w.wIh, w.bIh, x, 3 * H);
        double[] aHh = affine(w.wHh, w.bHh, hPrev, 3 * H);
        s.pre = new double[3 * H];
        s.act = new double[3 * H];
        s.hn = new double[H];
        s.h = new double[H];
        for (int j = 0; j < H; j++) {
            // r = σ(W_ir·x + b_ir + W_hr·h_prev + b_hr)
            s.pre[j] = aIh[j] + aHh[j];
            double r = sigmoid(s.pre[j]);
            // z = σ(W_iz·x + b_iz + W_hz·h_prev + b_hz)
            s.pre[H + j] = aIh[H + j] + aHh[H + j];
            double z = sigmoid(s.pre[H + j]);
            // n = tanh(W_in·x + b_in + r⊙(W_hn·h_prev + b_hn))
            double hn = aHh[2 * H + j];
            s.pre[2 * H + j] = aIh[2 * H + j] + r * hn;
            double n = Math.tanh(s.pre[2 * H + j]);
            // h = (1−z)⊙n + z⊙h_prev
            s.h[j] = (1 - z) * n + z * hPrev[j];
            s.act[j] = r;
            s.act[H + j] = z;
            s.act[2 * H + j] = n;
            s.hn[j] = hn;
        }
        return s;
    }

    private CellGrads gruBackward(Weights w, Step s, double[] dh, LayerGrads g) {
        int H = hiddenSize;
        // The two affine maps no longer see the same gradient: r multiplies only the hh part of n.
        double[] daIh = new double[3 * H];
        double[] daHh = new double[3 * H];
        double[] dhDirect = new double[H];
        for (int j = 0; j < H; j++) {
            double r = s.act[j];
            double z = s.act[H + j];
            double n = s.act[2 * H + j];
            // forward: h = (1 − z)·n + z·h_prev
            // backward: dn = dh·(1 − z),  dz = dh·(h_prev − n),  dh_prev (direct) = dh·z
            double dN = dh[j] * (1 - z);
            double dZ = dh[j] * (s.hPrev[j] - n);
            dhDirect[j] = dh[j] * z;
            // forward: n = tanh(a_n),  a_n = (W_in·x + b_in) + r·hn,  hn = W_hn·h_prev + b_hn
            // backward: da_n = dn·(1 − n²),  dr = da_n·hn,  dhn = da_n·r
            double daN = dN * (1 - n * n);
            double dR = daN * s.hn[j];
            double dHn = daN * r;
            // forward: r, z = σ(a)          backward: da = d·σ(a)·(1 − σ(a))
            double daR = dR * r * (1 - r);
            double daZ = dZ * z * (1 - z);
            daIh[j] = daR;
            daHh[j] = daR;
            daIh[H + j] = daZ;
            daHh[H + j] = daZ;
            daIh[2 * H + j] = daN;
            daHh[2 * H + j] = dHn;
        }
        double[] dx = affineBackward(w.wIh, s.x, daIh, g.dWih, g.dbIh);
        double[] dhPrev = affineBackward(w.wHh, s.hPrev, daHh, g.dWhh, g.dbHh);
        for (int j = 0; j < H; j++) {
            dhPrev[j] += dhDirect[j];
        }
        return new CellGrads(dx, dhPrev, null);
    }

    // ------------------------------------------------------------------ GRU, reset before (ONNX linear_before_reset=0)

    private Step gruResetBeforeForward(Weights w, double[] x, double[] hPrev) {
        int H = hiddenSize;
        Step s = new Step();
        s.x = x;
        s.hPrev = hPrev;
        // [W_ir·x + b_ir, W_iz·x + b_iz, W_in·x + b_in]
        double[] aIh = affine(w.wIh, w.bIh, x, 3 * H);
        // [W_hr·h_prev + b_hr, W_hz·h_prev + b_hz]: rows 0 … 2H−1 of weight_hh
        double[] aRz = affineRows(w.wHh, w.bHh, hPrev, 0, 2 * H);
        s.pre = new double[3 * H];
        s.act = new double[3 * H];
        s.rh = new double[H];
        s.h = new double[H];
        for (int j = 0; j < H; j++) {
            // r = σ(W_ir·x + b_ir + W_hr·h_prev + b_hr)
            s.pre[j] = aIh[j] + aRz[j];
            s.act[j] = sigmoid(s.pre[j]);
            // z = σ(W_iz·x + b_iz + W_hz·h_prev + b_hz)
            s.pre[H + j] = aIh[H + j] + aRz[H + j];
            s.act[H + j] = sigmoid(s.pre[H + j]);
            // rh = r⊙h_prev
            s.rh[j] = s.act[j] * hPrev[j];
        }
        // hn = W_hn·(r⊙h_prev) + b_hn: rows 2H … 3H−1 of weight_hh, applied to rh instead of h_prev
        s.hn = affineRows(w.wHh, w.bHh, s.rh, 2 * H, H);
        for (int j = 0; j < H; j++) {
            // n = tanh(W_in·x + b_in + hn)
            s.pre[2 * H + j] = aIh[2 * H + j] + s.hn[j];
            double n = Math.tanh(s.pre[2 * H + j]);
            s.act[2 * H + j] = n;
            // h = (1−z)⊙n + z⊙h_prev
            double z = s.act[H + j];
            s.h[j] = (1 - z) * n + z * hPrev[j];
        }
        return s;
    }

    private CellGrads gruResetBeforeBackward(Weights w, Step s, double[] dh, LayerGrads g) {
        int H = hiddenSize;
        double[] daN = new double[H];
        double[] dZ = new double[H];
        double[] dhPrev = new double[H];
        for (int j = 0; j < H; j++) {
            double z = s.act[H + j];
            double n = s.act[2 * H + j];
            // forward: h = (1 − z)·n + z·h_prev
            // backward: dn = dh·(1 − z),  dz = dh·(h_prev − n),  dh_prev (direct) = dh·z
            double dN = dh[j] * (1 - z);
            dZ[j] = dh[j] * (s.hPrev[j] - n);
            dhPrev[j] = dh[j] * z;
            // forward: n = tanh(a_n),  a_n = (W_in·x + b_in) + hn
            // backward: da_n = dn·(1 − n²), reaching both parts unchanged
            daN[j] = dN * (1 - n * n);
        }
        // forward: hn = W_hn·rh + b_hn
        // backward: dW_hn += da_n ⊗ rh,  db_hn += da_n,  drh = W_hnᵀ·da_n
        double[] dRh = affineRowsBackward(w.wHh, s.rh, daN, g.dWhh, g.dbHh, 2 * H);
        double[] daRz = new double[2 * H];
        for (int j = 0; j < H; j++) {
            double r = s.act[j];
            double z = s.act[H + j];
            // forward: rh = r·h_prev
            // backward: dr = drh·h_prev,  dh_prev += drh·r
            double dR = dRh[j] * s.hPrev[j];
            dhPrev[j] += dRh[j] * r;
            // forward: r, z = σ(a)          backward: da = d·σ(a)·(1 − σ(a))
            daRz[j] = dR * r * (1 - r);
            daRz[H + j] = dZ[j] * z * (1 - z);
        }
        // forward: [a_r, a_z] = … + W_h[rz]·h_prev + b_h[rz]   (rows 0 … 2H−1 of weight_hh)
        // backward: dW_h[rz] += da ⊗ h_prev,  db_h[rz] += da,  dh_prev += W_h[rz]ᵀ·da
        double[] dhRz = affineRowsBackward(w.wHh, s.hPrev, daRz, g.dWhh, g.dbHh, 0);
        for (int j = 0; j < H; j++) {
            dhPrev[j] += dhRz[j];
        }
        // forward: [a_r, a_z, a_n] = W_ih·x + b_ih + …
        // backward: dW_ih += da ⊗ x,  db_ih += da,  dx = W_ihᵀ·da
        double[] daIh = new double[3 * H];
        System.arraycopy(daRz, 0, daIh, 0, 2 * H);
        System.arraycopy(daN, 0, daIh, 2 * H, H);
        double[] dx = affineBackward(w.wIh, s.x, daIh, g.dWih, g.dbIh);
        return new CellGrads(dx, dhPrev, null);
    }

    // ================================================================== results

    /**
     * The result of {@link #forward}: the outputs, and the per-step values that {@link #backward}
     * needs (including a snapshot of the parameters the forward pass used).
     *
     * <p>The arrays returned by the accessors are created by the forward pass and handed to the
     * caller: each accessor returns the same array on every call, and {@link #backward} never reads
     * them, so writing into them is harmless to back-propagation.
     */
    public static final class Forward {
        private final ReferenceRnn owner;
        private final int seqLen;
        private final int batch;
        private final int[] lengths;
        private final Weights[] weights;
        private final Step[][][] steps;
        private final double[][] masks;
        private final double[][] unitOutputs;
        private final double[][] layerOutputs;
        private final double[] hN;
        private final double[] cN;
        private double[][] preActivations;

        private Forward(ReferenceRnn owner, int seqLen, int batch, int[] lengths, Weights[] weights,
                        Step[][][] steps, double[][] masks, double[][] unitOutputs, double[][] layerOutputs,
                        double[] hN, double[] cN) {
            this.owner = owner;
            this.seqLen = seqLen;
            this.batch = batch;
            this.lengths = lengths;
            this.weights = weights;
            this.steps = steps;
            this.masks = masks;
            this.unitOutputs = unitOutputs;
            this.layerOutputs = layerOutputs;
            this.hN = hN;
            this.cN = cN;
        }

        /** @return T */
        public int seqLen() {
            return seqLen;
        }

        /** @return B */
        public int batch() {
            return batch;
        }

        /** @return the B lengths used (all T when none were given); a fresh copy */
        public int[] lengths() {
            return lengths.clone();
        }

        /**
         * @return the network output, (T, B, {@link ReferenceRnn#outputSize()}) seq-first: the last
         *         layer's merged output, 0 at inactive positions
         */
        public double[] output() {
            return layerOutputs[layerOutputs.length - 1];
        }

        /**
         * @return h_n, (L·D, B, P): each unit's state after its last step of each sequence, entry
         *         {@code (layer·D + direction)·B + b}
         */
        public double[] hN() {
            return hN;
        }

        /** @return c_n, (L·D, B, H), for the LSTM; null for the other cells */
        public double[] cN() {
            return cN;
        }

        /**
         * One layer's merged output before dropout, (T, B, {@link ReferenceRnn#outputSize()}), 0 at
         * inactive positions. Layer L−1's is {@link #output()}.
         *
         * @param layer in [0, L)
         * @return the array (same one on every call)
         * @throws IllegalArgumentException if {@code layer} is out of range
         */
        public double[] layerOutput(int layer) {
            checkLayer(layer);
            return layerOutputs[layer];
        }

        /**
         * One unit's output before merging, (T, B, P): at (t, b) its h after reading step t (for a
         * reversed unit, after reading steps len_b−1 … t), 0 at inactive positions.
         *
         * @param layer in [0, L)
         * @param direction in [0, D); 0 is the forward unit of a bidirectional layer, 1 the reverse
         * @return the array (same one on every call)
         * @throws IllegalArgumentException if {@code layer} or {@code direction} is out of range
         */
        public double[] directionOutput(int layer, int direction) {
            return unitOutputs[unit(layer, direction)];
        }

        /**
         * {@link #preActivations(int, int)} of direction 0.
         *
         * @param layer in [0, L)
         * @return the array (same one on every call)
         * @throws IllegalArgumentException if {@code layer} is out of range
         */
        public double[] preActivations(int layer) {
            return preActivations(layer, 0);
        }

        /**
         * One unit's gate pre-activations, (T, B, G·H), gate blocks in PyTorch order, 0 at inactive
         * positions: the full argument of each gate's σ or tanh, i.e.
         * {@code W_ih·x + b_ih + W_hh·h_prev + b_hh} per gate, plus the peephole term of a peephole
         * LSTM's i, f, o, except the GRU's n block, which holds the argument of its tanh,
         * {@code W_in·x + b_in + r⊙(W_hn·h_prev + b_hn)} (reset-before:
         * {@code W_in·x + b_in + W_hn·(r⊙h_prev) + b_hn}). Useful to compare a fast engine's gates,
         * and to see how close a relu unit is to its kink.
         *
         * @param layer in [0, L)
         * @param direction in [0, D)
         * @return the array (same one on every call)
         * @throws IllegalArgumentException if {@code layer} or {@code direction} is out of range
         */
        public double[] preActivations(int layer, int direction) {
            int u = unit(layer, direction);
            if (preActivations == null) {
                int gh = owner.cell.gates() * owner.hiddenSize;
                double[][] p = new double[steps.length][seqLen * batch * gh];
                for (int v = 0; v < steps.length; v++) {
                    for (int b = 0; b < batch; b++) {
                        for (int t = 0; t < lengths[b]; t++) {
                            System.arraycopy(steps[v][t][b].pre, 0, p[v], (t * batch + b) * gh, gh);
                        }
                    }
                }
                preActivations = p;
            }
            return preActivations[u];
        }

        private int unit(int layer, int direction) {
            checkLayer(layer);
            int d = owner.numDirections;
            if (direction < 0 || direction >= d) {
                throw new IllegalArgumentException("direction must be in [0, " + d + "), got " + direction);
            }
            return layer * d + direction;
        }

        private void checkLayer(int layer) {
            if (layer < 0 || layer >= layerOutputs.length) {
                throw new IllegalArgumentException("layer must be in [0, " + layerOutputs.length + "), got " + layer);
            }
        }
    }

    /**
     * The result of {@link #backward}. All arrays are fresh and owned by the caller.
     */
    public static final class Gradients {
        private final Map<String, double[]> parameters;
        private final double[] input;
        private final double[] h0;
        private final double[] c0;

        private Gradients(Map<String, double[]> parameters, double[] input, double[] h0, double[] c0) {
            this.parameters = Collections.unmodifiableMap(parameters);
            this.input = input;
            this.h0 = h0;
            this.c0 = c0;
        }

        /**
         * @return ∂loss/∂parameter for every parameter, in {@link ReferenceRnn#parameterNames()}
         *         order, each with that parameter's shape (unmodifiable map of modifiable arrays)
         */
        public Map<String, double[]> parameters() {
            return parameters;
        }

        /**
         * @param name a parameter name
         * @return ∂loss/∂name, same shape as the parameter
         * @throws IllegalArgumentException for an unknown name
         */
        public double[] parameter(String name) {
            double[] g = parameters.get(name);
            if (g == null) {
                throw new IllegalArgumentException("parameter name must be one of " + parameters.keySet()
                        + ", got '" + name + "'");
            }
            return g;
        }

        /** @return ∂loss/∂input, (T, B, I); exactly 0 at inactive positions */
        public double[] input() {
            return input;
        }

        /** @return ∂loss/∂h0, (L·D, B, P) (also when h0 was null, i.e. zeros) */
        public double[] h0() {
            return h0;
        }

        /** @return ∂loss/∂c0, (L·D, B, H), for the LSTM; null for the other cells */
        public double[] c0() {
            return c0;
        }
    }

    // ================================================================== validation

    private static void checkLength(String name, double[] a, long expected, String shape) {
        if (a == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (a.length != expected) {
            throw new IllegalArgumentException(name + ".length must be " + expected + " for shape " + shape
                    + ", got " + a.length);
        }
    }

    private void checkLength(String name, double[] a, int expected) {
        checkLength(name, a, expected, Arrays.toString(shapes.get(name)));
    }

    private static int[] checkLengths(int[] lengths, int T, int B) {
        int[] len = new int[B];
        if (lengths == null) {
            Arrays.fill(len, T);
            return len;
        }
        if (lengths.length != B) {
            throw new IllegalArgumentException("lengths.length must be batch = " + B + ", got " + lengths.length);
        }
        for (int b = 0; b < B; b++) {
            if (lengths[b] < 0 || lengths[b] > T) {
                throw new IllegalArgumentException("lengths[" + b + "] must be in [0, seqLen = " + T + "], got "
                        + lengths[b]);
            }
            len[b] = lengths[b];
        }
        return len;
    }
}
