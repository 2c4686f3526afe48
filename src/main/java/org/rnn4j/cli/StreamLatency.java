package org.rnn4j.cli;

import java.util.Arrays;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.rnn4j.serve.StreamState;
import org.rnn4j.serve.StreamingModel;

/**
 * The latency of single streaming steps, as a service stepping one event at a time sees it: the
 * mean, the median and the tail (p99, p99.9, max) per step, with 1 or more threads each stepping
 * its own {@link StreamState} through one shared {@link StreamingModel} at the same time.
 *
 * <p>Method, per thread: warm-up of back-to-back steps for the budget, then every step timed on its
 * own for the budget: one {@code System.nanoTime()} after each step, the step's latency being the
 * difference to the previous reading (so one clock read is in every figure; two per step would
 * double that), written into a {@code long[]} sized before the timing for four times the steps of
 * the warm-up's second half and at least {@value #MIN_SAMPLES}. Nothing is allocated while timing;
 * the array is sorted afterwards. The timing stops at the budget or when the array is full (at most
 * {@value #MAX_SAMPLES} steps per thread), whichever comes first. The threads start the warm-up and
 * the timing together (a barrier) and their latencies are merged before the percentiles are taken.
 * The calling thread is the first of them.
 *
 * <p>Percentiles are nearest-rank ({@link #nearestRank}).
 */
final class StreamLatency {
    private StreamLatency() {}

    /** Most timed steps per thread: 32 MB of samples. */
    static final int MAX_SAMPLES = 1 << 22;
    /** Room for at least this many timed steps per thread. */
    static final int MIN_SAMPLES = 1 << 16;

    /**
     * One measurement, all threads' steps merged.
     *
     * @param threads threads stepping at the same time, each its own stream
     * @param steps timed steps, all threads together
     * @param meanNs mean latency of a step
     * @param p50Ns median (nearest rank)
     * @param p99Ns 99th percentile (nearest rank)
     * @param p999Ns 99.9th percentile (nearest rank)
     * @param maxNs the slowest step
     * @param bytesPerStep bytes allocated per timed step, every thread's allocation counted; NaN where the
     *        JVM has no per-thread allocation counter (ThreadAllocation)
     */
    record Result(int threads, long steps, double meanNs, long p50Ns, long p99Ns, long p999Ns, long maxNs,
                  double bytesPerStep) {}

    /**
     * The nearest-rank percentile: the smallest sample such that at least {@code perMille}/1000 of
     * the samples are ≤ it, i.e. {@code sorted[⌈perMille·count/1000⌉ − 1]}. p50 is 500, p99 990, p99.9
     * 999, the maximum 1000. Computed in integers, so no rounding can move the rank.
     *
     * @param sorted samples in ascending order in {@code sorted[0 .. count)}
     * @param count samples, ≥ 1 and ≤ sorted.length
     * @param perMille the percentile in parts per thousand, in [1, 1000]
     * @return the percentile's sample
     * @throws IllegalArgumentException if count or perMille is out of range
     */
    static long nearestRank(long[] sorted, int count, int perMille) {
        if (count < 1 || count > sorted.length) {
            throw new IllegalArgumentException("count must be in [1, " + sorted.length + "], got " + count);
        }
        if (perMille < 1 || perMille > 1000) {
            throw new IllegalArgumentException("perMille must be in [1, 1000], got " + perMille);
        }
        long rank = ((long) perMille * count + 999) / 1000;
        return sorted[(int) rank - 1];
    }

    /**
     * Steps {@code threads} streams through {@code model} at the same time and times every step.
     *
     * @param model the shared model; takes input vectors
     * @param x one input, read by every thread
     * @param threads threads, ≥ 1
     * @param seconds warm-up and timing budget, each, > 0
     * @return the merged latencies
     * @throws IllegalArgumentException if threads or seconds is out of range
     */
    static Result measure(StreamingModel model, float[] x, int threads, double seconds) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (!(seconds > 0)) {
            throw new IllegalArgumentException("seconds must be > 0, got " + seconds);
        }
        long budget = (long) (seconds * 1e9);
        CyclicBarrier start = new CyclicBarrier(threads);
        Stepper[] steppers = new Stepper[threads];
        Thread[] helpers = new Thread[threads - 1];
        for (int i = 0; i < threads; i++) {
            steppers[i] = new Stepper(model, x, budget, start);
        }
        for (int i = 1; i < threads; i++) {
            helpers[i - 1] = new Thread(steppers[i], "rnn4j-stream-" + i);
            helpers[i - 1].setDaemon(true);
            helpers[i - 1].start();
        }
        steppers[0].run();
        for (Thread t : helpers) {
            joinUninterruptibly(t);
        }
        Throwable failure = null;
        for (Stepper s : steppers) {
            // The thread that failed first, not the ones its failure released from the barrier.
            if (s.failure != null && (failure == null || failure instanceof BrokenBarrierException
                    || failure instanceof TimeoutException)) {
                failure = s.failure;
            }
        }
        if (failure != null) {
            throw new IllegalStateException("a streaming thread failed: " + failure, failure);
        }
        long total = 0;
        long bytes = 0;
        for (Stepper s : steppers) {
            total += s.count;
            bytes += s.bytes;
        }
        long[] all = new long[Math.toIntExact(total)];
        int n = 0;
        long sum = 0;
        for (Stepper s : steppers) {
            System.arraycopy(s.samples, 0, all, n, s.count);
            n += s.count;
            for (int i = 0; i < s.count; i++) {
                sum += s.samples[i];
            }
        }
        Arrays.sort(all);
        return new Result(threads, total, (double) sum / total, nearestRank(all, n, 500), nearestRank(all, n, 990),
                nearestRank(all, n, 999), all[n - 1], ThreadAllocation.available() ? (double) bytes / total : Double.NaN);
    }

    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** One thread's stream, warm-up and timed steps. */
    private static final class Stepper implements Runnable {
        private final StreamingModel model;
        private final float[] x;
        private final long budget;
        private final CyclicBarrier start;
        long[] samples;
        int count;
        long bytes;
        Throwable failure;

        Stepper(StreamingModel model, float[] x, long budget, CyclicBarrier start) {
            this.model = model;
            this.x = x;
            this.budget = budget;
            this.start = start;
        }

        @Override
        public void run() {
            try {
                measure();
            } catch (Throwable e) {
                failure = e;
                // Release the threads waiting for this one; one that arrives later times out.
                start.reset();
            }
        }

        private void measure() throws InterruptedException, BrokenBarrierException, TimeoutException {
            // Every thread reaches the barrier within one budget of the others, unless one failed.
            long patience = 4 * budget + 10_000_000_000L;
            StreamState s = model.newState();
            float[] y = new float[model.outputSize()];
            start.await(patience, TimeUnit.NANOSECONDS);
            long t0 = System.nanoTime();
            long warm = 0;
            long halfSteps = 0;
            long halfTime = 0;
            long now;
            do {
                model.step(s, x, 0, y, 0);
                warm++;
                now = System.nanoTime();
                if (halfSteps == 0 && now - t0 >= budget / 2) {
                    halfSteps = warm;
                    halfTime = now;
                }
            } while (now - t0 < budget || warm < 2);
            // From the warm-up's second half, when the step is compiled (the first steps run in the
            // interpreter, thousands of times slower); four times that count, and a floor, so that the
            // timing ends at the budget rather than at a full array.
            double perStep = warm > halfSteps && halfSteps > 0 ? (double) (now - halfTime) / (warm - halfSteps)
                    : (double) (now - t0) / warm;
            samples = new long[(int) Math.min(MAX_SAMPLES, Math.max(MIN_SAMPLES, 4 * budget / perStep))];
            start.await(patience, TimeUnit.NANOSECONDS);
            long a0 = ThreadAllocation.bytes();
            long begin = System.nanoTime();
            long prev = begin;
            int n = 0;
            long[] lat = samples;
            while (n < lat.length) {
                model.step(s, x, 0, y, 0);
                long t = System.nanoTime();
                lat[n++] = t - prev;
                prev = t;
                if (t - begin >= budget) {
                    break;
                }
            }
            bytes = ThreadAllocation.bytes() - a0;
            count = n;
        }
    }
}
