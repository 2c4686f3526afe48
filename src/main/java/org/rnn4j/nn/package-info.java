/**
 * Building blocks around the recurrent engine for complete models: an {@link org.rnn4j.nn.Embedding}
 * lookup table, a {@link org.rnn4j.nn.Linear} layer, the {@link org.rnn4j.nn.SoftmaxCrossEntropy}
 * and {@link org.rnn4j.nn.MeanSquaredError} losses, and {@link org.rnn4j.nn.Params}, the registry of
 * named value/gradient tensors that optimizers, gradient clipping and checkpoints work on.
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li>PyTorch semantics and names: parameter layouts, {@code state_dict} keys
 *       ({@code prefix.weight}, {@code prefix.bias}), default initializations, {@code ignore_index =
 *       -100}. Losses return sums; PyTorch's mean reduction is the sum divided by the count, with the
 *       gradient scaled by the same factor through the {@code gradScale} argument.</li>
 *   <li>Arrays are row-major {@code float[]} with an explicit offset and no leading dimension: a
 *       (rows, cols) operand occupies {@code rows·cols} consecutive floats.</li>
 *   <li>A layer owns its parameter and gradient arrays (live, exposed by accessors, never replaced);
 *       backward passes add into the gradients, and the caller clears them. Every other array
 *       belongs to the caller and is used during the call only.</li>
 *   <li>Every public method validates its arguments before any work and throws
 *       {@link java.lang.IllegalArgumentException} naming the argument, the expected and the actual
 *       value (for an id or target out of range, its position and value).</li>
 *   <li>Calls allocate nothing in steady state; heavy work runs on the {@link org.rnn4j.kernel.Kernels}
 *       given at construction (SIMD or its scalar twin).</li>
 *   <li>NaN and infinities propagate; nothing is clipped.</li>
 * </ul>
 * The forward and backward equations are in {@code docs/nn.md}.
 */
package org.rnn4j.nn;
