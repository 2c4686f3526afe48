package org.rnn4j.train;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Reading and writing the string maps of {@link Optimizer#config()} and {@link LrSchedule#config()}. */
final class Configs {
    private Configs() {}

    /** A number as {@code config()} writes it: {@link Double#toString(double)}, exact on parsing back. */
    static String str(double x) {
        return Double.toString(x);
    }

    /** A new ordered map of alternating keys and values. */
    static Map<String, String> of(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    /** Reads keys of a config map, remembering which were read, so that unknown keys can be rejected. */
    static final class Reader {
        private final Map<String, String> config;
        private final String what;
        private final Set<String> read = new HashSet<>();

        Reader(Map<String, String> config, String what) {
            if (config == null) {
                throw new IllegalArgumentException(what + " must not be null");
            }
            this.config = config;
            this.what = what;
        }

        String required(String key) {
            read.add(key);
            String v = config.get(key);
            if (v == null) {
                throw new IllegalArgumentException(what + " lacks '" + key + "'; got " + config);
            }
            return v.trim();
        }

        double dbl(String key, double dflt) {
            read.add(key);
            String v = config.get(key);
            if (v == null) {
                return dflt;
            }
            try {
                return Double.parseDouble(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + ": '" + key + "' must be a number, got '" + v + "'");
            }
        }

        double dbl(String key) {
            String v = required(key);
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + ": '" + key + "' must be a number, got '" + v + "'");
            }
        }

        long lng(String key) {
            String v = required(key);
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + ": '" + key + "' must be an integer, got '" + v + "'");
            }
        }

        boolean bool(String key, boolean dflt) {
            read.add(key);
            String v = config.get(key);
            if (v == null) {
                return dflt;
            }
            switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "true":
                    return true;
                case "false":
                    return false;
                default:
                    throw new IllegalArgumentException(what + ": '" + key + "' must be true or false, got '" + v + "'");
            }
        }

        void rejectUnknown() {
            Set<String> unknown = new TreeSet<>(config.keySet());
            unknown.removeAll(read);
            if (!unknown.isEmpty()) {
                throw new IllegalArgumentException(what + ": unknown keys " + unknown + "; known: " + new TreeSet<>(read));
            }
        }
    }

    /** Checks a hyper-parameter: finite and in [lo, hi] (an open end where the flag says so). */
    static double check(String what, String name, double v, double lo, boolean loOpen, double hi, boolean hiOpen) {
        boolean ok = Double.isFinite(v) && (loOpen ? v > lo : v >= lo) && (hiOpen ? v < hi : v <= hi);
        if (!ok) {
            String range = (loOpen ? "(" : "[") + fmt(lo) + ", " + fmt(hi) + (hiOpen ? ")" : "]");
            throw new IllegalArgumentException(what + ": " + name + " must be in " + range + ", got " + v);
        }
        return v;
    }

    private static String fmt(double x) {
        return x == Double.POSITIVE_INFINITY ? "∞" : (x == Math.rint(x) && Math.abs(x) < 1e15 ? Long.toString((long) x)
                : Double.toString(x));
    }
}
