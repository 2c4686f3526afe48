/**
 * The recurrent cells and their backpropagation through time: {@link org.rnn4j.cell.Rnn} (stacked
 * vanilla RNN, LSTM, GRU with PyTorch semantics and the options of {@link org.rnn4j.cell.RnnSpec}:
 * directions, projection, peepholes, GRU reset placement), its parameters
 * {@link org.rnn4j.cell.RnnWeights} under PyTorch's names, the per-thread
 * {@link org.rnn4j.cell.RnnWorkspace}, and seeded {@link org.rnn4j.cell.Initializers}. Equations and
 * derivations: docs/cells.md.
 */
package org.rnn4j.cell;
