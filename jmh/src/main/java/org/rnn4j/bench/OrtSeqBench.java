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
import org.rnn4j.interop.SequenceRunner;
import org.rnn4j.interop.TorchModel;

/**
 * Peer: sequence inference of one layer, one thread, ONNX Runtime vs rnn4j on the same
 * weights (tools/onnx/make_models.py writes one seeded PyTorch module as .onnx and .safetensors).
 * {@code impl=ort}: {@code session.run} of the ONNX LSTM/GRU/RNN node on X (T, B, I) with a zero
 * initial state; {@code impl=rnn4j}: {@link SequenceRunner#forward} on the same X. Both produce Y,
 * h_T (and c_T).
 *
 * <p>ORT's tensors are made once in setup over direct buffers (ORT wraps those without copying) and
 * the outputs are pinned (ORT writes Y, Y_h, Y_c into our buffers), so a call allocates no tensor
 * memory: like rnn4j's preallocated y, the figure is the kernel's and ORT's per-run overhead, not
 * Java-side copies. Setup checks that both agree (normwise relative error of Y and the final state
 * below 1e-5), which proves the weight and gate conversion.
 *
 * <p>GEMM FLOPs 2·T·B·G·H·(I + H), as RnnBench's forward; jmh/ort-report.py does the division.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class OrtSeqBench {
    @Param({"100x32x256x256", "50x64x512x512", "100x1x128x128", "35x20x650x650"})
    public String shape;
    @Param({"lstm", "gru", "rnn_tanh"})
    public String cell;
    @Param({"ort", "rnn4j"})
    public String impl;

    int seqLen, batch, in, hidden;
    boolean lstm;
    float[] x, y, hN, cN;
    SequenceRunner runner;
    OrtEnvironment env;
    OrtSession session;
    Map<String, OnnxTensor> inputs = new HashMap<>();
    Map<String, OnnxTensor> outputs = new HashMap<>();
    FloatBuffer oy, oh, oc;
    /** Agreement errors of Y, h_T, c_T, for the check mode's print. */
    double[] errors;

    @Setup(Level.Trial)
    public void setup() throws OrtException {
        if (!impl.equals("ort") && !impl.equals("rnn4j")) {
            throw new IllegalArgumentException("impl must be ort or rnn4j, got '" + impl + "'");
        }
        String[] s = shape.split("x");
        if (s.length != 4) {
            throw new IllegalArgumentException("shape must be TxBxIxH, got '" + shape + "'");
        }
        seqLen = Integer.parseInt(s[0]);
        batch = Integer.parseInt(s[1]);
        in = Integer.parseInt(s[2]);
        hidden = Integer.parseInt(s[3]);
        lstm = cell.equals("lstm");
        x = OrtPeer.random(new Random(11), seqLen * batch * in);
        int state = batch * hidden;
        y = new float[seqLen * state];
        hN = new float[state];
        cN = lstm ? new float[state] : null;

        // Both sides are built whatever impl is, for the agreement check.
        TorchModel model = OrtPeer.torchModel(cell, in, hidden);
        runner = new SequenceRunner(model);
        env = OrtEnvironment.getEnvironment();
        session = OrtPeer.session(env, cell, in, hidden);
        FloatBuffer xb = OrtPeer.direct(x.length);
        xb.put(x).rewind();
        inputs.put("X", OnnxTensor.createTensor(env, xb, new long[] {seqLen, batch, in}));
        long[] stateShape = {1, batch, hidden};
        // Zero initial state, as rnn4j's h0 = null: a fresh direct buffer is zero-filled.
        inputs.put("initial_h", OnnxTensor.createTensor(env, OrtPeer.direct(state), stateShape));
        oy = OrtPeer.direct(seqLen * state);
        oh = OrtPeer.direct(state);
        outputs.put("Y", OnnxTensor.createTensor(env, oy, new long[] {seqLen, 1, batch, hidden}));
        outputs.put("Y_h", OnnxTensor.createTensor(env, oh, stateShape));
        if (lstm) {
            inputs.put("initial_c", OnnxTensor.createTensor(env, OrtPeer.direct(state), stateShape));
            oc = OrtPeer.direct(state);
            outputs.put("Y_c", OnnxTensor.createTensor(env, oc, stateShape));
        }

        ort();
        rnn4j();
        String what = cell + " " + shape;
        errors = new double[] {
            OrtPeer.agree(what + " Y", OrtPeer.toArray(oy), y),
            OrtPeer.agree(what + " h_T", OrtPeer.toArray(oh), hN),
            lstm ? OrtPeer.agree(what + " c_T", OrtPeer.toArray(oc), cN) : 0};
    }

    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        for (OnnxTensor t : inputs.values()) {
            t.close();
        }
        for (OnnxTensor t : outputs.values()) {
            t.close();
        }
        session.close();
    }

    void ort() throws OrtException {
        // The Result holds only our pinned outputs (it does not own them); closing it is what a user must do.
        try (OrtSession.Result r = session.run(inputs, outputs)) {
            if (r.size() != outputs.size()) {
                throw new IllegalStateException("ORT returned " + r.size() + " outputs, pinned " + outputs.size());
            }
        }
    }

    void rnn4j() {
        runner.forward(x, seqLen, batch, null, null, null, y, hN, cN);
    }

    @Benchmark
    public Object forward() throws OrtException {
        if (impl.equals("ort")) {
            ort();
            return oy;
        }
        rnn4j();
        return y;
    }
}
