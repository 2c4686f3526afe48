package org.rnn4j.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code --name value} and {@code --flag} options of one subcommand, validated against the names it
 * knows; typed getters fail with one line naming the option, the constraint and the value.
 */
final class Args {
    private final String command;
    private final Map<String, String> values = new LinkedHashMap<>();

    /**
     * @param command the subcommand, for messages
     * @param args the command line, args[0] being the subcommand
     * @param withValue options that take a value
     * @param flags options without a value
     * @throws IllegalArgumentException for an unknown option, a missing value or a repeated option
     */
    Args(String command, String[] args, Set<String> withValue, Set<String> flags) {
        this.command = command;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            String key;
            String value;
            if (withValue.contains(a)) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                key = a;
                value = args[++i];
            } else if (flags.contains(a)) {
                key = a;
                value = "true";
            } else {
                throw new IllegalArgumentException("unknown option '" + a + "' (try rnn4j " + command + " --help)");
            }
            if (values.put(key, value) != null) {
                throw new IllegalArgumentException(key + " given twice");
            }
        }
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String string(String name, String dflt) {
        return values.getOrDefault(name, dflt);
    }

    int integer(String name, int dflt, int min) {
        String v = values.get(name);
        if (v == null) {
            return dflt;
        }
        int x;
        try {
            x = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + v + "'");
        }
        if (x < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ", got " + x);
        }
        return x;
    }

    long longValue(String name, long dflt) {
        String v = values.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + v + "'");
        }
    }

    double real(String name, double dflt, double min, double max) {
        String v = values.get(name);
        if (v == null) {
            return dflt;
        }
        double x;
        try {
            x = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, got '" + v + "'");
        }
        if (!(x >= min && x <= max)) {
            throw new IllegalArgumentException(name + " must be in [" + fmt(min) + ", " + fmt(max) + "], got " + v);
        }
        return x;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
