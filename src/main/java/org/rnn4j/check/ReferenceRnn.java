package org.rnn4j.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.rnn4j.cell.CellType;
import org.rnn4j.cell.RnnSpec;

/**
 * A stacked RNN / LSTM / GRU in double precision, written plainly from the equations: the oracle that
 * faster implementations are tested against.
 *
 * <p>It deliberately shares no code with {@code org.rnn4j.kernel} or any other fast path: explicit
 * loops, one method per cell forward and one per cell backward, {@link Math#exp} and
 * {@link Math#tanh} only. Speed is not a goal; every step allocates its own small arrays.
 *
 * <h2>Semantics (PyTorch's {@code nn.RNN}, {@code nn.LSTM}, {@code nn.GRU})</h2>
 * <pre>
 * RNN_TANH / RNN_RELU:  h = act(W_ih·x + b_ih + W_hh·h_prev + b_hh)
 * LSTM (gates i,f,g,o): i = σ(·), f = σ(·), g = tanh(·), o = σ(·)   each (W_i*·x + b_i* + W_h*·h_prev + b_h*)
 *                       c = f⊙c_prev + i⊙g,  h = o⊙tanh(c)
 * GRU  (gates r,z,n):   r = σ(W_ir·x + b_ir + W_hr·h_prev + b_hr),  z likewise
 *                       n = tanh(W_in·x + b_in + r⊙(W_hn·h_prev + b_hn))
 *                       h = (1−z)⊙n + z⊙h_prev
 * </pre>
 * Layer {@code l > 0} reads layer {@code l−1}'s output, multiplied element-wise by an optional
 * caller-supplied dropout mask; the network's output is the last layer's output.
 *
 * <h2>Parameters</h2>
 * Per layer {@code l} (G = {@link CellType#gates()}, {@code in_0 = I}, {@code in_l = H} above):
 * {@code weight_ih_l{l}} (G·H, in_l), {@code weight_hh_l{l}} (G·H, H), {@code bias_ih_l{l}} (G·H),
 * {@code bias_hh_l{l}} (G·H), each a row-major {@code double[]}: element (r, c) of
 * {@code weight_ih_l0} is at {@code r·I + c}. Gate blocks are stacked in PyTorch order, so block
 * {@code k}'s rows are {@code k·H .. k·H+H−1}. Names, order and shapes are those of PyTorch's
 * {@code state_dict()}.
 *
 * <h2>Layouts and variable lengths</h2>
 * Sequence tensors are seq-first (T, B, ·) row-major: element (t, b, j) of an (T, B, N) array is at
 * {@code (t·B + b)·N + j}. States are (L, B, H). Lengths follow PyTorch's packed sequences: at steps
 * {@code t >= lengths[b]} sequence {@code b} is inactive, its output is 0, its state does not change
 * and its input is never read (it may hold garbage, NaN included); {@code h_n} (and {@code c_n}) of
 * sequence {@code b} is its state after step {@code lengths[b]−1}, or {@code h0} when the length is 0.
 *
 * <p>Not thread-safe: the parameters are live arrays that callers write (and that
 * {@link GradientCheck} perturbs in place). A {@link Forward} holds its own snapshot of the
 * parameters and inputs, so it can be back-propagated after the parameters changed; the arrays its
 * accessors return are its own (not copies): treat them as read-only, and do not share one
 * {@code Forward} between threads.
 */
public final class ReferenceRnn {
    private final CellType cell;
    private final int inputSize;
    private final int hiddenSize;
    private final int numLayers;
    private final Map<String, double[]> params = new LinkedHashMap<>();
    private final Map<String, int[]> shapes = new LinkedHashMap<>();

    /**
     * A network with all parameters 0 (see {@link #initUniform(long, double)}).
     *
     * @param cell the cell type; not null
     * @param inputSize I, {@code >= 1}
     * @param hiddenSize H, {@code >= 1}
     * @param numLayers L, {@code >= 1}
     * @throws IllegalArgumentException on a bad argument (the message names it and its value)
     */
    public ReferenceRnn(CellType cell, int inputSize, int hiddenSize, int numLayers) {
        // Same validation and messages as the rest of the library.
        RnnSpec.builder(cell, inputSize, hiddenSize).numLayers(numLayers).build();
        this.cell = cell;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        int rows = cell.gates() * hiddenSize;
        for (int l = 0; l < numLayers; l++) {
            int in = l == 0 ? inputSize : hiddenSize;
            add("weight_ih_l" + l, rows, in);
            add("weight_hh_l" + l, rows, hiddenSize);
            add("bias_ih_l" + l, rows);
            add("bias_hh_l" + l, rows);
        }
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
     * The network described by {@code spec}, all parameters 0. {@link RnnSpec#dropout()} and
     * {@link RnnSpec#batchFirst()} are ignored: dropout masks are passed to {@link #forward}
     * explicitly and this class is always seq-first.
     *
     * @param spec the shape; not null
     * @return a new network
     * @throws IllegalArgumentException if {@code spec} is null
     */
    public static ReferenceRnn of(RnnSpec spec) {
        if (spec == null) {
            throw new IllegalArgumentException("spec must not be null");
        }
        return new ReferenceRnn(spec.cell(), spec.inputSize(), spec.hiddenSize(), spec.numLayers());
    }

    /** @return the cell type */
    public CellType cell() {
        return cell;
    }

    /** @return I, the input feature size */
    public int inputSize() {
        return inputSize;
    }

    /** @return H, the hidden (and output) size */
    public int hiddenSize() {
        return hiddenSize;
    }

    /** @return L, the number of stacked layers */
    public int numLayers() {
        return numLayers;
    }

    /**
     * The parameter names in PyTorch {@code state_dict()} order: {@code weight_ih_l0, weight_hh_l0,
     * bias_ih_l0, bias_hh_l0, weight_ih_l1, …}.
     *
     * @return an unmodifiable list of 4·L names
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
     * The shape of a parameter: {@code {G·H, in_l}} for weights, {@code {G·H}} for biases.
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
     * {@link #initUniform(long, double)} with PyTorch's default bound 1/√H.
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
     * @return the forward result
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
     * @param h0 (L, B, H) initial hidden states; null = zeros
     * @param c0 (L, B, H) initial cell states, LSTM only (must be null otherwise); null = zeros
     * @param dropoutMasks null (no dropout), or L−1 entries where entry {@code l} is null or a
     *                     (T, B, H) array of multipliers applied to layer {@code l}'s output before
     *                     layer {@code l+1} reads it (typically 0 or 1/(1−p)); inactive positions
     *                     are not read
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
        final int L = numLayers;
        checkLength("input", input, (long) T * B * inputSize, "(T, B, I) = (" + T + ", " + B + ", " + inputSize + ")");
        int[] len = checkLengths(lengths, T, B);
        if (h0 != null) {
            checkLength("h0", h0, (long) L * B * H, "(L, B, H) = (" + L + ", " + B + ", " + H + ")");
        }
        if (c0 != null) {
            if (!cell.hasCellState()) {
                throw new IllegalArgumentException("c0 must be null for cell " + cell.id()
                        + " (no cell state), got an array of length " + c0.length);
            }
            checkLength("c0", c0, (long) L * B * H, "(L, B, H) = (" + L + ", " + B + ", " + H + ")");
        }
        double[][] masks = new double[Math.max(L - 1, 0)][];
        if (dropoutMasks != null) {
            if (dropoutMasks.length != L - 1) {
                throw new IllegalArgumentException("dropoutMasks.length must be numLayers − 1 = " + (L - 1)
                        + ", got " + dropoutMasks.length);
            }
            for (int l = 0; l < L - 1; l++) {
                if (dropoutMasks[l] != null) {
                    checkLength("dropoutMasks[" + l + "]", dropoutMasks[l], (long) T * B * H,
                            "(T, B, H) = (" + T + ", " + B + ", " + H + ")");
                    masks[l] = dropoutMasks[l].clone();
                }
            }
        }

        Weights[] weights = new Weights[L];
        Step[][][] steps = new Step[L][T][B];
        double[][] layerOutputs = new double[L][T * B * H];
        double[] hN = new double[L * B * H];
        double[] cN = cell.hasCellState() ? new double[L * B * H] : null;

        for (int l = 0; l < L; l++) {
            Weights w = snapshot(l);
            weights[l] = w;
            int in = w.in;
            for (int b = 0; b < B; b++) {
                double[] h = h0 == null ? new double[H] : Arrays.copyOfRange(h0, (l * B + b) * H, (l * B + b + 1) * H);
                double[] c = !cell.hasCellState() ? null
                        : c0 == null ? new double[H] : Arrays.copyOfRange(c0, (l * B + b) * H, (l * B + b + 1) * H);
                // Only the active prefix t < len[b] is computed; later steps leave the state alone.
                for (int t = 0; t < len[b]; t++) {
                    double[] x = new double[in];
                    for (int j = 0; j < in; j++) {
                        x[j] = l == 0 ? input[(t * B + b) * in + j]
                                : layerOutputs[l - 1][(t * B + b) * H + j]
                                        * (masks[l - 1] == null ? 1.0 : masks[l - 1][(t * B + b) * H + j]);
                    }
                    Step s;
                    switch (cell) {
                        case RNN_TANH:
                            s = rnnForward(false, w, x, h);
                            break;
                        case RNN_RELU:
                            s = rnnForward(true, w, x, h);
                            break;
                        case LSTM:
                            s = lstmForward(w, x, h, c);
                            break;
                        case GRU:
                            s = gruForward(w, x, h);
                            break;
                        default:
                            throw new AssertionError(cell);
                    }
                    steps[l][t][b] = s;
                    h = s.h;
                    c = s.c;
                    System.arraycopy(h, 0, layerOutputs[l], (t * B + b) * H, H);
                }
                System.arraycopy(h, 0, hN, (l * B + b) * H, H);
                if (cN != null) {
                    System.arraycopy(c, 0, cN, (l * B + b) * H, H);
                }
            }
        }
        return new Forward(this, T, B, len, weights, steps, masks, layerOutputs, hN, cN);
    }

    private Weights snapshot(int l) {
        return new Weights(l == 0 ? inputSize : hiddenSize,
                params.get("weight_ih_l" + l).clone(), params.get("weight_hh_l" + l).clone(),
                params.get("bias_ih_l" + l).clone(), params.get("bias_hh_l" + l).clone());
    }

    /** One layer's parameters, copied at forward time. */
    private static final class Weights {
        final int in;
        final double[] wIh;
        final double[] wHh;
        final double[] bIh;
        final double[] bHh;

        Weights(int in, double[] wIh, double[] wHh, double[] bIh, double[] bHh) {
            this.in = in;
            this.wIh = wIh;
            this.wHh = wHh;
            this.bIh = bIh;
            this.bHh = bHh;
        }
    }

    /** Everything one active cell step of one sequence computed; backward reads it. */
    private static final class Step {
        /** The step's input (already masked) and previous state. */
        double[] x;
        double[] hPrev;
        double[] cPrev;
        /** Gate pre-activations (G·H); for the GRU's n block, the full argument of its tanh. */
        double[] pre;
        /** Activated gates (G·H): RNN h; LSTM i, f, g, o; GRU r, z, n. */
        double[] act;
        /** GRU only: W_hn·h_prev + b_hn, the term the reset gate multiplies. */
        double[] hn;
        /** LSTM only: c and tanh(c). */
        double[] c;
        double[] tanhC;
        /** The new hidden state. */
        double[] h;
    }

    /** a = W·v + b for W (rows, v.length) row-major. */
    private static double[] affine(double[] w, double[] b, double[] v, int rows) {
        int cols = v.length;
        double[] a = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int k = 0; k < cols; k++) {
                s += w[r * cols + k] * v[k];
            }
            a[r] = s + b[r];
        }
        return a;
    }

    private static double sigmoid(double a) {
        return 1 / (1 + Math.exp(-a));
    }

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

    private Step lstmForward(Weights w, double[] x, double[] hPrev, double[] cPrev) {
        int H = hiddenSize;
        Step s = new Step();
        s.x = x;
        s.hPrev = hPrev;
        s.cPrev = cPrev;
        double[] aIh = affine(w.wIh, w.bIh, x, 4 * H);
        double[] aHh = affine(w.wHh, w.bHh, hPrev, 4 * H);
        s.pre = new double[4 * H];
        s.act = new double[4 * H];
        s.c = new double[H];
        s.tanhC = new double[H];
        s.h = new double[H];
        for (int j = 0; j < H; j++) {
            for (int k = 0; k < 4; k++) {
                s.pre[k * H + j] = aIh[k * H + j] + aHh[k * H + j];
            }
            // i = σ(W_ii·x + b_ii + W_hi·h_prev + b_hi)
            double i = sigmoid(s.pre[j]);
            // f = σ(W_if·x + b_if + W_hf·h_prev + b_hf)
            double f = sigmoid(s.pre[H + j]);
            // g = tanh(W_ig·x + b_ig + W_hg·h_prev + b_hg)
            double g = Math.tanh(s.pre[2 * H + j]);
            // o = σ(W_io·x + b_io + W_ho·h_prev + b_ho)
            double o = sigmoid(s.pre[3 * H + j]);
            // c = f⊙c_prev + i⊙g
            double c = f * cPrev[j] + i * g;
            // h = o⊙tanh(c)
            double tc = Math.tanh(c);
            s.act[j] = i;
            s.act[H + j] = f;
            s.act[2 * H + j] = g;
            s.act[3 * H + j] = o;
            s.c[j] = c;
            s.tanhC[j] = tc;
            s.h[j] = o * tc;
        }
        return s;
    }

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

    // ================================================================== backward

    /**
     * Back-propagation through time of the scalar loss whose gradients with respect to the outputs
     * of {@code fwd} are the three upstream arrays. Exact derivatives of the forward pass in double
     * (with relu'(0) = 0, as PyTorch), computed from the parameter values {@code fwd} was run with.
     *
     * <p>None of the arguments is written or kept.
     *
     * @param fwd a result of this object's {@link #forward}; not null
     * @param gradOutput ∂loss/∂output, (T, B, H); null = zeros. Inactive positions are ignored (not
     *                   read: they may hold NaN)
     * @param gradHN ∂loss/∂h_n, (L, B, H); null = zeros
     * @param gradCN ∂loss/∂c_n, (L, B, H), LSTM only (must be null otherwise); null = zeros
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
        final int L = numLayers;
        final int[] len = fwd.lengths;
        if (gradOutput != null) {
            checkLength("gradOutput", gradOutput, (long) T * B * H, "(T, B, H) = (" + T + ", " + B + ", " + H + ")");
        }
        if (gradHN != null) {
            checkLength("gradHN", gradHN, (long) L * B * H, "(L, B, H) = (" + L + ", " + B + ", " + H + ")");
        }
        if (gradCN != null) {
            if (!cell.hasCellState()) {
                throw new IllegalArgumentException("gradCN must be null for cell " + cell.id()
                        + " (no cell state), got an array of length " + gradCN.length);
            }
            checkLength("gradCN", gradCN, (long) L * B * H, "(L, B, H) = (" + L + ", " + B + ", " + H + ")");
        }

        Map<String, double[]> grads = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : params.entrySet()) {
            grads.put(e.getKey(), new double[e.getValue().length]);
        }
        double[] gradH0 = new double[L * B * H];
        double[] gradC0 = cell.hasCellState() ? new double[L * B * H] : null;
        double[] gradInput = null;

        // ∂loss/∂(layer l's output) at active positions; starts as the upstream gradient of the top layer.
        double[] dOut = new double[T * B * H];
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < len[b]; t++) {
                for (int j = 0; j < H; j++) {
                    int k = (t * B + b) * H + j;
                    dOut[k] = gradOutput == null ? 0 : gradOutput[k];
                }
            }
        }

        for (int l = L - 1; l >= 0; l--) {
            Weights w = fwd.weights[l];
            int in = w.in;
            double[] dWih = grads.get("weight_ih_l" + l);
            double[] dWhh = grads.get("weight_hh_l" + l);
            double[] dbIh = grads.get("bias_ih_l" + l);
            double[] dbHh = grads.get("bias_hh_l" + l);
            LayerGrads g = new LayerGrads(dWih, dWhh, dbIh, dbHh);
            double[] dIn = new double[T * B * in];
            for (int b = 0; b < B; b++) {
                // forward: h_n = h after the last active step; inactive steps copy the state unchanged,
                // backward: so ∂h_n flows straight into the last active step.
                double[] dh = gradHN == null ? new double[H]
                        : Arrays.copyOfRange(gradHN, (l * B + b) * H, (l * B + b + 1) * H);
                double[] dc = !cell.hasCellState() ? null
                        : gradCN == null ? new double[H] : Arrays.copyOfRange(gradCN, (l * B + b) * H, (l * B + b + 1) * H);
                for (int t = len[b] - 1; t >= 0; t--) {
                    Step s = fwd.steps[l][t][b];
                    // forward: the step's h is both the layer output at t and the next step's h_prev,
                    // backward: its gradient is the sum of both uses.
                    double[] dhTotal = new double[H];
                    for (int j = 0; j < H; j++) {
                        dhTotal[j] = dh[j] + dOut[(t * B + b) * H + j];
                    }
                    CellGrads cg;
                    switch (cell) {
                        case RNN_TANH:
                            cg = rnnBackward(false, w, s, dhTotal, g);
                            break;
                        case RNN_RELU:
                            cg = rnnBackward(true, w, s, dhTotal, g);
                            break;
                        case LSTM:
                            cg = lstmBackward(w, s, dhTotal, dc, g);
                            break;
                        case GRU:
                            cg = gruBackward(w, s, dhTotal, g);
                            break;
                        default:
                            throw new AssertionError(cell);
                    }
                    dh = cg.dhPrev;
                    dc = cg.dcPrev;
                    System.arraycopy(cg.dx, 0, dIn, (t * B + b) * in, in);
                }
                System.arraycopy(dh, 0, gradH0, (l * B + b) * H, H);
                if (gradC0 != null) {
                    System.arraycopy(dc, 0, gradC0, (l * B + b) * H, H);
                }
            }
            if (l == 0) {
                gradInput = dIn;
            } else {
                // forward: x_l = out_{l−1} ⊙ mask_{l−1}
                // backward: d out_{l−1} = dx_l ⊙ mask_{l−1}   (active positions only; dIn is 0 elsewhere)
                double[] mask = fwd.masks[l - 1];
                dOut = new double[T * B * H];
                for (int b = 0; b < B; b++) {
                    for (int t = 0; t < len[b]; t++) {
                        for (int j = 0; j < H; j++) {
                            int k = (t * B + b) * H + j;
                            dOut[k] = mask == null ? dIn[k] : dIn[k] * mask[k];
                        }
                    }
                }
            }
        }
        return new Gradients(grads, gradInput, gradH0, gradC0);
    }

    /** The gradient accumulators of one layer's four parameters. */
    private static final class LayerGrads {
        final double[] dWih;
        final double[] dWhh;
        final double[] dbIh;
        final double[] dbHh;

        LayerGrads(double[] dWih, double[] dWhh, double[] dbIh, double[] dbHh) {
            this.dWih = dWih;
            this.dWhh = dWhh;
            this.dbIh = dbIh;
            this.dbHh = dbHh;
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

    /**
     * forward: a = W·v + b
     * backward: dW += da ⊗ v,  db += da,  dv = Wᵀ·da  (returned)
     */
    private static double[] affineBackward(double[] w, double[] v, double[] da, double[] dW, double[] db) {
        int rows = da.length;
        int cols = v.length;
        double[] dv = new double[cols];
        for (int r = 0; r < rows; r++) {
            db[r] += da[r];
            for (int k = 0; k < cols; k++) {
                dW[r * cols + k] += da[r] * v[k];
                dv[k] += w[r * cols + k] * da[r];
            }
        }
        return dv;
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

    private CellGrads lstmBackward(Weights w, Step s, double[] dh, double[] dc, LayerGrads g) {
        int H = hiddenSize;
        double[] da = new double[4 * H];
        double[] dcPrev = new double[H];
        for (int j = 0; j < H; j++) {
            double i = s.act[j];
            double f = s.act[H + j];
            double gg = s.act[2 * H + j];
            double o = s.act[3 * H + j];
            double tc = s.tanhC[j];
            // forward: h = o·tanh(c)
            // backward: do = dh·tanh(c),  dc_total = dc + dh·o·(1 − tanh²(c))
            double dO = dh[j] * tc;
            double dcTotal = dc[j] + dh[j] * o * (1 - tc * tc);
            // forward: c = f·c_prev + i·g
            // backward: df = dc·c_prev,  dc_prev = dc·f,  di = dc·g,  dg = dc·i
            double dF = dcTotal * s.cPrev[j];
            dcPrev[j] = dcTotal * f;
            double dI = dcTotal * gg;
            double dG = dcTotal * i;
            // forward: i, f, o = σ(a)       backward: da = d·σ(a)·(1 − σ(a))
            // forward: g = tanh(a)          backward: da = dg·(1 − g²)
            da[j] = dI * i * (1 - i);
            da[H + j] = dF * f * (1 - f);
            da[2 * H + j] = dG * (1 - gg * gg);
            da[3 * H + j] = dO * o * (1 - o);
        }
        // forward: a = (W_ih·x + b_ih) + (W_hh·h_prev + b_hh); both affine maps see the same da.
        double[] dx = affineBackward(w.wIh, s.x, da, g.dWih, g.dbIh);
        double[] dhPrev = affineBackward(w.wHh, s.hPrev, da, g.dWhh, g.dbHh);
        return new CellGrads(dx, dhPrev, dcPrev);
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
        private final double[][] layerOutputs;
        private final double[] hN;
        private final double[] cN;
        private double[][] preActivations;

        private Forward(ReferenceRnn owner, int seqLen, int batch, int[] lengths, Weights[] weights,
                        Step[][][] steps, double[][] masks, double[][] layerOutputs, double[] hN, double[] cN) {
            this.owner = owner;
            this.seqLen = seqLen;
            this.batch = batch;
            this.lengths = lengths;
            this.weights = weights;
            this.steps = steps;
            this.masks = masks;
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

        /** @return the network output, (T, B, H) seq-first: the last layer's h, 0 at inactive positions */
        public double[] output() {
            return layerOutputs[layerOutputs.length - 1];
        }

        /** @return h_n, (L, B, H): each layer's state after each sequence's last active step */
        public double[] hN() {
            return hN;
        }

        /** @return c_n, (L, B, H), for the LSTM; null for the other cells */
        public double[] cN() {
            return cN;
        }

        /**
         * One layer's output before dropout, (T, B, H), 0 at inactive positions. Layer L−1's is
         * {@link #output()}.
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
         * One layer's gate pre-activations, (T, B, G·H), gate blocks in PyTorch order, 0 at inactive
         * positions: {@code W_ih·x + b_ih + W_hh·h_prev + b_hh} per gate, except the GRU's n block,
         * which holds the full argument of its tanh, {@code W_in·x + b_in + r⊙(W_hn·h_prev + b_hn)}.
         * Useful to compare a fast engine's gates, and to see how close a relu unit is to its kink.
         *
         * @param layer in [0, L)
         * @return the array (same one on every call)
         * @throws IllegalArgumentException if {@code layer} is out of range
         */
        public double[] preActivations(int layer) {
            checkLayer(layer);
            if (preActivations == null) {
                int gh = owner.cell.gates() * owner.hiddenSize;
                double[][] p = new double[steps.length][seqLen * batch * gh];
                for (int l = 0; l < steps.length; l++) {
                    for (int b = 0; b < batch; b++) {
                        for (int t = 0; t < lengths[b]; t++) {
                            System.arraycopy(steps[l][t][b].pre, 0, p[l], (t * batch + b) * gh, gh);
                        }
                    }
                }
                preActivations = p;
            }
            return preActivations[layer];
        }

        private void checkLayer(int layer) {
            if (layer < 0 || layer >= steps.length) {
                throw new IllegalArgumentException("layer must be in [0, " + steps.length + "), got " + layer);
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

        /** @return ∂loss/∂h0, (L, B, H) (also when h0 was null, i.e. zeros) */
        public double[] h0() {
            return h0;
        }

        /** @return ∂loss/∂c0, (L, B, H), for the LSTM; null for the other cells */
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
