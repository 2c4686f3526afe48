package org.rnn4j.longterm;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.rnn4j.nn.SoftmaxCrossEntropy;

/**
 * The copy (memory) task (Hochreiter and Schmidhuber 1997; in this form Arjovsky, Shah and Bengio
 * 2016): remember K symbols over a gap of T blank steps, then reproduce them.
 *
 * <h2>The data</h2>
 * With an alphabet of A symbols, every step's input is one-hot over I = A + 2 channels: symbol
 * {@code a} is channel {@code a} (a in [0, A)), the blank is channel A, the delimiter channel A + 1.
 * A sequence has N = K + T + 1 + K steps:
 * <pre>
 *   steps 0 … K−1              K symbols, each drawn uniformly from the alphabet
 *   steps K … K+T−1            T blanks
 *   step  K+T                  the delimiter: "now write them out"
 *   steps K+T+1 … K+T+K        blanks; the network must output symbol s at step K+T+1+s
 * </pre>
 * A linear head with A outputs reads the network's output at the last K steps ({@link #lossSteps()} =
 * K, {@link #headSize()} = A); the loss is the softmax cross-entropy of the K symbols (only there: the
 * head's outputs at the other steps do not enter the loss, so they are not computed). Each symbol is
 * reproduced T + K + 1 steps after it was read.
 *
 * <h2>The baseline</h2>
 * The memoryless strategy: a network that does not remember the symbols can do no better, in
 * expectation, than a uniform guess over the alphabet, i.e. cross-entropy log A nats per symbol and
 * accuracy 1/A. {@link #baseline(Task.Batch[])} returns exactly these two numbers (expectations, not
 * measured on the set). Note that the loss here counts the K output steps only; Arjovsky et al.
 * average over all steps, which makes their baseline K·log A / (T + 2K).
 */
public final class CopyTask extends Task {
    private final int lag;
    private final int symbols;
    private final int alphabet;
    private final SoftmaxCrossEntropy xent = new SoftmaxCrossEntropy();

    /**
     * @param lag T, the blank steps between the symbols and the delimiter, {@code >= 0}
     * @param symbols K, the symbols to remember, {@code >= 1}
     * @param alphabet A, the alphabet size, {@code >= 2}
     * @throws IllegalArgumentException for a value out of range
     */
    public CopyTask(int lag, int symbols, int alphabet) {
        if (lag < 0) {
            throw new IllegalArgumentException("the copy task needs a lag >= 0, got " + lag);
        }
        if (symbols < 1) {
            throw new IllegalArgumentException("symbols must be >= 1, got " + symbols);
        }
        if (alphabet < 2) {
            throw new IllegalArgumentException("alphabet must be >= 2, got " + alphabet);
        }
        if ((long) lag + 2L * symbols + 1 > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException("lag and symbols too large: " + lag + ", " + symbols);
        }
        this.lag = lag;
        this.symbols = symbols;
        this.alphabet = alphabet;
    }

    @Override
    public String id() {
        return "copy";
    }

    @Override
    public String describe() {
        return "copy task, T = " + lag + ", K = " + symbols + " symbols of A = " + alphabet;
    }

    @Override
    public int lag() {
        return lag;
    }

    /** @return K, the symbols to copy */
    public int symbols() {
        return symbols;
    }

    /** @return A, the alphabet size */
    public int alphabet() {
        return alphabet;
    }

    /** @return the input channel of the blank, A */
    public int blankChannel() {
        return alphabet;
    }

    /** @return the input channel of the delimiter, A + 1 */
    public int delimiterChannel() {
        return alphabet + 1;
    }

    /** @return the step of the delimiter, K + T */
    public int delimiterStep() {
        return symbols + lag;
    }

    /** @return N = K + T + 1 + K */
    @Override
    public int seqLen() {
        return 2 * symbols + lag + 1;
    }

    /** @return A + 2 */
    @Override
    public int inputSize() {
        return alphabet + 2;
    }

    /** @return A */
    @Override
    public int headSize() {
        return alphabet;
    }

    /** @return K */
    @Override
    public int lossSteps() {
        return symbols;
    }

    /** @return true: the targets are symbols */
    @Override
    public boolean classification() {
        return true;
    }

    /* Per sequence: its K symbols, in order. */
    @Override
    void generate(SplittableRandom rnd, int batch, Batch dst) {
        float[] x = dst.x;
        int in = inputSize();
        int n = seqLen();
        Arrays.fill(x, 0, n * batch * in, 0f);
        for (int b = 0; b < batch; b++) {
            for (int s = 0; s < symbols; s++) {
                int a = rnd.nextInt(alphabet);
                x[(s * batch + b) * in + a] = 1f;
                dst.labels[s * batch + b] = a;
            }
            for (int t = symbols; t < n; t++) {
                x[(t * batch + b) * in + (t == delimiterStep() ? delimiterChannel() : blankChannel())] = 1f;
            }
        }
    }

    /** Σ over the K·B symbols of −log softmax(head)[symbol]; gradient {@code gradScale · (p − onehot)}. */
    @Override
    public double loss(Batch batch, float[] head, float[] dHead, float gradScale) {
        int rows = lossCount(batch.size());
        return xent.forwardBackward(rows, alphabet, head, 0, batch.labels, 0, dHead, 0, gradScale);
    }

    /* Cross-entropy in double (max-subtracted log-sum-exp) and argmax, the first maximum on ties. */
    @Override
    public void score(Batch batch, float[] head, Score.Accumulator acc) {
        int rows = lossCount(batch.size());
        for (int r = 0; r < rows; r++) {
            int off = r * alphabet;
            int arg = 0;
            for (int j = 1; j < alphabet; j++) {
                if (head[off + j] > head[off + arg]) {
                    arg = j;
                }
            }
            double m = head[off + arg];
            double sum = 0;
            for (int j = 0; j < alphabet; j++) {
                sum += Math.exp(head[off + j] - m);
            }
            int t = batch.labels[r];
            acc.lossSum += Math.log(sum) - (head[off + t] - m);
            if (arg == t) {
                acc.correct++;
            }
        }
        acc.count += rows;
    }

    /**
     * The memoryless strategy's expected score: cross-entropy log A nats per symbol, accuracy 1/A, over
     * the set's symbol count. Not measured: these are the exact expectations.
     *
     * @param set batches of this task (only their sizes are read)
     * @return (log A, 1/A, K · sequences)
     */
    @Override
    public Score baseline(Batch[] set) {
        long n = 0;
        for (Batch b : set) {
            n += lossCount(b.size());
        }
        return new Score(Math.log(alphabet), 1.0 / alphabet, n);
    }
}
