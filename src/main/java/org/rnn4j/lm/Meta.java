package org.rnn4j.lm;

import java.util.Map;

/** Typed reads of checkpoint metadata, each failing with one line that names the key. */
final class Meta {
    private Meta() {}

    static String string(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException("checkpoint metadata lacks '" + key + "'");
        }
        return v;
    }

    static int integer(Map<String, String> m, String key) {
        String v = string(m, key);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("checkpoint metadata '" + key + "' must be an integer, got '" + v + "'");
        }
    }

    static long longValue(Map<String, String> m, String key) {
        String v = string(m, key);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("checkpoint metadata '" + key + "' must be an integer, got '" + v + "'");
        }
    }

    static double real(Map<String, String> m, String key) {
        String v = string(m, key);
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("checkpoint metadata '" + key + "' must be a number, got '" + v + "'");
        }
    }
}
