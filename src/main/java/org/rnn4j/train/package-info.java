/**
 * Training utilities: optimizers with PyTorch's semantics ({@link org.rnn4j.train.Optimizer}:
 * {@link org.rnn4j.train.Sgd}, {@link org.rnn4j.train.Adagrad}, {@link org.rnn4j.train.Adam},
 * {@link org.rnn4j.train.AdamW}), learning-rate schedules ({@link org.rnn4j.train.LrSchedule}),
 * gradient clipping ({@link org.rnn4j.train.GradClip}) and truncated backpropagation through time
 * over long streams ({@link org.rnn4j.train.TruncatedBptt}). The update equations are in
 * docs/training.md.
 */
package org.rnn4j.train;
