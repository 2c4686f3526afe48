/**
 * PyTorch interop: recurrent models saved by PyTorch as a {@code state_dict} in safetensors, loaded,
 * run and written back by rnn4j.
 *
 * <ul>
 *   <li>{@link org.rnn4j.interop.TorchModel}: embedding (optional) → RNN/LSTM/GRU → linear head
 *       (optional) with PyTorch names; loading infers the structure from names and shapes,
 *       {@link org.rnn4j.interop.TorchModel#write} exports it.</li>
 *   <li>{@link org.rnn4j.interop.LoadOptions}, {@link org.rnn4j.interop.CellHint}: what names and
 *       shapes cannot say, and the choices they leave open.</li>
 *   <li>{@link org.rnn4j.interop.SequenceRunner}: inference over a batch of sequences, one runner per
 *       thread.</li>
 *   <li>{@link org.rnn4j.interop.ModelFormatException}: a file that does not make a model (checked, an
 *       {@link java.io.IOException}); {@link org.rnn4j.interop.MetadataKeys}: what rnn4j writes into
 *       {@code __metadata__}.</li>
 * </ul>
 *
 * <h2>Embedding and head: the rules</h2>
 * Among the tensors the RNN does not use, a <em>module</em> M is a tensor {@code M.weight}. An
 * embedding candidate is a 2-D {@code M.weight} with I (the RNN's input size) columns and no
 * {@code M.bias}; a head candidate a 2-D {@code M.weight} with O<sub>rnn</sub> (the RNN's output width)
 * columns, with or without a 1-D {@code M.bias} of its row count. A module named (last component) as
 * usual for heads ({@code decoder, fc, linear, head, out, output, proj, projection, classifier,
 * lm_head, dense, fc_out, logits, readout, generator}) is no embedding candidate; one named as usual
 * for embeddings ({@code encoder, embedding, embeddings, embed, emb, word_embeddings, wte,
 * tok_embeddings, token_embedding, lookup}) no head candidate. Each reading (an embedding candidate or
 * none, a head candidate or none, not the same module) scores 10 per module it uses plus 1 per module
 * whose name is usual for its role; the highest score wins, and a tie is an error listing the tied
 * readings and naming {@link org.rnn4j.interop.LoadOptions#embedding(String)} and
 * {@link org.rnn4j.interop.LoadOptions#head(String)}. So PyTorch's word_language_model
 * ({@code encoder}, {@code rnn}, {@code decoder}) and the usual {@code embedding}/{@code fc} models load
 * without options, while a lone unnamed bias-free (8, 8) matrix next to an RNN with I = O<sub>rnn</sub>
 * = 8 is refused as ambiguous. See {@code docs/interop.md}.
 *
 * <p>This package uses {@code org.rnn4j.cell}, {@code org.rnn4j.kernel} and {@code org.rnn4j.io}.
 */
package org.rnn4j.interop;
