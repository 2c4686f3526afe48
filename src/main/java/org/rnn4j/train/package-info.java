/**
 * Training utilities: gradient clipping ({@link org.rnn4j.train.GradClip}); optimizers, losses and
 * truncated BPTT arrive with the cell-family and language-model issues.
 */
package org.rnn4j.train;
