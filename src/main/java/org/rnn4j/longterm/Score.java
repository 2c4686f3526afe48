package org.rnn4j.longterm;

/**
 * How well a model (or a baseline) does on a set of sequences of a {@link Task}.
 *
 * @param loss the mean loss per target: the mean squared error for the {@link AddingProblem}, the
 *             mean cross-entropy in nats per output symbol for the {@link CopyTask}
 * @param accuracy the fraction of targets whose argmax prediction is right (classification), or NaN
 *                 for a regression
 * @param count the number of targets the means are over (sequences × loss steps)
 */
public record Score(double loss, double accuracy, long count) {

    /** Running sums of a score, filled by {@link Task#score}; not thread-safe. */
    public static final class Accumulator {
        double lossSum;
        long correct;
        long count;
        private final boolean classification;

        /**
         * @param classification whether accuracy is counted
         */
        public Accumulator(boolean classification) {
            this.classification = classification;
        }

        /** @return the mean loss, accuracy and count so far (NaN means for an empty accumulator) */
        public Score score() {
            double n = count;
            return new Score(lossSum / n, classification ? correct / n : Double.NaN, count);
        }
    }
}
