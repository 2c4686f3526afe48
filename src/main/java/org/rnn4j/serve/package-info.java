/**
 * Serving: a trained RNN ({@link org.rnn4j.serve.StreamingModel}, immutable and shared by threads)
 * advanced one event at a time per stream ({@link org.rnn4j.serve.StreamState}), or many streams per
 * call ({@link org.rnn4j.serve.StreamBatch}), with no allocation per step; output heads
 * ({@link org.rnn4j.serve.Heads}); optional bfloat16 weights ({@link org.rnn4j.serve.WeightFormat}).
 * Equations, threading and measured latency: docs/serving.md.
 */
package org.rnn4j.serve;
