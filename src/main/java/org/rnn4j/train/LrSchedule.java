package org.rnn4j.train;

import java.util.Map;

/**
 * A learning-rate schedule: the rate of each update, as a pure function of the update's 0-based
 * number, so that it needs no state to checkpoint (the optimizer's {@link Optimizer#steps()} is the
 * number of the next update). Typical use: {@code opt.step(params, schedule.rate(opt.steps()))}.
 *
 * <p>PyTorch correspondence: {@code rate(s)} is the {@code lr} an optimizer holds for its update s
 * when the scheduler is created before training and {@code scheduler.step()} is called once after
 * each {@code optimizer.step()} (i.e. the scheduler's {@code last_epoch == s}).
 *
 * <p>Implementations are immutable and allocation-free in {@link #rate}: they use {@link Math#pow} and
 * {@link Math#cos}, HotSpot intrinsics in every JIT tier ({@link StrictMath}'s Java ports of fdlibm
 * allocate until C2 has compiled them). A rate is therefore bitwise the same within a JVM, and may
 * differ between platforms in the last bit of the double.
 */
public interface LrSchedule {

    /**
     * The learning rate of update number {@code step}.
     *
     * @param step the 0-based update number, {@code >= 0}
     * @return a rate {@code > 0}, or {@code >= 0} for a cosine schedule with {@code minLr = 0} at and after
     *         its last step
     * @throws IllegalArgumentException for a negative step
     */
    double rate(long step);

    /**
     * The schedule's parameters as strings, for checkpoint metadata: {@code "schedule"} (constant, step,
     * cosine) and the factory's arguments under snake_case names ({@code lr}, {@code step_size},
     * {@code gamma}, {@code warmup_steps}, {@code total_steps}, {@code min_lr}); numbers in
     * {@link Double#toString(double)} / {@link Long#toString(long)} form, parsed back exactly by
     * {@link #fromConfig}.
     *
     * @return a new ordered map the caller owns
     */
    Map<String, String> config();

    /**
     * The schedule a {@link #config()} describes: its inverse. Every key is required; an unknown key is
     * an error.
     *
     * @param config as written by {@link #config()}; not null
     * @return a new schedule
     * @throws IllegalArgumentException for a missing, unknown or unparsable entry, or values the factory
     *                                  rejects
     */
    static LrSchedule fromConfig(Map<String, String> config) {
        return Schedules.fromConfig(config);
    }

    /**
     * The same rate for every update.
     *
     * @param lr the rate, {@code > 0} and finite
     * @return the schedule
     */
    static LrSchedule constant(double lr) {
        return new Schedules.Constant(lr);
    }

    /**
     * Step decay, PyTorch's {@code StepLR(optimizer, step_size, gamma)}:
     * {@code rate(s) = lr · gamma^⌊s / stepSize⌋} (by {@link Math#pow}).
     * PyTorch's chainable form multiplies the previous rate by gamma at each decay instead, which
     * differs by a few units in the last place of a double after many decays; its closed form
     * ({@code _get_closed_form_lr}) is this one.
     *
     * @param lr the initial rate, {@code > 0} and finite
     * @param stepSize updates between decays, {@code >= 1}
     * @param gamma the decay factor, in (0, 1]
     * @return the schedule
     */
    static LrSchedule stepDecay(double lr, long stepSize, double gamma) {
        return new Schedules.StepDecay(lr, stepSize, gamma);
    }

    /**
     * Linear warm-up, then a half cosine from {@code lr} down to {@code minLr}, then {@code minLr}.
     * With W = warmupSteps, T = totalSteps:
     * <pre>
     *   s &lt; W:        rate(s) = lr · ((s + 1) / W)               lr/W, 2·lr/W, …, lr at s = W − 1
     *   W ≤ s &lt; T:    rate(s) = minLr + (lr − minLr) · (1 + cos(π · (s − W) / (T − W))) / 2
     *                                                             lr at s = W, falling towards minLr
     *   s ≥ T:        rate(s) = minLr
     * </pre>
     * (cos is {@link Math#cos}; the cosine part is clamped to [minLr, lr] against rounding). The warm-up starts at lr/W rather than 0, so that no update is
     * wasted. PyTorch has no single scheduler for this, but the composition
     * {@code SequentialLR([LinearLR(start_factor=1/W, end_factor=1, total_iters=W−1),
     * CosineAnnealingLR(T_max=T−W, eta_min=minLr)], milestones=[W])} gives the same rates for
     * s ≤ T up to double rounding (W ≥ 2; for W = 1 the warm-up is the single rate(0) = lr, for W = 0
     * it is CosineAnnealingLR alone); after T, CosineAnnealingLR rises again, this schedule stays at minLr.
     *
     * @param lr the peak rate, {@code > 0} and finite
     * @param warmupSteps W, {@code >= 0}
     * @param totalSteps T, {@code > warmupSteps}: the update at which the rate reaches minLr
     * @param minLr the final rate, in [0, lr]
     * @return the schedule
     */
    static LrSchedule cosine(double lr, long warmupSteps, long totalSteps, double minLr) {
        return new Schedules.Cosine(lr, warmupSteps, totalSteps, minLr);
    }
}
