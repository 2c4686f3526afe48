package org.rnn4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.rnn4j.nn.Params;

/**
 * Resume exactness: save {@link Optimizer#state()} and {@link Optimizer#steps()} after k steps,
 * continue on a fresh optimizer (from {@link Optimizer#fromConfig} of the saved {@link Optimizer#config()})
 * and a fresh copy of the values through {@link Optimizer#loadState}: the values and the state after n
 * steps are bitwise those of an uninterrupted run.
 */
class OptimizerResumeProperties {

    @Provide
    Arbitrary<Optimizer> optimizers() {
        Arbitrary<Double> beta = Arbitraries.doubles().between(0, 0.999).ofScale(4);
        Arbitrary<Double> eps = Arbitraries.of(1e-10, 1e-8, 1e-6, 1e-3);
        Arbitrary<Double> wd = Arbitraries.oneOf(Arbitraries.just(0.0), Arbitraries.doubles().between(0, 0.2).ofScale(4));
        Arbitrary<Double> mom = Arbitraries.oneOf(Arbitraries.just(0.0), Arbitraries.doubles().between(0, 0.99).ofScale(4));
        Arbitrary<Optimizer> sgd = Combinators.combine(mom, Arbitraries.doubles().between(0, 0.5).ofScale(4), wd,
                Arbitraries.of(false, true)).as((m, d, w, n) -> n && m > 0 ? new Sgd(m, 0, w, true) : new Sgd(m, d, w, false));
        Arbitrary<Optimizer> adagrad = Combinators.combine(Arbitraries.doubles().between(0, 0.1).ofScale(4), wd,
                Arbitraries.doubles().between(0, 1).ofScale(4), eps).as(Adagrad::new);
        Arbitrary<Optimizer> adam = Combinators.combine(beta, beta, eps, wd).as(Adam::new);
        Arbitrary<Optimizer> adamw = Combinators.combine(beta, beta, eps, wd).as(AdamW::new);
        return Arbitraries.oneOf(sgd, adagrad, adam, adamw);
    }

    @Property(tries = 300)
    void resumingFromSavedStateIsBitwiseExact(@ForAll("optimizers") Optimizer template,
                                              @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 0, max = 40) Integer> lengths,
                                              @ForAll @IntRange(min = 0, max = 12) int k,
                                              @ForAll @IntRange(min = 0, max = 12) int more,
                                              @ForAll @IntRange(min = 1, max = 3) int lrKind,
                                              @ForAll long seed,
                                              @ForAll boolean bindAtLoad) {
        int n = k + more;
        int[] len = lengths.stream().mapToInt(Integer::intValue).toArray();
        LrSchedule schedule = lrKind == 1 ? LrSchedule.constant(0.01)
                : lrKind == 2 ? LrSchedule.stepDecay(0.05, 3, 0.7) : LrSchedule.cosine(0.02, 2, 10, 1e-4);

        // uninterrupted
        Optimizer a = Optimizer.fromConfig(template.config());
        Params pa = OptimFixtures.params(len, seed);
        for (long s = 0; s < n; s++) {
            OptimFixtures.fillGrads(pa, seed, s);
            a.step(pa, schedule.rate(a.steps()));
        }

        // interrupted after k steps: save, then continue elsewhere
        Optimizer b = Optimizer.fromConfig(template.config());
        Params pb = OptimFixtures.params(len, seed);
        for (long s = 0; s < k; s++) {
            OptimFixtures.fillGrads(pb, seed, s);
            b.step(pb, schedule.rate(b.steps()));
        }
        Map<String, float[]> saved = OptimFixtures.copyState(b.state());
        long savedSteps = b.steps();
        Map<String, String> savedConfig = b.config();
        Params pc = OptimFixtures.copy(pb);
        // scribble on the original so that nothing is shared by accident
        for (float[] v : b.state().values()) {
            java.util.Arrays.fill(v, Float.NaN);
        }

        Optimizer c = Optimizer.fromConfig(savedConfig);
        if (bindAtLoad) {
            c.loadState(pc, saved, savedSteps);
        } else {
            c.loadState(saved, savedSteps);
        }
        for (float[] v : saved.values()) {
            java.util.Arrays.fill(v, Float.NaN);   // loadState copied them
        }
        assertEquals(k, c.steps());
        assertEquals(saved.keySet(), c.state().keySet());
        for (long s = k; s < n; s++) {
            OptimFixtures.fillGrads(pc, seed, s);
            c.step(pc, schedule.rate(c.steps()));
        }

        assertEquals(a.steps(), c.steps());
        for (String name : pa.names()) {
            assertArrayEquals(bits(pa.value(name)), bits(pc.value(name)), name + " after " + n + " steps, resumed at " + k);
        }
        Map<String, float[]> sa = a.state();
        Map<String, float[]> sc = c.state();
        assertEquals(List.copyOf(sa.keySet()), List.copyOf(sc.keySet()));
        for (String key : sa.keySet()) {
            assertArrayEquals(bits(sa.get(key)), bits(sc.get(key)), key);
        }
    }

    private static int[] bits(float[] a) {
        int[] b = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = Float.floatToRawIntBits(a[i]);
        }
        return b;
    }
}
