/**
 * The {@code rnn4j} command line ({@link org.rnn4j.cli.Main}): {@code info}, {@code gradcheck},
 * {@code train}, {@code sample}, {@code infer}, {@code longterm}, {@code gradflow}; every error is one line on
 * stderr with exit code 1 (data, files) or 2 (usage).
 */
package org.rnn4j.cli;
