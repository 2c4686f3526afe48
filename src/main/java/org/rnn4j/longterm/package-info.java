/**
 * Long-term dependencies, measured: the adding problem and the copy task at a chosen lag
 * ({@link org.rnn4j.longterm.AddingProblem}, {@link org.rnn4j.longterm.CopyTask}), the four
 * contenders ({@link org.rnn4j.longterm.Variant}: tanh RNN, IRNN, LSTM with forget-gate bias 1, GRU),
 * a model of one recurrent layer and a linear head ({@link org.rnn4j.longterm.TaskModel}), a trainer
 * that gives every contender the same data and budget and scores it on a fixed held-out set next to
 * the task's baseline ({@link org.rnn4j.longterm.LongtermTrainer}), and the gradient-flow analysis,
 * ‖∂L/∂h_t‖ against the distance to the loss ({@link org.rnn4j.longterm.GradientFlow},
 * {@link org.rnn4j.longterm.FlowPlot}).
 *
 * <p>Conventions: sequences are seq-first (N, B, ·) row-major {@code float[]}, as in
 * {@link org.rnn4j.cell.Rnn}; everything random is drawn from seeded
 * {@link java.util.SplittableRandom}s; objects own the arrays they expose as live, the caller owns the
 * rest. The command-line front ends are {@code rnn4j longterm} and {@code rnn4j gradflow}; the
 * measured results are in {@code docs/long-term-dependencies.md}.
 */
package org.rnn4j.longterm;
