/**
 * Next-token language modeling, the {@code rnn4j train} main job: {@link org.rnn4j.lm.LanguageModel}
 * (embedding → RNN → linear decoder → softmax), {@link org.rnn4j.lm.Trainer} (B parallel streams
 * read in chunks of T steps with the state carried between chunks, clipping, optimizer and schedule,
 * validation after each epoch), {@link org.rnn4j.lm.Checkpoint} (one atomic safetensors file with
 * everything needed to resume bit for bit), {@link org.rnn4j.lm.Sampler} (temperature, top-k,
 * priming) and {@link org.rnn4j.lm.LossCurve} (CSV and SVG). The pipeline and measured results are
 * in docs/language-model.md.
 */
package org.rnn4j.lm;
