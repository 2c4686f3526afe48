/**
 * Correctness tooling: {@link org.rnn4j.check.ReferenceRnn}, a plain double-precision RNN/LSTM/GRU
 * with hand-derived BPTT that serves as the oracle for faster implementations, and
 * {@link org.rnn4j.check.GradientCheck}, central-difference gradient checks with PyTorch
 * {@code gradcheck}'s criterion for any scalar loss over named {@code double[]} tensors, and
 * {@link org.rnn4j.check.EngineCheck}, which compares the float engine ({@code org.rnn4j.cell.Rnn})
 * with the reference.
 *
 * <p>{@code ReferenceRnn} and {@code GradientCheck} use nothing from {@code org.rnn4j.kernel} or the
 * engine: an oracle that shared code with the engine it checks could share its bugs. Only
 * {@code EngineCheck}, which runs both, imports the engine.
 */
package org.rnn4j.check;
