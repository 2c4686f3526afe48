package org.rnn4j.kernel;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A small team of daemon worker threads that stay awake (spinning) for a short while after each
 * task, so that the next task handed to them starts within about a microsecond instead of after a
 * thread wake-up: the OpenMP "active wait" policy, for the per-step GEMMs of an RNN, which come every
 * few hundred microseconds and are too short to amortise a park/unpark round trip (a hand-off through
 * park/unpark costs a large share of such a GEMM on a virtualised machine; docs/performance.md, "Two threads").
 *
 * <p>Use it as the executor of a {@link Parallelism}:
 * <pre>{@code
 * try (WorkerTeam team = new WorkerTeam(1)) {          // one helper: two threads in all
 *     RnnWorkspace ws = new RnnWorkspace(team.parallelism(), 1);
 *     ...
 * }
 * }</pre>
 * A plain {@link java.util.concurrent.ExecutorService} works too; this class only changes how fast
 * an idle worker notices new work. While spinning, a worker occupies a core: give the team no more
 * workers than there are cores beside the calling thread. After {@code spinNanos} without work a
 * worker parks and costs nothing until the next {@link #execute}.
 *
 * <p>Tasks run in submission order per queue, on whichever worker takes them first. A task that
 * throws does not kill its worker: the throwable goes to the worker thread's uncaught-exception
 * handler. (GEMM pieces catch their own failures and rethrow them on the calling thread.)
 *
 * <p>Thread-safe. {@link #close} stops the workers once the queue is empty: every task that
 * {@link #execute} accepted still runs (a GEMM waiting for its pieces never hangs on a closed team);
 * tasks submitted after that are rejected with {@link RejectedExecutionException} (which
 * {@link Parallelism}'s callers answer by running the piece on the calling thread).
 */
public final class WorkerTeam implements Executor, AutoCloseable {
    /**
     * Default time a worker keeps spinning after its last task: longer than the gate math between two
     * recurrent GEMMs of one step loop (tens of microseconds at H ≤ 1024), short enough that an idle
     * service does not burn a core.
     */
    public static final long DEFAULT_SPIN_NANOS = 200_000L;

    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final Thread[] workers;
    /**
     * Per worker: 1 while it is parked or about to park (set before its last look at the queue). Atomic
     * (volatile) accesses on both sides, so a worker's flag store and a submitter's queue offer cannot
     * both go unseen by the other (the no-lost-wake-up argument in {@link #execute}).
     */
    private final AtomicIntegerArray parked;
    private final long spinNanos;
    private volatile boolean closed;

    /**
     * Starts {@code workers} daemon threads named {@code rnn4j-worker-N} that spin
     * {@link #DEFAULT_SPIN_NANOS} after each task.
     *
     * @param workers helper threads, {@code >= 1}; the calling thread is not counted
     * @throws IllegalArgumentException if {@code workers < 1}
     */
    public WorkerTeam(int workers) {
        this(workers, DEFAULT_SPIN_NANOS);
    }

    /**
     * Starts {@code workers} daemon threads that spin {@code spinNanos} nanoseconds after each task
     * before parking.
     *
     * @param workers helper threads, {@code >= 1}; the calling thread is not counted
     * @param spinNanos how long an idle worker polls before parking, {@code >= 0}; 0 parks at once
     *                  (a plain thread pool's behaviour)
     * @throws IllegalArgumentException if {@code workers < 1} or {@code spinNanos < 0}
     */
    public WorkerTeam(int workers, long spinNanos) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be >= 1, got " + workers);
        }
        if (spinNanos < 0) {
            throw new IllegalArgumentException("spinNanos must be >= 0, got " + spinNanos);
        }
        this.spinNanos = spinNanos;
        this.workers = new Thread[workers];
        this.parked = new AtomicIntegerArray(workers);
        for (int w = 0; w < workers; w++) {
            int id = w;
            Thread t = new Thread(() -> work(id), "rnn4j-worker-" + w);
            t.setDaemon(true);
            this.workers[w] = t;
        }
        for (Thread t : this.workers) {
            t.start();
        }
    }

    /** Helper threads in this team (the calling thread not counted). */
    public int workers() {
        return workers.length;
    }

    /**
     * A {@link Parallelism} that splits work into {@code workers() + 1} pieces: one for the calling
     * thread and one per worker. A new (immutable) record on each call; it is only valid while the
     * team is open.
     */
    public Parallelism parallelism() {
        return new Parallelism(this, workers.length + 1);
    }

    /**
     * Queues {@code task} for the next free worker and wakes a parked one.
     *
     * @throws NullPointerException if {@code task} is null
     * @throws RejectedExecutionException after {@link #close}
     */
    @Override
    public void execute(Runnable task) {
        if (task == null) {
            throw new NullPointerException("task must not be null");
        }
        if (closed) {
            throw new RejectedExecutionException("WorkerTeam is closed");
        }
        queue.offer(task);
        if (closed && queue.remove(task)) {
            // close() came between the check above and the offer, and no worker took the task (the
            // workers may already have found the queue empty and stopped): reject it after all
            throw new RejectedExecutionException("WorkerTeam is closed");
        }
        // A worker sets its flag before its final look at the queue and parks only after that look
        // found nothing, so either it sees this task or it is flagged here and gets unparked (an unpark
        // that comes before the park makes the park return at once).
        for (int w = 0; w < workers.length; w++) {
            if (parked.get(w) == 1) {
                LockSupport.unpark(workers[w]);
                break;
            }
        }
    }

    /**
     * Stops the workers once they have run every task already accepted, and returns without waiting
     * for them; idempotent.
     */
    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) {
            LockSupport.unpark(t);
        }
    }

    /**
     * Polls {@code latch} for up to this team's spin time (the caller's half of the active wait);
     * returns when it reached zero or the time ran out, so the caller can fall back to a blocking wait.
     */
    void spinUntilZero(java.util.concurrent.CountDownLatch latch) {
        if (spinNanos == 0 || latch.getCount() == 0) {
            return;
        }
        long start = System.nanoTime();
        while (latch.getCount() != 0 && System.nanoTime() - start < spinNanos) {
            Thread.onSpinWait();
        }
    }

    private void work(int id) {
        Thread self = Thread.currentThread();
        while (true) {
            Runnable task = queue.poll();
            if (task == null) {
                long start = System.nanoTime();
                while ((task = queue.poll()) == null && !closed && System.nanoTime() - start < spinNanos) {
                    Thread.onSpinWait();
                }
            }
            if (task == null && closed) {
                // one more look after seeing closed: an execute that was not rejected offered its
                // task before close() set the flag, so this poll sees it (or another worker took it)
                task = queue.poll();
                if (task == null) {
                    return;
                }
            }
            if (task == null) {
                parked.set(id, 1);
                task = queue.poll();
                if (task == null && !closed) {
                    LockSupport.park(this);
                }
                parked.set(id, 0);
                if (task == null) {
                    continue;
                }
            }
            try {
                task.run();
            } catch (Throwable e) {
                self.getUncaughtExceptionHandler().uncaughtException(self, e);
            }
        }
    }
}
