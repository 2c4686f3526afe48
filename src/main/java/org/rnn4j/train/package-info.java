/**
 * Training utilities: gradient clipping ({@link org.rnn4j.train.GradClip}) and truncated
 * backpropagation through time over long streams ({@link org.rnn4j.train.TruncatedBptt});
 * optimizers and losses arrive with the language-model issue.
 */
package org.rnn4j.train;
