package org.rnn4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rnn4j.train.LrScheduleTest.assertMessage;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rnn4j.cell.CellType;
import org.rnn4j.cell.Rnn;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.cell.RnnWorkspace;
import org.rnn4j.nn.Params;

/** Optimizer API: hyper-parameter validation, config, state bookkeeping and validation, allocation. */
class OptimizerTest {

    @Test
    void hyperParametersAreValidatedAsPyTorchDoes() {
        assertMessage(() -> new Sgd(-0.1, 0, 0, false), "sgd: momentum must be in [0, ∞), got -0.1");
        assertMessage(() -> new Sgd(0, 0, -1, false), "sgd: weight_decay must be in [0, ∞), got -1.0");
        assertMessage(() -> new Sgd(0, 0, 0, true), "nesterov momentum requires momentum > 0 and dampening = 0, got "
                + "momentum 0.0, dampening 0.0");
        assertMessage(() -> new Sgd(0.9, 0.1, 0, true), "requires momentum > 0 and dampening = 0");
        assertMessage(() -> new Sgd(0.9, Double.NaN, 0, false), "sgd: dampening must be finite, got NaN");
        assertMessage(() -> new Adagrad(-1, 0, 0, 1e-10), "adagrad: lr_decay must be in [0, ∞), got -1.0");
        assertMessage(() -> new Adagrad(0, 0, -0.1, 1e-10), "adagrad: initial_accumulator_value must be in [0, ∞)");
        assertMessage(() -> new Adagrad(0, 0, 0, 0), "adagrad: eps must be in (0, ∞), got 0.0");
        for (String kind : new String[] {"adam", "adamw"}) {
            boolean w = kind.equals("adamw");
            assertMessage(() -> make(w, 1.0, 0.999, 1e-8, 0), kind + ": beta1 must be in [0, 1), got 1.0");
            assertMessage(() -> make(w, 0.9, -0.5, 1e-8, 0), kind + ": beta2 must be in [0, 1), got -0.5");
            assertMessage(() -> make(w, 0.9, 0.999, 0, 0), kind + ": eps must be in (0, ∞), got 0.0");
            assertMessage(() -> make(w, 0.9, 0.999, 1e-8, Double.POSITIVE_INFINITY),
                    kind + ": weight_decay must be in [0, ∞), got Infinity");
        }
        Params p = OptimFixtures.params(new int[] {3}, 1);
        for (Optimizer o : OptimFixtures.allKinds()) {
            assertMessage(() -> o.step(p, -1e-3), "lr must be >= 0 and finite, got -0.001");
            assertMessage(() -> o.step(p, Double.NaN), "lr must be >= 0 and finite, got NaN");
            assertMessage(() -> o.step(p, Double.POSITIVE_INFINITY), "lr must be >= 0 and finite, got Infinity");
            assertMessage(() -> o.step(null, 0.1), "params must not be null");
            assertEquals(0, o.steps());
        }
    }

    private static Optimizer make(boolean w, double b1, double b2, double eps, double wd) {
        return w ? new AdamW(b1, b2, eps, wd) : new Adam(b1, b2, eps, wd);
    }

    @Test
    void configRoundTripsAndDefaultsArePyTorchs() {
        for (Optimizer o : OptimFixtures.allKinds()) {
            Map<String, String> c = o.config();
            assertEquals(o.name(), c.get("optimizer"));
            Optimizer back = Optimizer.fromConfig(c);
            assertEquals(o.getClass(), back.getClass());
            assertEquals(c, back.config());
        }
        assertEquals(Map.of("optimizer", "adam", "beta1", "0.9", "beta2", "0.999", "eps", "1.0E-8", "weight_decay", "0.0"),
                new Adam().config());
        assertEquals("[optimizer, beta1, beta2, eps, weight_decay]", new Adam().config().keySet().toString());
        assertEquals(new AdamW().config(), Optimizer.fromConfig(Map.of("optimizer", "adamw")).config());
        assertEquals("0.01", new AdamW().config().get("weight_decay"));
        assertEquals(new Adagrad().config(), Optimizer.fromConfig(Map.of("optimizer", "adagrad")).config());
        assertEquals("1.0E-10", new Adagrad().config().get("eps"));
        assertEquals(Map.of("optimizer", "sgd", "momentum", "0.9", "dampening", "0.0", "weight_decay", "0.0",
                "nesterov", "true"), Optimizer.fromConfig(Map.of("optimizer", "sgd", "momentum", "0.9",
                "nesterov", "true")).config());
        // exact: a value that is not a short decimal survives
        double odd = 1.0 / 3;
        assertEquals(Double.toString(odd), Optimizer.fromConfig(new Adam(odd, 0.999, 1e-8, 0).config()).config().get("beta1"));

        assertMessage(() -> Optimizer.fromConfig(Map.of("beta1", "0.9")), "optimizer config lacks 'optimizer'");
        assertMessage(() -> Optimizer.fromConfig(Map.of("optimizer", "rmsprop")),
                "'optimizer' must be one of sgd, adagrad, adam, adamw, got 'rmsprop'");
        assertMessage(() -> Optimizer.fromConfig(Map.of("optimizer", "adam", "momentum", "0.9")),
                "optimizer config: unknown keys [momentum]");
        assertMessage(() -> Optimizer.fromConfig(Map.of("optimizer", "adam", "beta1", "high")),
                "'beta1' must be a number, got 'high'");
        assertMessage(() -> Optimizer.fromConfig(Map.of("optimizer", "sgd", "nesterov", "yes")),
                "'nesterov' must be true or false, got 'yes'");
        assertMessage(() -> Optimizer.fromConfig(Map.of("optimizer", "adam", "beta2", "1")), "beta2 must be in [0, 1)");
        assertMessage(() -> Optimizer.fromConfig(null), "optimizer config must not be null");
    }

    @Test
    void stateIsEmptyBeforeTheFirstStepThenNamedOrderedAndLive() {
        Params p = OptimFixtures.params(new int[] {4, 3}, 2);
        Adam adam = new Adam();
        assertTrue(adam.state().isEmpty());
        OptimFixtures.fillGrads(p, 2, 0);
        adam.step(p, 1e-3);
        Map<String, float[]> s = adam.state();
        assertEquals(List.of("exp_avg.rnn.weight_ih_l0", "exp_avg_sq.rnn.weight_ih_l0", "exp_avg.rnn.weight_hh_l0",
                "exp_avg_sq.rnn.weight_hh_l0"), new ArrayList<>(s.keySet()));
        assertTrue(s instanceof LinkedHashMap);
        assertSame(s.get("exp_avg.rnn.weight_ih_l0"), adam.state().get("exp_avg.rnn.weight_ih_l0"), "live arrays");
        assertEquals(1, adam.steps());

        Sgd plain = new Sgd();
        plain.step(p, 0.1);
        assertTrue(plain.state().isEmpty(), "SGD without momentum has no state");
        assertEquals(1, plain.steps());
        Sgd mom = new Sgd(0.9, 0, 0, false);
        mom.step(p, 0.1);
        assertEquals(List.of("momentum_buffer.rnn.weight_ih_l0", "momentum_buffer.rnn.weight_hh_l0"),
                new ArrayList<>(mom.state().keySet()));
        Adagrad ada = new Adagrad(0, 0, 0.25, 1e-10);
        ada.step(p, 0.1);
        assertEquals(List.of("sum.rnn.weight_ih_l0", "sum.rnn.weight_hh_l0"), new ArrayList<>(ada.state().keySet()));
    }

    /** The textbook update, where float rounding cannot differ: plain SGD is p − lr·g rounded once. */
    @Test
    void firstStepsMatchTheTextbookFormulas() {
        Params p = OptimFixtures.params(new int[] {50}, 3);
        float[] v0 = p.value("rnn.weight_ih_l0").clone();
        OptimFixtures.fillGrads(p, 3, 0);
        float[] g = p.grad("rnn.weight_ih_l0");
        new Sgd().step(p, 0.1);
        for (int j = 0; j < 50; j++) {
            assertEquals(Math.fma(g[j], -0.1f, v0[j]), p.value("rnn.weight_ih_l0")[j]);
        }
        // Adam's first step is −lr·sign(g) up to ε: m̂ = g, v̂ = g²
        Params q = OptimFixtures.params(new int[] {50}, 4);
        float[] w0 = q.value("rnn.weight_ih_l0").clone();
        OptimFixtures.fillGrads(q, 4, 0);
        float[] h = q.grad("rnn.weight_ih_l0");
        new Adam().step(q, 0.01);
        for (int j = 0; j < 50; j++) {
            double expected = h[j] == 0 ? w0[j] : w0[j] - 0.01 * Math.signum(h[j]);
            assertEquals(expected, q.value("rnn.weight_ih_l0")[j], 1e-6, "element " + j);
        }
    }

    @Test
    void loadStateValidatesNamesLengthsAndSteps() {
        Params p = OptimFixtures.params(new int[] {4, 3}, 5);
        Adam trained = new Adam();
        for (int s = 0; s < 3; s++) {
            OptimFixtures.fillGrads(p, 5, s);
            trained.step(p, 1e-3);
        }
        Map<String, float[]> good = OptimFixtures.copyState(trained.state());

        Adam fresh = new Adam();
        assertMessage(() -> fresh.loadState(null, 3), "state must not be null");
        assertMessage(() -> fresh.loadState(good, -1), "steps must be >= 0, got -1");
        assertMessage(() -> fresh.loadState(good, 0), "adam: a state with steps = 0 must be empty");
        assertMessage(() -> fresh.loadState(Map.of(), 3), "adam: steps = 3 but the state is empty");
        Map<String, float[]> bad = new LinkedHashMap<>(good);
        bad.put("momentum_buffer.rnn.weight_ih_l0", new float[4]);
        assertMessage(() -> fresh.loadState(bad, 3), "adam: unexpected state key 'momentum_buffer.rnn.weight_ih_l0'; "
                + "expected <slot>.<tensor> with a slot in [exp_avg, exp_avg_sq]");
        Map<String, float[]> missing = new LinkedHashMap<>(good);
        missing.remove("exp_avg_sq.rnn.weight_hh_l0");
        assertMessage(() -> fresh.loadState(missing, 3), "adam: state lacks 'exp_avg_sq.rnn.weight_hh_l0'");
        Map<String, float[]> ragged = new LinkedHashMap<>(good);
        ragged.put("exp_avg_sq.rnn.weight_hh_l0", new float[7]);
        assertMessage(() -> fresh.loadState(ragged, 3), "adam: state 'exp_avg_sq.rnn.weight_hh_l0' has 7 floats, "
                + "but 'exp_avg.rnn.weight_hh_l0' has 3");
        Map<String, float[]> nul = new LinkedHashMap<>(good);
        nul.put("exp_avg.rnn.weight_hh_l0", null);
        assertMessage(() -> fresh.loadState(nul, 3), "adam: state 'exp_avg.rnn.weight_hh_l0' is null");
        assertMessage(() -> new Sgd().loadState(good, 3), "sgd: unexpected state key 'exp_avg.rnn.weight_ih_l0'; "
                + "expected none (this optimizer has no state)");
        assertEquals(0, fresh.steps());
        assertTrue(fresh.state().isEmpty());

        // against params: immediately with the 3-argument form ...
        Params other = OptimFixtures.params(new int[] {4, 5}, 6);
        assertMessage(() -> fresh.loadState(other, good, 3), "adam: state 'exp_avg.rnn.weight_hh_l0' has 3 floats, "
                + "tensor 'rnn.weight_hh_l0' of params has 5");
        Params more = OptimFixtures.params(new int[] {4, 3, 2}, 6);
        assertMessage(() -> fresh.loadState(more, good, 3), "adam: state lacks 'exp_avg.rnn.bias_ih_l0' for tensor "
                + "'rnn.bias_ih_l0' of params");
        Params fewer = OptimFixtures.params(new int[] {4}, 6);
        assertMessage(() -> fresh.loadState(fewer, good, 3), "adam: state has tensors that params lack: "
                + "[exp_avg.rnn.weight_hh_l0, exp_avg_sq.rnn.weight_hh_l0]");
        assertEquals(0, fresh.steps());
        // ... or at the next step, which then changes nothing
        fresh.loadState(good, 3);
        assertEquals(3, fresh.steps());
        float[] before = other.value("rnn.weight_ih_l0").clone();
        assertMessage(() -> fresh.step(other, 1e-3), "tensor 'rnn.weight_hh_l0' of params has 5");
        assertArrayEquals(before, other.value("rnn.weight_ih_l0"));
        assertEquals(3, fresh.steps());
        fresh.step(p, 1e-3);   // the right params: fine
        assertEquals(4, fresh.steps());

        // once bound, loadState checks against the bound params right away
        Map<String, float[]> shorter = new LinkedHashMap<>();
        shorter.put("exp_avg.rnn.weight_ih_l0", new float[4]);
        shorter.put("exp_avg_sq.rnn.weight_ih_l0", new float[4]);
        assertMessage(() -> fresh.loadState(shorter, 3), "adam: state lacks 'exp_avg.rnn.weight_hh_l0' for tensor "
                + "'rnn.weight_hh_l0' of the params of the last step");
        assertEquals(4, fresh.steps());

        // reset
        fresh.loadState(Map.of(), 0);
        assertEquals(0, fresh.steps());
        assertTrue(fresh.state().isEmpty());
    }

    @Test
    void anotherParamsObjectOfTheSameShapeMayBeSteppedButNotADifferentOne() {
        Params p = OptimFixtures.params(new int[] {4, 3}, 7);
        Params same = OptimFixtures.copy(p);
        Adam a = new Adam();
        OptimFixtures.fillGrads(p, 7, 0);
        a.step(p, 1e-3);
        float[] m = a.state().get("exp_avg.rnn.weight_ih_l0");
        OptimFixtures.fillGrads(same, 7, 1);
        a.step(same, 1e-3);
        assertSame(m, a.state().get("exp_avg.rnn.weight_ih_l0"), "the state is kept, not reallocated");
        Params different = OptimFixtures.params(new int[] {4, 3, 1}, 7);
        assertMessage(() -> a.step(different, 1e-3), "state lacks 'exp_avg.rnn.bias_ih_l0'");
        assertEquals(2, a.steps());
        // tensors added to the bound Params after the first step are noticed too
        p.add("extra", new float[2], new float[2], 2);
        assertMessage(() -> a.step(p, 1e-3), "state lacks 'exp_avg.extra'");
        // an optimizer without state may switch freely
        Sgd sgd = new Sgd();
        sgd.step(p, 0.1);
        sgd.step(different, 0.1);
        assertEquals(2, sgd.steps());
    }

    @Test
    void loadStateCopiesAndStateStaysLive() {
        Params p = OptimFixtures.params(new int[] {5}, 8);
        Sgd a = new Sgd(0.9, 0, 0, false);
        OptimFixtures.fillGrads(p, 8, 0);
        a.step(p, 0.1);
        Map<String, float[]> s = a.state();
        Sgd b = new Sgd(0.9, 0, 0, false);
        b.loadState(p, s, 1);
        assertNotSame(s.get("momentum_buffer.rnn.weight_ih_l0"), b.state().get("momentum_buffer.rnn.weight_ih_l0"));
        assertArrayEquals(s.get("momentum_buffer.rnn.weight_ih_l0"), b.state().get("momentum_buffer.rnn.weight_ih_l0"));
    }

    /**
     * Once the state exists, a step allocates nothing. Math.fma is intrinsic in every HotSpot tier on
     * FMA hardware (and StrictMath.pow does not allocate), so even early steps should be clean; the JVM
     * occasionally charges a few bytes of JIT activity to the thread, so a run of 200 clean steps
     * among the first 20 000 is required, per optimizer.
     */
    @Test
    void steadyStateStepsAllocateNothing() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        for (Optimizer o : OptimFixtures.allKinds()) {
            Params p = OptimFixtures.params(new int[] {300, 17, 64}, 9);
            OptimFixtures.fillGrads(p, 9, 0);
            o.step(p, 1e-3);   // allocates the state
            int zeroRun = 0;
            long last = -1;
            for (int i = 0; i < 20_000 && zeroRun < 200; i++) {
                long before = mx.getThreadAllocatedBytes(id);
                o.step(p, 1e-4);
                last = mx.getThreadAllocatedBytes(id) - before;
                zeroRun = last == 0 ? zeroRun + 1 : 0;
            }
            assertTrue(zeroRun >= 200, o.name() + " " + o.config() + ": no run of 200 allocation-free steps; the last "
                    + "allocated " + last + " bytes");
        }
    }

    // ================================================================== docs

    private float[] target;

    /** The regression loss of the docs snippet: L = ½ Σ (out − target)², dOut = out − target. */
    private double lossAndGradient(float[] out, float[] dOut) {
        double l = 0;
        for (int i = 0; i < out.length; i++) {
            float d = out[i] - target[i];
            l += 0.5 * d * d;
            dOut[i] = d;
        }
        return l;
    }

    /** The snippet of docs/training.md, "A training loop", verbatim between the markers: it learns and resumes bitwise. */
    @Test
    void docsSnippetTrainsAndResumes() {
        int I = 3, H = 8, T = 10, B = 4;
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
        float[] x = new float[T * B * I];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextDouble(-1, 1);
        }
        target = new float[T * B * H];
        for (int i = 0; i < target.length; i++) {
            target[i] = (float) rnd.nextDouble(-0.5, 0.5);
        }
        float[] out = new float[T * B * H];
        float[] dOut = new float[T * B * H];
        double firstLoss = Double.NaN;
        double lastLoss = Double.NaN;
        // ---- docs/training.md, "A training loop" (the loss bookkeeping lines are the test's) ----
        RnnSpec spec = RnnSpec.builder(CellType.LSTM, I, H).numLayers(2).build();
        RnnWeights w = new RnnWeights(spec).initUniform(42);
        RnnWeights g = new RnnWeights(spec);                         // gradient accumulator
        Params params = new Params().addAll("rnn", w, g);            // the live arrays, not copies
        Rnn rnn = new Rnn(w);
        RnnWorkspace ws = new RnnWorkspace();

        Optimizer opt = new AdamW(0.9, 0.999, 1e-8, 0.01);           // torch.optim.AdamW(betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
        LrSchedule schedule = LrSchedule.cosine(3e-3, 10, 200, 3e-5);   // warm-up 10 updates, cosine to 3e-5 at update 200

        for (int update = 0; update < 200; update++) {
            params.zeroGrad();
            rnn.forward(ws, true, x, T, B, null, null, null, out, null, null);
            double loss = lossAndGradient(out, dOut);                // yours: fills dOut = dL/d(out)
            firstLoss = update == 0 ? loss : firstLoss;              // (test)
            lastLoss = loss;                                         // (test)
            rnn.backward(ws, dOut, null, null, g, null, null, null);
            GradClip.clipGradNorm(params, 1.0, true);                // clip_grad_norm_(model.parameters(), 1.0)
            opt.step(params, schedule.rate(opt.steps()));            // optimizer.step(); scheduler.step()
        }

        // checkpoint: three things, all plain data
        Map<String, float[]> state = opt.state();                    // "exp_avg.rnn.weight_ih_l0", ... (live arrays: copy or write now)
        long steps = opt.steps();
        Map<String, String> config = opt.config();                   // {optimizer=adamw, beta1=0.9, ...}

        // resume: bitwise the same continuation as if never interrupted
        Optimizer resumed = Optimizer.fromConfig(config);
        resumed.loadState(params, state, steps);
        // ---- end of snippet ----
        assertTrue(lastLoss < 0.75 * firstLoss, "the loss must fall: " + firstLoss + " -> " + lastLoss);
        RnnWeights saved = new RnnWeights(spec);
        saved.copyFrom(w);
        List<float[]> continued = new ArrayList<>();
        for (Optimizer o : new Optimizer[] {opt, resumed}) {
            w.copyFrom(saved);
            for (int k = 0; k < 3; k++) {
                params.zeroGrad();
                rnn.forward(ws, true, x, T, B, null, null, null, out, null, null);
                lossAndGradient(out, dOut);
                rnn.backward(ws, dOut, null, null, g, null, null, null);
                o.step(params, schedule.rate(o.steps()));
            }
            for (String n : params.names()) {
                continued.add(params.value(n).clone());
            }
        }
        int half = continued.size() / 2;
        for (int i = 0; i < half; i++) {
            assertArrayEquals(continued.get(i), continued.get(half + i), params.names().get(i));
        }
    }
}
