package org.rnn4j.train;

import java.util.Map;

/** The implementations behind {@link LrSchedule}'s factories. */
final class Schedules {
    private Schedules() {}

    static LrSchedule fromConfig(Map<String, String> config) {
        Configs.Reader r = new Configs.Reader(config, "schedule config");
        String kind = r.required("schedule");
        LrSchedule s;
        switch (kind) {
            case "constant":
                s = new Constant(r.dbl("lr"));
                break;
            case "step":
                s = new StepDecay(r.dbl("lr"), r.lng("step_size"), r.dbl("gamma"));
                break;
            case "cosine":
                s = new Cosine(r.dbl("lr"), r.lng("warmup_steps"), r.lng("total_steps"), r.dbl("min_lr"));
                break;
            default:
                throw new IllegalArgumentException("schedule config: 'schedule' must be one of constant, step, cosine, "
                        + "got '" + kind + "'");
        }
        r.rejectUnknown();
        return s;
    }

    private static double lr(String what, double lr) {
        if (!(lr > 0) || lr == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException(what + ": lr must be > 0 and finite, got " + lr);
        }
        return lr;
    }

    private static void step(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
    }

    static final class Constant implements LrSchedule {
        private final double lr;

        Constant(double lr) {
            this.lr = lr("constant schedule", lr);
        }

        @Override
        public double rate(long step) {
            step(step);
            return lr;
        }

        @Override
        public Map<String, String> config() {
            return Configs.of("schedule", "constant", "lr", Configs.str(lr));
        }

        @Override
        public String toString() {
            return config().toString();
        }
    }

    static final class StepDecay implements LrSchedule {
        private final double lr;
        private final long stepSize;
        private final double gamma;

        StepDecay(double lr, long stepSize, double gamma) {
            this.lr = lr("step schedule", lr);
            if (stepSize < 1) {
                throw new IllegalArgumentException("step schedule: step_size must be >= 1, got " + stepSize);
            }
            Configs.check("step schedule", "gamma", gamma, 0, true, 1, false);
            this.stepSize = stepSize;
            this.gamma = gamma;
        }

        @Override
        public double rate(long step) {
            step(step);
            return lr * Math.pow(gamma, (double) (step / stepSize));
        }

        @Override
        public Map<String, String> config() {
            return Configs.of("schedule", "step", "lr", Configs.str(lr), "step_size", Long.toString(stepSize), "gamma",
                    Configs.str(gamma));
        }

        @Override
        public String toString() {
            return config().toString();
        }
    }

    static final class Cosine implements LrSchedule {
        private final double lr;
        private final long warmup;
        private final long total;
        private final double minLr;

        Cosine(double lr, long warmupSteps, long totalSteps, double minLr) {
            this.lr = lr("cosine schedule", lr);
            if (warmupSteps < 0) {
                throw new IllegalArgumentException("cosine schedule: warmup_steps must be >= 0, got " + warmupSteps);
            }
            if (totalSteps <= warmupSteps) {
                throw new IllegalArgumentException("cosine schedule: total_steps must be > warmup_steps = " + warmupSteps
                        + ", got " + totalSteps);
            }
            if (!(minLr >= 0 && minLr <= lr)) {
                throw new IllegalArgumentException("cosine schedule: min_lr must be in [0, lr = " + lr + "], got "
                        + minLr);
            }
            this.warmup = warmupSteps;
            this.total = totalSteps;
            this.minLr = minLr;
        }

        @Override
        public double rate(long step) {
            step(step);
            if (step < warmup) {
                return lr * ((double) (step + 1) / warmup);   // the ratio is ≤ 1, so the rate never exceeds lr
            }
            if (step >= total) {
                return minLr;
            }
            // PyTorch's CosineAnnealingLR closed form, operation for operation
            double angle = Math.PI * (step - warmup) / (total - warmup);
            double r = minLr + (lr - minLr) * (1 + Math.cos(angle)) / 2;
            return Math.min(lr, Math.max(minLr, r));   // rounding must not leave [minLr, lr]
        }

        @Override
        public Map<String, String> config() {
            return Configs.of("schedule", "cosine", "lr", Configs.str(lr), "warmup_steps", Long.toString(warmup),
                    "total_steps", Long.toString(total), "min_lr", Configs.str(minLr));
        }

        @Override
        public String toString() {
            return config().toString();
        }
    }
}
