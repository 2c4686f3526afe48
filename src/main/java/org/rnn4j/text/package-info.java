/**
 * Text for language models: tokenizers ({@link org.rnn4j.text.CharTokenizer} by code point,
 * {@link org.rnn4j.text.WordTokenizer} by word and punctuation, both behind
 * {@link org.rnn4j.text.Tokenizer}, which also saves and restores them as checkpoint metadata), and
 * {@link org.rnn4j.text.Corpus}: the embedded English corpus, strict UTF-8 file reading and the
 * unigram baseline. See {@code docs/text.md}.
 */
package org.rnn4j.text;
