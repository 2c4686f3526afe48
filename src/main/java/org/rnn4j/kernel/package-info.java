/**
 * Float32 primitives on {@code float[]} with offsets, each with a Vector API implementation and a
 * scalar twin chosen once at class initialization ({@link org.rnn4j.kernel.Kernels}): level-1 ops,
 * GEMV, a packed register-blocked GEMM with optional task splitting
 * ({@link org.rnn4j.kernel.Parallelism}), activations and fused LSTM/GRU gate math. docs/kernels.md
 * and docs/architecture.md describe them.
 */
package org.rnn4j.kernel;
