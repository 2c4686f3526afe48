package org.rnn4j.lm;

import org.rnn4j.cell.CellType;

/**
 * Everything that defines a new language-model training run, before the text is seen: tokenizer,
 * model shape, BPTT chunking, optimizer and learning-rate schedule. {@link TrainingRun#start} turns
 * it into a tokenizer, a model, an optimizer and a schedule; {@code rnn4j train} fills it from its
 * options (the defaults here are that command's defaults).
 *
 * <p>Four values depend on what the run finds and are null for "the default": {@code lr} (adam and
 * adamw 3e-3, sgd 1, adagrad 0.1), {@code weightDecay} (adamw 0.01, else 0), {@code warmup} (cosine:
 * min(100, 5 % of all steps)) and {@code stepSize} (step: one epoch).
 *
 * @param tokenizer {@code "char"} or {@code "word"}
 * @param minFreq word tokenizer: words seen fewer times become {@code <unk>}; ≥ 1
 * @param valFraction share of the tokens (the end of the text) held out for validation; in [0.001, 0.5]
 * @param cell the recurrent cell; not null
 * @param hidden hidden size H; ≥ 1
 * @param layers stacked layers; ≥ 1
 * @param embedding embedding size E; ≥ 1
 * @param dropout dropout between layers during training; in [0, 0.99]
 * @param seqLen chunk length T = BPTT truncation; ≥ 1
 * @param batch parallel streams B; ≥ 1
 * @param epochs passes over the training tokens; ≥ 1
 * @param optimizer {@code "sgd"}, {@code "adam"}, {@code "adamw"} or {@code "adagrad"}
 * @param lr peak learning rate, &gt; 0 and ≤ 1e6, or null for the optimizer's default
 * @param momentum sgd momentum; in [0, 0.9999]
 * @param nesterov sgd: Nesterov momentum (needs momentum &gt; 0)
 * @param weightDecay L2 (adamw: decoupled) weight decay in [0, 1e6], or null for the default
 * @param schedule {@code "constant"}, {@code "step"} or {@code "cosine"}
 * @param warmup cosine: linear warm-up steps ≥ 0, or null for the default
 * @param stepSize step: multiply the rate by {@code gamma} every this many steps (≥ 1), or null for one epoch
 * @param gamma step: the factor; in [0, 1]
 * @param clip clip the gradient's global norm to this (0 = off); ≥ 0
 * @param seed seeds initialization and dropout
 */
public record TrainingConfig(String tokenizer, int minFreq, double valFraction,
                             CellType cell, int hidden, int layers, int embedding, double dropout,
                             int seqLen, int batch, int epochs,
                             String optimizer, Double lr, double momentum, boolean nesterov, Double weightDecay,
                             String schedule, Integer warmup, Integer stepSize, double gamma,
                             double clip, long seed) {
    /** Default hidden size H of {@code rnn4j train}. */
    public static final int DEFAULT_HIDDEN = 256;
    /** Default embedding size E. */
    public static final int DEFAULT_EMB = 64;
    /** Default chunk length T. */
    public static final int DEFAULT_SEQ = 64;
    /** Default number of parallel streams B. */
    public static final int DEFAULT_BATCH = 32;
    /** Default number of epochs. */
    public static final int DEFAULT_EPOCHS = 3;
    /** Default peak learning rate of adam and adamw. */
    public static final double DEFAULT_LR_ADAM = 3e-3;

    /**
     * Checks every value.
     *
     * @throws IllegalArgumentException naming the component, the allowed values and the value given
     */
    public TrainingConfig {
        if (!tokenizer.equals("char") && !tokenizer.equals("word")) {
            throw new IllegalArgumentException("tokenizer must be char or word, got '" + tokenizer + "'");
        }
        atLeast("minFreq", minFreq, 1);
        within("valFraction", valFraction, 0.001, 0.5);
        if (cell == null) {
            throw new IllegalArgumentException("cell must not be null");
        }
        atLeast("hidden", hidden, 1);
        atLeast("layers", layers, 1);
        atLeast("embedding", embedding, 1);
        within("dropout", dropout, 0, 0.99);
        atLeast("seqLen", seqLen, 1);
        atLeast("batch", batch, 1);
        atLeast("epochs", epochs, 1);
        switch (optimizer) {
            case "sgd", "adam", "adamw", "adagrad" -> { }
            default -> throw new IllegalArgumentException(
                    "optimizer must be sgd, adam, adamw or adagrad, got '" + optimizer + "'");
        }
        if (lr != null) {
            within("lr", lr, Double.MIN_VALUE, 1e6);
        }
        within("momentum", momentum, 0, 0.9999);
        if (nesterov && momentum == 0) {
            throw new IllegalArgumentException("nesterov needs momentum > 0");
        }
        if (weightDecay != null) {
            within("weightDecay", weightDecay, 0, 1e6);
        }
        switch (schedule) {
            case "constant", "step", "cosine" -> { }
            default -> throw new IllegalArgumentException(
                    "schedule must be constant, step or cosine, got '" + schedule + "'");
        }
        if (warmup != null) {
            atLeast("warmup", warmup, 0);
        }
        if (stepSize != null) {
            atLeast("stepSize", stepSize, 1);
        }
        within("gamma", gamma, 0, 1);
        within("clip", clip, 0, Double.MAX_VALUE);
    }

    /**
     * The defaults of {@code rnn4j train}: a character-level one-layer LSTM, H = 256, E = 64,
     * T = 64, B = 32, 3 epochs, Adam with a cosine schedule (peak 3e-3), clipping at 1, seed 1.
     *
     * @return a builder holding the defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The defaults of {@code rnn4j train}; see {@link #builder()}.
     *
     * @return the default config
     */
    public static TrainingConfig defaults() {
        return builder().build();
    }

    private static void atLeast(String name, long x, long min) {
        if (x < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ", got " + x);
        }
    }

    private static void within(String name, double x, double min, double max) {
        if (!(x >= min && x <= max)) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + x);
        }
    }

    /** Fills a {@link TrainingConfig} one value at a time, starting from the defaults. */
    public static final class Builder {
        private String tokenizer = "char";
        private int minFreq = 2;
        private double valFraction = 0.1;
        private CellType cell = CellType.LSTM;
        private int hidden = DEFAULT_HIDDEN;
        private int layers = 1;
        private int embedding = DEFAULT_EMB;
        private double dropout = 0;
        private int seqLen = DEFAULT_SEQ;
        private int batch = DEFAULT_BATCH;
        private int epochs = DEFAULT_EPOCHS;
        private String optimizer = "adam";
        private Double lr;
        private double momentum = 0;
        private boolean nesterov;
        private Double weightDecay;
        private String schedule = "cosine";
        private Integer warmup;
        private Integer stepSize;
        private double gamma = 0.5;
        private double clip = 1;
        private long seed = 1;

        private Builder() {}

        /**
         * @param v see {@link TrainingConfig#tokenizer()}
         * @return this
         */
        public Builder tokenizer(String v) {
            tokenizer = v;
            return this;
        }

        /**
         * @param v see {@link TrainingConfig#minFreq()}
         * @return this
         */
        public Builder minFreq(int v) {
            minFreq = v;
            return this;
        }

        /**
         * @param v see {@link TrainingConfig#valFraction()}
         * @return this
         */
        public Builder valFraction(double v) {
            valFraction = v;
            return this;
        }

        /**
         * @param v see {@link TrainingConfig#cell()}
         * @return this
         */
        public Builder cell(CellType v) {
            cell = v;
            return this;
        }

        /**
         * @param v see {@link TrainingConfig#hidden()}
         * @return this
         */
        public Builder hidden(int v) {
            hidden = v;
            return this;
        }

        /**
         * @param v see {@link TrainingConfig#layers()}
         * @return this
         */
        public Builder layers(int v) {
            layers = v;
            return this;
        }

        /**
         * @param v see {@link TrainingConfig#embedding()}
         * @return this
         */
        public Builder embedding(int v) {
            embedding = v;
            return this;
        }

        /**
         * @param v see {@link TrainingConfig#dropout()}
         * @return this
         */
        public Builder dropout(double v) {
            dropout = v;
            return this;
        }

        /**
         * @param v see {@link TrainingConfig#seqLen()}
         * @return this
         */
        public Builder seqLen(int v) {
            seqLen = v;
            return this;
        }

        /**
         * @param v see {@link TrainingConfig#batch()}
         * @return this
         */
        public Builder batch(int v) {
            batch = v;
            return this;
        }

        /**
         * @param v see {@link TrainingConfig#epochs()}
         * @return this
         */
        public Builder epochs(int v) {
            epochs = v;
            return this;
        }

        /**
         * @param v see {@link TrainingConfig#optimizer()}
         * @return this
         */
        public Builder optimizer(String v) {
            optimizer = v;
            return this;
        }

        /**
         * @param v see {@link TrainingConfig#lr()}; null for the optimizer's default
         * @return this
         */
        public Builder lr(Double v) {
            lr = v;
            return this;
        }

        /**
         * @param v see {@link TrainingConfig#momentum()}
         * @return this
         */
        public Builder momentum(double v) {
            momentum = v;
            return this;
        }

        /**
         * @param v see {@link TrainingConfig#nesterov()}
         * @return this
         */
        public Builder nesterov(boolean v) {
            nesterov = v;
            return this;
        }

        /**
         * @param v see {@link TrainingConfig#weightDecay()}; null for the default
         * @return this
         */
        public Builder weightDecay(Double v) {
            weightDecay = v;
            return this;
        }

        /**
         * @param v see {@link TrainingConfig#schedule()}
         * @return this
         */
        public Builder schedule(String v) {
            schedule = v;
            return this;
        }

        /**
         * @param v see {@link TrainingConfig#warmup()}; null for the default
         * @return this
         */
        public Builder warmup(Integer v) {
            warmup = v;
            return this;
        }

        /**
         * @param v see {@link TrainingConfig#stepSize()}; null for one epoch
         * @return this
         */
        public Builder stepSize(Integer v) {
            stepSize = v;
            return this;
        }

        /**
         * @param v see {@link TrainingConfig#gamma()}
         * @return this
         */
        public Builder gamma(double v) {
            gamma = v;
            return this;
        }

        /**
         * @param v see {@link TrainingConfig#clip()}
         * @return this
         */
        public Builder clip(double v) {
            clip = v;
            return this;
        }

        /**
         * @param v see {@link TrainingConfig#seed()}
         * @return this
         */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /**
         * @return the config
         * @throws IllegalArgumentException if a value is out of range (see {@link TrainingConfig})
         */
        public TrainingConfig build() {
            return new TrainingConfig(tokenizer, minFreq, valFraction, cell, hidden, layers, embedding, dropout,
                    seqLen, batch, epochs, optimizer, lr, momentum, nesterov, weightDecay, schedule, warmup,
                    stepSize, gamma, clip, seed);
        }
    }
}
