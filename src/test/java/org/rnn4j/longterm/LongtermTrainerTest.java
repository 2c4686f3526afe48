package org.rnn4j.longterm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Training runs: determinism with a step budget, learning at a short lag, divergence, budgets. */
class LongtermTrainerTest {

    @Test
    void aStepBudgetIsDeterministicGivenTheSeed() {
        LongtermTrainer.Settings s = new LongtermTrainer.Settings(8, 8, 0.01, 1, 16, 5);
        for (Task task : new Task[] {new AddingProblem(6), new CopyTask(2, 2, 3)}) {
            for (Variant v : Variant.values()) {
                LongtermTrainer.Result a = new LongtermTrainer(task, s).run(v, LongtermTrainer.Budget.steps(12));
                LongtermTrainer.Result b = new LongtermTrainer(task, s).run(v, LongtermTrainer.Budget.steps(12));
                assertEquals(12, a.steps());
                assertNull(a.divergence());
                assertEquals(a.test(), b.test(), v + " on " + task.describe());
                assertEquals(a.trainLoss(), b.trainLoss(), 0, v + " on " + task.describe());
                assertEquals(a.baseline(), b.baseline());
            }
        }
        // another seed, other data and weights
        LongtermTrainer.Settings s2 = new LongtermTrainer.Settings(8, 8, 0.01, 1, 16, 6);
        assertTrue(new LongtermTrainer(new AddingProblem(6), s).run(Variant.GRU, LongtermTrainer.Budget.steps(3)).test()
                .loss() != new LongtermTrainer(new AddingProblem(6), s2).run(Variant.GRU, LongtermTrainer.Budget.steps(3))
                .test().loss());
    }

    @Test
    void lstmBeatsTheAddingBaselineClearlyAtAShortLag() {
        LongtermTrainer.Settings s = new LongtermTrainer.Settings(32, 32, 0.01, 1, 200, 1);
        LongtermTrainer t = new LongtermTrainer(new AddingProblem(10), s);
        LongtermTrainer.Result r = t.run(Variant.LSTM, LongtermTrainer.Budget.steps(300));
        assertNull(r.divergence());
        assertTrue(r.test().loss() < 0.25 * r.baseline().loss(),
                "LSTM test MSE " + r.test().loss() + " vs baseline " + r.baseline().loss());
        assertEquals(200, r.test().count());
    }

    @Test
    void aDivergingRunStopsAndSaysWhy() {
        // IRNN with a huge learning rate at a long lag: W_hh leaves the identity, relu states explode
        LongtermTrainer.Settings s = new LongtermTrainer.Settings(8, 4, 1.0, 1, 4, 1);
        LongtermTrainer.Result r = new LongtermTrainer(new AddingProblem(200), s)
                .run(Variant.IRNN, LongtermTrainer.Budget.steps(50));
        assertNotNull(r.divergence());
        assertTrue(r.steps() < 50, r.steps() + " steps");
    }

    @Test
    void aZeroBudgetScoresTheInitialModel() {
        LongtermTrainer.Settings s = new LongtermTrainer.Settings(6, 5, 0.01, 0, 12, 3);
        LongtermTrainer t = new LongtermTrainer(new CopyTask(3, 2, 4), s);
        LongtermTrainer.Result r = t.run(Variant.LSTM, LongtermTrainer.Budget.seconds(0));
        assertEquals(0, r.steps());
        assertTrue(Double.isNaN(r.trainLoss()));
        assertEquals(t.newModel(Variant.LSTM).evaluate(t.testSet()), r.test());
        assertEquals(3, t.testSet().length, "12 sequences in batches of 5");
        assertEquals(2, t.testSet()[2].size());
        assertEquals(24, r.test().count(), "K = 2 symbols per sequence");
        // a time budget gets at least one step
        assertTrue(t.run(Variant.GRU, LongtermTrainer.Budget.seconds(0.05)).steps() >= 1);
    }

    @Test
    void settingsAndBudgetsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new LongtermTrainer.Settings(0, 1, 0.1, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new LongtermTrainer.Settings(1, 0, 0.1, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new LongtermTrainer.Settings(1, 1, 0, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new LongtermTrainer.Settings(1, 1, 0.1, -1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new LongtermTrainer.Settings(1, 1, 0.1, 1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> LongtermTrainer.Budget.steps(-1));
        assertThrows(IllegalArgumentException.class, () -> LongtermTrainer.Budget.seconds(Double.NaN));
        assertThrows(IllegalArgumentException.class,
                () -> new LongtermTrainer.Budget(Long.MAX_VALUE, Double.POSITIVE_INFINITY));
        assertTrue(LongtermTrainer.Budget.steps(3).deterministic());
        assertTrue(!LongtermTrainer.Budget.seconds(3).deterministic());
        LongtermTrainer t = new LongtermTrainer(new AddingProblem(4), new LongtermTrainer.Settings(2, 2, 0.1, 1, 2, 1));
        TaskModel other = new TaskModel(new AddingProblem(4), Variant.RNN, 2, 2, 1);
        assertThrows(IllegalArgumentException.class, () -> t.train(other, LongtermTrainer.Budget.steps(1)));
    }
}
