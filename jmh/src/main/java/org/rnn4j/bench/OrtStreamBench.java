package org.rnn4j.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.rnn4j.serve.StreamState;
import org.rnn4j.serve.StreamingModel;
import org.rnn4j.serve.WeightFormat;

/**
 * Peer: one streaming step at batch 1, I = H, the state carried from step to step, one
 * thread, ONNX Runtime vs rnn4j on the same weights (tools/onnx/make_models.py). ORT has no stateful
 * step, so a step is one {@code session.run} of the ONNX node with T = 1 (the model's T is symbolic)
 * whose Y_h (and Y_c) are fed back as the next initial_h (initial_c). Input x is fixed and random, as
 * in StreamBench (feeding the output back as input decays into subnormals).
 *
 * <ul>
 *   <li>{@code ort}: everything reusable reused. The x, state and output tensors are made once over
 *       direct buffers, which ORT wraps without copying; the outputs are pinned, so ORT writes Y_h/Y_c
 *       into our buffers. The state is double-buffered (run k reads buffer k%2 and writes the other:
 *       in-place would alias an input with an output), with both input and output maps prebuilt. Per
 *       call the Java API still allocates the Result and its arrays, and crosses JNI once.</li>
 *   <li>{@code ort_alloc}: what the plain API use costs: per step, createTensor from float[]
 *       (FloatBuffer.wrap: ORT copies a heap buffer into a new direct buffer, i.e. allocates), run
 *       returning all outputs as ORT-owned tensors, getFloatBuffer (another copy) into the carried
 *       float[] state, and close everything.</li>
 *   <li>{@code rnn4j}: {@link StreamingModel#step} (f32 weights) with a {@link StreamState}.</li>
 * </ul>
 * Setup checks that ort, ort_alloc and rnn4j agree for three steps from the zero state (normwise
 * relative error of y and the state below 1e-5), then resets all three states. Run with
 * {@code -prof gc} to see each one's B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class OrtStreamBench {
    static final int CHECK_STEPS = 3;

    @Param({"64", "128", "256", "1024"})
    public int hidden;
    @Param({"lstm", "gru", "rnn_tanh"})
    public String cell;
    @Param({"ort", "ort_alloc", "rnn4j"})
    public String impl;

    boolean lstm;
    float[] x, y;
    long[] xShape, stateShape;
    StreamingModel model;
    StreamState state;
    OrtEnvironment env;
    OrtSession session;
    // ort: [k] = maps of the run that reads state buffer k and writes buffer 1 - k.
    @SuppressWarnings("unchecked")
    final Map<String, OnnxTensor>[] in = new Map[] {new HashMap<>(), new HashMap<>()};
    @SuppressWarnings("unchecked")
    final Map<String, OnnxTensor>[] out = new Map[] {new HashMap<>(), new HashMap<>()};
    final FloatBuffer[] hb = new FloatBuffer[2], cb = new FloatBuffer[2];
    OnnxTensor xt;
    final OnnxTensor[] ht = new OnnxTensor[2], ct = new OnnxTensor[2];
    int cur;
    // ort_alloc: the carried state as a plain user keeps it.
    float[] h, c;
    double maxError;

    @Setup(Level.Trial)
    public void setup() throws OrtException {
        if (!impl.equals("ort") && !impl.equals("ort_alloc") && !impl.equals("rnn4j")) {
            throw new IllegalArgumentException("impl must be ort, ort_alloc or rnn4j, got '" + impl + "'");
        }
        lstm = cell.equals("lstm");
        x = OrtPeer.random(new Random(3), hidden);
        y = new float[hidden];
        h = new float[hidden];
        c = lstm ? new float[hidden] : null;
        xShape = new long[] {1, 1, hidden};
        stateShape = new long[] {1, 1, hidden};
        model = OrtPeer.torchModel(cell, hidden, hidden).streaming(WeightFormat.F32);
        state = model.newState();
        env = OrtEnvironment.getEnvironment();
        session = OrtPeer.session(env, cell, hidden, hidden);

        FloatBuffer xb = OrtPeer.direct(hidden);
        xb.put(x).rewind();
        xt = OnnxTensor.createTensor(env, xb, xShape);
        for (int k = 0; k < 2; k++) {
            hb[k] = OrtPeer.direct(hidden);
            ht[k] = OnnxTensor.createTensor(env, hb[k], stateShape);
            if (lstm) {
                cb[k] = OrtPeer.direct(hidden);
                ct[k] = OnnxTensor.createTensor(env, cb[k], stateShape);
            }
        }
        for (int k = 0; k < 2; k++) {
            in[k].put("X", xt);
            in[k].put("initial_h", ht[k]);
            out[k].put("Y_h", ht[1 - k]);
            if (lstm) {
                in[k].put("initial_c", ct[k]);
                out[k].put("Y_c", ct[1 - k]);
            }
        }

        float[] sh = new float[hidden], sc = new float[hidden];
        for (int t = 0; t < CHECK_STEPS; t++) {
            String what = cell + " H=" + hidden + " step " + t;
            FloatBuffer o = ort();
            float[] a = ortAlloc();
            rnn4j();
            state.getH(sh, 0);
            maxError = Math.max(maxError, OrtPeer.agree(what + " ort y", OrtPeer.toArray(o), y));
            maxError = Math.max(maxError, OrtPeer.agree(what + " ort_alloc y", a, y));
            maxError = Math.max(maxError, OrtPeer.agree(what + " h", h, sh));
            if (lstm) {
                state.getC(sc, 0);
                maxError = Math.max(maxError, OrtPeer.agree(what + " ort c", OrtPeer.toArray(cb[cur]), sc));
                maxError = Math.max(maxError, OrtPeer.agree(what + " ort_alloc c", c, sc));
            }
        }
        // Back to the zero state, so every impl measures the same trajectory.
        state.reset();
        java.util.Arrays.fill(h, 0f);
        if (lstm) {
            java.util.Arrays.fill(c, 0f);
        }
        for (int k = 0; k < 2; k++) {
            zero(hb[k]);
            if (lstm) {
                zero(cb[k]);
            }
        }
        cur = 0;
    }

    private static void zero(FloatBuffer b) {
        for (int i = 0; i < b.capacity(); i++) {
            b.put(i, 0f);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        xt.close();
        for (int k = 0; k < 2; k++) {
            ht[k].close();
            if (ct[k] != null) {
                ct[k].close();
            }
        }
        session.close();
    }

    /** One step; returns the buffer holding the new h (= the output y). */
    FloatBuffer ort() throws OrtException {
        try (OrtSession.Result r = session.run(in[cur], out[cur])) {
            cur = 1 - cur;
        }
        return hb[cur];
    }

    /** One step as the plain API use; returns the new h, which is also the carried state. */
    float[] ortAlloc() throws OrtException {
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            feed.put("X", OnnxTensor.createTensor(env, FloatBuffer.wrap(x), xShape));
            feed.put("initial_h", OnnxTensor.createTensor(env, FloatBuffer.wrap(h), stateShape));
            if (lstm) {
                feed.put("initial_c", OnnxTensor.createTensor(env, FloatBuffer.wrap(c), stateShape));
            }
            try (OrtSession.Result r = session.run(feed)) {
                ((OnnxTensor) r.get("Y_h").orElseThrow()).getFloatBuffer().get(h);
                if (lstm) {
                    ((OnnxTensor) r.get("Y_c").orElseThrow()).getFloatBuffer().get(c);
                }
            }
        } finally {
            for (OnnxTensor t : feed.values()) {
                t.close();
            }
        }
        return h;
    }

    void rnn4j() {
        model.step(state, x, 0, y, 0);
    }

    @Benchmark
    public Object step() throws OrtException {
        switch (impl) {
            case "ort":
                return ort();
            case "ort_alloc":
                return ortAlloc();
            default:
                rnn4j();
                return y;
        }
    }
}
