package org.rnn4j.io;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON (RFC 8259) reader and the string quoting the writer needs. Only what a
 * safetensors header uses, but the whole grammar is accepted so that an unexpected key fails with a
 * message about the key, not about the parser.
 *
 * <p>Values map to: object → {@link LinkedHashMap} in document order, array → {@link ArrayList},
 * string → {@link String}, integer literal → {@link Long} (or {@link BigInteger} beyond the long
 * range), any literal with a fraction or exponent → {@link Double}, {@code true}/{@code false} →
 * {@link Boolean}, {@code null} → {@link #NULL}.
 *
 * <p>Strict means: no comments, no trailing commas, no NaN/Infinity, no leading zeros, no control
 * characters inside strings, no unpaired surrogate escapes, no duplicate keys in an object (the
 * format has no rule for them, and silently keeping one of two tensors would be garbage), nothing
 * but JSON whitespace after the value, nesting at most {@link #MAX_DEPTH} deep (so a hostile header
 * cannot overflow the stack).
 */
final class Json {
    /** Marker for the JSON literal {@code null}, distinct from a missing key. */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    static final int MAX_DEPTH = 64;

    private final String s;
    private int pos;

    private Json(String s) {
        this.s = s;
    }

    /**
     * Parses one JSON document.
     *
     * @param text the document
     * @param topLevelDuplicate the message prefix for a duplicate key in the top-level object (the
     *        header uses it to say "duplicate tensor name")
     * @return the value
     * @throws SafetensorsException on any syntax error, naming the character position
     */
    static Object parse(String text, String topLevelDuplicate) throws SafetensorsException {
        Json p = new Json(text);
        p.skipWs();
        Object v = p.value(0, topLevelDuplicate);
        p.skipWs();
        if (p.pos != text.length()) {
            throw p.error("expected end of header after the JSON value");
        }
        return v;
    }

    private Object value(int depth, String duplicateMessage) throws SafetensorsException {
        if (pos >= s.length()) {
            throw error("expected a JSON value");
        }
        char c = s.charAt(pos);
        switch (c) {
            case '{':
                return object(depth + 1, duplicateMessage);
            case '[':
                return array(depth + 1);
            case '"':
                return string();
            case 't':
                literal("true");
                return Boolean.TRUE;
            case 'f':
                literal("false");
                return Boolean.FALSE;
            case 'n':
                literal("null");
                return NULL;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error("expected a JSON value");
        }
    }

    private Map<String, Object> object(int depth, String duplicateMessage) throws SafetensorsException {
        checkDepth(depth);
        pos++; // '{'
        Map<String, Object> m = new LinkedHashMap<>();
        skipWs();
        if (peek() == '}') {
            pos++;
            return m;
        }
        while (true) {
            skipWs();
            if (peek() != '"') {
                throw error("expected '\"' starting an object key");
            }
            int keyPos = pos;
            String key = string();
            skipWs();
            expect(':');
            skipWs();
            Object v = value(depth, null);
            if (m.containsKey(key)) {
                String what = duplicateMessage != null ? duplicateMessage : "duplicate key";
                throw new SafetensorsException("header JSON: " + what + " '" + key + "' at character "
                        + keyPos + " (each key may appear once)");
            }
            m.put(key, v);
            skipWs();
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c == '}') {
                pos++;
                return m;
            } else {
                throw error("expected ',' or '}' in object");
            }
        }
    }

    private List<Object> array(int depth) throws SafetensorsException {
        checkDepth(depth);
        pos++; // '['
        List<Object> a = new ArrayList<>();
        skipWs();
        if (peek() == ']') {
            pos++;
            return a;
        }
        while (true) {
            skipWs();
            a.add(value(depth, null));
            skipWs();
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c == ']') {
                pos++;
                return a;
            } else {
                throw error("expected ',' or ']' in array");
            }
        }
    }

    private String string() throws SafetensorsException {
        pos++; // opening quote
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= s.length()) {
                throw error("unterminated string");
            }
            char c = s.charAt(pos);
            if (c == '"') {
                pos++;
                return sb.toString();
            }
            if (c < 0x20) {
                throw error("control character U+" + String.format("%04X", (int) c)
                        + " in string (must be escaped)");
            }
            if (c != '\\') {
                sb.append(c);
                pos++;
                continue;
            }
            pos++;
            if (pos >= s.length()) {
                throw error("unterminated escape");
            }
            char e = s.charAt(pos);
            pos++;
            switch (e) {
                case '"': sb.append('"'); break;
                case '\\': sb.append('\\'); break;
                case '/': sb.append('/'); break;
                case 'b': sb.append('\b'); break;
                case 'f': sb.append('\f'); break;
                case 'n': sb.append('\n'); break;
                case 'r': sb.append('\r'); break;
                case 't': sb.append('\t'); break;
                case 'u': {
                    char u = hex4();
                    if (Character.isHighSurrogate(u)) {
                        if (pos + 1 < s.length() && s.charAt(pos) == '\\' && s.charAt(pos + 1) == 'u') {
                            pos += 2;
                            char low = hex4();
                            if (!Character.isLowSurrogate(low)) {
                                throw error("high surrogate escape not followed by a low surrogate");
                            }
                            sb.append(u).append(low);
                        } else {
                            throw error("unpaired high surrogate escape");
                        }
                    } else if (Character.isLowSurrogate(u)) {
                        throw error("unpaired low surrogate escape");
                    } else {
                        sb.append(u);
                    }
                    break;
                }
                default:
                    pos--;
                    throw error("invalid escape '\\" + e + "'");
            }
        }
    }

    private char hex4() throws SafetensorsException {
        if (pos + 4 > s.length()) {
            throw error("truncated \\u escape");
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(s.charAt(pos), 16);
            // Character.digit also accepts non-ASCII digits; JSON allows only [0-9a-fA-F].
            if (d < 0 || s.charAt(pos) > 'f') {
                throw error("invalid hex digit in \\u escape");
            }
            v = v * 16 + d;
            pos++;
        }
        return (char) v;
    }

    private Object number() throws SafetensorsException {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
            if (isDigit(peek())) {
                throw error("leading zero in number");
            }
        } else if (isDigit(peek())) {
            while (isDigit(peek())) {
                pos++;
            }
        } else {
            throw error("expected a digit");
        }
        boolean integer = true;
        if (peek() == '.') {
            integer = false;
            pos++;
            if (!isDigit(peek())) {
                throw error("expected a digit after '.'");
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            integer = false;
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!isDigit(peek())) {
                throw error("expected a digit in exponent");
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        String lit = s.substring(start, pos);
        if (!integer) {
            return Double.parseDouble(lit);
        }
        // 19 digits or fewer always fit a long except near the edge, which parseLong detects.
        try {
            return Long.parseLong(lit);
        } catch (NumberFormatException tooBig) {
            return new BigInteger(lit);
        }
    }

    private void literal(String word) throws SafetensorsException {
        if (!s.startsWith(word, pos)) {
            throw error("expected '" + word + "'");
        }
        pos += word.length();
    }

    private void expect(char c) throws SafetensorsException {
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private void checkDepth(int depth) throws SafetensorsException {
        if (depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH + " levels");
        }
    }

    /** The current character, or U+FFFF past the end (never valid JSON syntax at that point). */
    private char peek() {
        return pos < s.length() ? s.charAt(pos) : '\uFFFF';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void skipWs() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                pos++;
            } else {
                return;
            }
        }
    }

    private SafetensorsException error(String what) {
        String found;
        if (pos >= s.length()) {
            found = "end of header";
        } else {
            char c = s.charAt(pos);
            found = c >= 0x20 && c < 0x7F ? "'" + c + "'" : String.format("U+%04X", (int) c);
        }
        return new SafetensorsException("header JSON: " + what + " at character " + pos + ", found " + found);
    }

    /**
     * Appends {@code value} as a JSON string literal. Escapes the quote, the backslash and control
     * characters; everything else is written as itself (the header is UTF-8).
     *
     * @param what names the string in the exception message, e.g. "tensor name"
     * @throws IllegalArgumentException if the string contains an unpaired surrogate, which UTF-8 cannot
     *         encode
     */
    static void quote(StringBuilder sb, String value, String what) {
        sb.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < value.length()
                        && Character.isLowSurrogate(value.charAt(i + 1));
                if (!paired) {
                    throw new IllegalArgumentException(what + " '" + value + "' contains an unpaired surrogate at index "
                            + i + "; it cannot be encoded as UTF-8");
                }
                sb.append(c).append(value.charAt(++i));
            } else if (c == '"') {
                sb.append("\\\"");
            } else if (c == '\\') {
                sb.append("\\\\");
            } else if (c < 0x20) {
                switch (c) {
                    case '\n': sb.append("\\n"); break;
                    case '\r': sb.append("\\r"); break;
                    case '\t': sb.append("\\t"); break;
                    default: sb.append(String.format("\\u%04x", (int) c));
                }
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }
}
