package org.rnn4j.text;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Keys, parsing and checks shared by the two tokenizers' metadata (see {@link Tokenizer}). */
final class TokenizerMetadata {
    private TokenizerMetadata() {}

    static final String KIND = "tokenizer.kind";
    static final String VERSION = "tokenizer.version";
    static final String VOCAB_SIZE = "tokenizer.vocab_size";
    static final String UNKNOWN = "tokenizer.unknown";
    static final String VOCAB = "tokenizer.vocab";
    static final String MIN_FREQUENCY = "tokenizer.min_frequency";
    static final String FORMAT_VERSION = "1";

    /** The common head of the metadata, in the documented order; the caller adds the rest. */
    static LinkedHashMap<String, String> head(String kind, int vocabSize, String unknown) {
        LinkedHashMap<String, String> m = new LinkedHashMap<>();
        m.put(KIND, kind);
        m.put(VERSION, FORMAT_VERSION);
        m.put(VOCAB_SIZE, Integer.toString(vocabSize));
        m.put(UNKNOWN, unknown);
        return m;
    }

    static Map<String, String> freeze(LinkedHashMap<String, String> m) {
        return Collections.unmodifiableMap(m);
    }

    static String require(Map<String, String> meta, String key) {
        String v = meta.get(key);
        if (v == null) {
            throw new IllegalArgumentException("tokenizer metadata: missing " + key);
        }
        return v;
    }

    /** Checks kind, version and unknown token; returns the declared vocabulary size. */
    static int checkHead(Map<String, String> meta, String kind, String unknown) {
        String k = require(meta, KIND);
        if (!k.equals(kind)) {
            throw new IllegalArgumentException("tokenizer metadata: " + KIND + " is " + quote(k) + ", not " + quote(kind));
        }
        String v = require(meta, VERSION);
        if (!v.equals(FORMAT_VERSION)) {
            throw new IllegalArgumentException("tokenizer metadata: " + VERSION + " must be " + FORMAT_VERSION
                    + ", got " + quote(v));
        }
        String u = require(meta, UNKNOWN);
        if (!u.equals(unknown)) {
            throw new IllegalArgumentException("tokenizer metadata: " + UNKNOWN + " of a " + kind + " tokenizer must be "
                    + quote(unknown) + ", got " + quote(u));
        }
        return positiveInt(meta, VOCAB_SIZE);
    }

    /** A decimal int {@code >= 1}, digits only. */
    static int positiveInt(Map<String, String> meta, String key) {
        String s = require(meta, key);
        if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("tokenizer metadata: " + key + " must be a positive decimal integer, got "
                    + quote(s));
        }
        long v = Long.parseLong(s);
        if (v < 1 || v > Integer.MAX_VALUE || (s.length() > 1 && s.charAt(0) == '0')) {
            throw new IllegalArgumentException("tokenizer metadata: " + key + " must be a positive decimal integer"
                    + " without leading zeros, got " + quote(s));
        }
        return (int) v;
    }

    /** Index of the first unpaired surrogate in {@code s}, or -1. */
    static int unpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /** Orders strings by their code points (not by UTF-16 units, as {@link String#compareTo} does). */
    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    /** A short printable rendering of a value for error messages: quoted, escaped, cut at 60 chars. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        int n = Math.min(s.length(), 60);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
        if (s.length() > n) {
            sb.append("… (").append(s.length()).append(" chars)");
        }
        return sb.toString();
    }

    static void checkRange(int[] ids, int off, int n) {
        if (ids == null) {
            throw new IllegalArgumentException("ids must not be null");
        }
        if (off < 0 || n < 0 || (long) off + n > ids.length) {
            throw new IllegalArgumentException("ids range [" + off + ", " + ((long) off + n) + ") is outside [0, "
                    + ids.length + ")");
        }
    }

    static IllegalArgumentException badId(int id, int vocabSize, int index) {
        return new IllegalArgumentException("token id " + id + " at index " + index + " is outside [0, " + vocabSize + ")");
    }
}
