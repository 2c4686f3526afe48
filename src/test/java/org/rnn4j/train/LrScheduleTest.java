package org.rnn4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Scale;
import org.junit.jupiter.api.Test;
import org.rnn4j.io.Safetensors;
import org.rnn4j.io.SafetensorsFile;

/** LrSchedule: rates against torch's schedulers and an independent formula, config, validation. */
class LrScheduleTest {

    private static SafetensorsFile golden() throws IOException, URISyntaxException {
        return Safetensors.read(OptimizerGoldenTest.goldenDir().resolve("lr_schedules.safetensors"));
    }

    /** The rnn4j config of golden tensor {@code name}: its {@code name.*} metadata, less the torch description. */
    private static Map<String, String> config(SafetensorsFile f, String name) {
        Map<String, String> c = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : f.metadata().entrySet()) {
            if (e.getKey().startsWith(name + ".") && !e.getKey().equals(name + ".torch")) {
                c.put(e.getKey().substring(name.length() + 1), e.getValue());
            }
        }
        return c;
    }

    /**
     * StepLR. torch's chainable form multiplies the previous rate by gamma at each decay: after
     * d = ⌊s/stepSize⌋ decays its rate carries d roundings of ≤ 2⁻⁵³ relative; rnn4j's lr·gamma^d
     * carries pow's (&lt; 1 ulp) and one multiplication. So |Δ| ≤ (d + 2)·2⁻⁵²·rate.
     */
    @Test
    void stepDecayMatchesTorchStepLR() throws IOException, URISyntaxException {
        SafetensorsFile f = golden();
        int cases = 0;
        Map<String, Double> worst = new TreeMap<>();
        for (String name : f.names()) {
            if (!name.startsWith("step.")) {
                continue;
            }
            cases++;
            LrSchedule s = LrSchedule.fromConfig(config(f, name));
            assertEquals(config(f, name).get("schedule"), s.config().get("schedule"));
            long stepSize = Long.parseLong(config(f, name).get("step_size"));
            double[] torch = f.tensor(name).asDoubles();
            double w = 0;
            for (int i = 0; i < torch.length; i++) {
                double d = i / stepSize;
                double err = Math.abs(s.rate(i) - torch[i]);
                double tol = (d + 2) * 0x1p-52 * torch[i];
                w = Math.max(w, err / tol);
                assertTrue(err <= tol, name + " s=" + i + ": rnn4j " + s.rate(i) + ", torch " + torch[i]);
            }
            worst.put(name, w);
        }
        assertEquals(3, cases);
        System.out.println("StepLR vs torch, worst error in tolerance units: " + worst);
    }

    /**
     * Cosine with warm-up against torch's SequentialLR(LinearLR, CosineAnnealingLR), for s = 0..T.
     * torch gets there through chained ratios (each step multiplies the previous rate by a ratio of
     * cosines), which the generator measured at ≤ 4.2·10⁻¹⁶·lr from the closed form; the tolerance
     * 10⁻¹⁴·lr is that times 24, a bound for up to ~100 chained steps of a few ulp each.
     */
    @Test
    void cosineMatchesTorchSequentialLinearThenCosineAnnealing() throws IOException, URISyntaxException {
        SafetensorsFile f = golden();
        int cases = 0;
        for (String name : f.names()) {
            if (!name.startsWith("cosine.")) {
                continue;
            }
            cases++;
            Map<String, String> c = config(f, name);
            LrSchedule s = LrSchedule.fromConfig(c);
            double lr = Double.parseDouble(c.get("lr"));
            double[] torch = f.tensor(name).asDoubles();
            assertEquals(Long.parseLong(c.get("total_steps")) + 1, torch.length);
            for (int i = 0; i < torch.length; i++) {
                assertEquals(torch[i], s.rate(i), 1e-14 * lr, name + " s=" + i + " (" + f.metadata(name + ".torch") + ")");
            }
        }
        assertEquals(4, cases);
    }

    /**
     * Against an independent double computation: the half-cosine as cos²(π·(s − W) / (2(T − W)))
     * (a different formula, Math.cos instead of StrictMath.cos) — agreement to 8 ulp of lr.
     */
    @Property(tries = 300)
    void cosineEqualsIndependentFormula(@ForAll @DoubleRange(min = 1e-6, max = 10) @Scale(9) double lr,
                                        @ForAll @LongRange(min = 0, max = 50) long warmup,
                                        @ForAll @LongRange(min = 1, max = 500) long span,
                                        @ForAll @DoubleRange(min = 0, max = 1) @Scale(6) double minFraction,
                                        @ForAll @LongRange(min = 0, max = 700) long step) {
        long total = warmup + span;
        double minLr = lr * minFraction;
        LrSchedule s = LrSchedule.cosine(lr, warmup, total, minLr);
        double expected;
        if (step < warmup) {
            expected = lr * ((double) (step + 1) / warmup);
        } else if (step >= total) {
            expected = minLr;
        } else {
            double c = Math.cos(Math.PI * (step - warmup) / (2.0 * span));
            expected = minLr + (lr - minLr) * c * c;
        }
        assertEquals(expected, s.rate(step), 8 * Math.ulp(lr), "step " + step);
        // the warm-up rises from 0 (it may start below minLr), the cosine stays within [minLr, lr]
        assertTrue(s.rate(step) > 0 || minLr == 0);
        assertTrue(s.rate(step) <= lr && (step < warmup || s.rate(step) >= minLr), "step " + step + ": " + s.rate(step));
    }

    @Test
    void cosineShapeAtTheEdges() {
        LrSchedule s = LrSchedule.cosine(0.1, 4, 14, 0.01);
        assertEquals(0.025, s.rate(0), 1e-17);          // lr / W
        assertEquals(0.1, s.rate(3), 0);                 // lr at W - 1 (exact: lr · (4 / 4))
        assertEquals(0.1, s.rate(4), 0);                 // lr at W (cos 0 = 1)
        assertEquals(0.055, s.rate(9), 1e-16);           // halfway: (lr + minLr) / 2
        assertEquals(0.01, s.rate(14), 0);               // minLr at T
        assertEquals(0.01, s.rate(1_000_000), 0);        // and after
        LrSchedule noWarmup = LrSchedule.cosine(1, 0, 10, 0);
        assertEquals(1, noWarmup.rate(0), 0);
        assertEquals(0, noWarmup.rate(10), 0);
        assertTrue(noWarmup.rate(9) > 0);
    }

    @Test
    void stepDecayAndConstant() {
        LrSchedule s = LrSchedule.stepDecay(0.1, 3, 0.5);
        assertEquals(0.1, s.rate(0), 0);
        assertEquals(0.1, s.rate(2), 0);
        assertEquals(0.05, s.rate(3), 0);
        assertEquals(0.025, s.rate(8), 0);
        assertEquals(0.1 * Math.pow(0.5, 1000), s.rate(3000), 0);
        assertEquals(0.1, LrSchedule.stepDecay(0.1, 1, 1.0).rate(Long.MAX_VALUE), 0);
        assertEquals(0.3, LrSchedule.constant(0.3).rate(123456789L), 0);
    }

    @Test
    void configRoundTripsExactly() {
        for (LrSchedule s : new LrSchedule[] {LrSchedule.constant(0.1 + 0.2), LrSchedule.stepDecay(3e-4, 7, 0.9),
                LrSchedule.cosine(1.0 / 3, 17, 1000, 1e-7), LrSchedule.cosine(0.05, 0, 1, 0)}) {
            Map<String, String> c = s.config();
            LrSchedule t = LrSchedule.fromConfig(c);
            assertEquals(c, t.config());
            for (long step : new long[] {0, 1, 5, 16, 17, 18, 500, 999, 1000, 5000}) {
                assertEquals(Double.doubleToRawLongBits(s.rate(step)), Double.doubleToRawLongBits(t.rate(step)));
            }
        }
        assertEquals(Map.of("schedule", "step", "lr", "0.1", "step_size", "3", "gamma", "0.5"),
                LrSchedule.stepDecay(0.1, 3, 0.5).config());
        assertEquals("[schedule, lr, warmup_steps, total_steps, min_lr]",
                LrSchedule.cosine(0.1, 1, 2, 0).config().keySet().toString());
    }

    @Test
    void invalidArgumentsAreRejectedWithClearMessages() {
        assertMessage(() -> LrSchedule.constant(0), "lr must be > 0 and finite, got 0.0");
        assertMessage(() -> LrSchedule.constant(Double.NaN), "lr must be > 0 and finite, got NaN");
        assertMessage(() -> LrSchedule.stepDecay(0.1, 0, 0.5), "step_size must be >= 1, got 0");
        assertMessage(() -> LrSchedule.stepDecay(0.1, 1, 0), "gamma must be in (0, 1], got 0.0");
        assertMessage(() -> LrSchedule.stepDecay(0.1, 1, 1.5), "gamma must be in (0, 1], got 1.5");
        assertMessage(() -> LrSchedule.cosine(0.1, -1, 10, 0), "warmup_steps must be >= 0, got -1");
        assertMessage(() -> LrSchedule.cosine(0.1, 10, 10, 0), "total_steps must be > warmup_steps = 10, got 10");
        assertMessage(() -> LrSchedule.cosine(0.1, 0, 10, 0.2), "min_lr must be in [0, lr = 0.1], got 0.2");
        assertMessage(() -> LrSchedule.constant(1).rate(-1), "step must be >= 0, got -1");
        assertMessage(() -> LrSchedule.fromConfig(Map.of("schedule", "linear", "lr", "1")),
                "'schedule' must be one of constant, step, cosine, got 'linear'");
        assertMessage(() -> LrSchedule.fromConfig(Map.of("schedule", "step", "lr", "1", "gamma", "0.5")),
                "lacks 'step_size'");
        assertMessage(() -> LrSchedule.fromConfig(Map.of("schedule", "constant", "lr", "1", "gama", "0.5")),
                "unknown keys [gama]");
        assertMessage(() -> LrSchedule.fromConfig(Map.of("schedule", "constant", "lr", "fast")),
                "'lr' must be a number, got 'fast'");
        assertMessage(() -> LrSchedule.fromConfig(null), "schedule config must not be null");
    }

    static void assertMessage(org.junit.jupiter.api.function.Executable e, String part) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        assertTrue(x.getMessage().contains(part), "message '" + x.getMessage() + "' lacks '" + part + "'");
    }
}
