/**
 * Correctness tooling: {@link org.rnn4j.check.ReferenceRnn}, a plain double-precision RNN/LSTM/GRU
 * with hand-derived BPTT that serves as the oracle for faster implementations, and
 * {@link org.rnn4j.check.GradientCheck}, central-difference gradient checks with PyTorch
 * {@code gradcheck}'s criterion for any scalar loss over named {@code double[]} tensors.
 *
 * <p>Nothing here uses {@code org.rnn4j.kernel}: an oracle that shared code with the engine it
 * checks could share its bugs.
 */
package org.rnn4j.check;
