package org.rnn4j.io;

/**
 * The strict JSON (RFC 8259) lexer that {@link Header} drives, and the string quoting the writer
 * needs. There is deliberately no generic tree parser: the header's schema decides at every
 * position what may come next, so a value of the wrong kind is refused at its first character,
 * before it is read. That bounds both the work and the memory a hostile header can cause: nesting
 * never goes deeper than the schema's three levels, no object or array is materialised unless the
 * schema wants it, and numbers are classified by hand, never converted through
 * {@link java.math.BigInteger} (whose parsing of a two-million-digit literal took 86 s).
 *
 * <p>Strict means: no comments, no trailing commas, no NaN/Infinity, no leading zeros, no control
 * characters inside strings, no unpaired surrogate escapes, nothing but JSON whitespace after the
 * value. Positions in messages count characters (UTF-16 units) of the decoded header.
 */
final class Json {
    /** The longest piece of header text quoted in a message, so a message stays one short line. */
    static final int MESSAGE_TEXT = 60;

    private final String s;
    private int pos;

    Json(String s) {
        this.s = s;
    }

    int pos() {
        return pos;
    }

    boolean atEnd() {
        return pos >= s.length();
    }

    /** The current character, or U+FFFF past the end (never valid JSON syntax at that point). */
    char peek() {
        return pos < s.length() ? s.charAt(pos) : '\uFFFF';
    }

    void skipWs() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                pos++;
            } else {
                return;
            }
        }
    }

    void expect(char c) throws SafetensorsException {
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    /** Consumes {@code c} if it is next. */
    boolean consume(char c) {
        if (peek() == c) {
            pos++;
            return true;
        }
        return false;
    }

    /**
     * After an element of an array or object: consumes the separator and says whether another
     * element follows.
     *
     * @param close {@code ']'} or {@code '}'}
     */
    boolean next(char close) throws SafetensorsException {
        skipWs();
        if (consume(',')) {
            skipWs();
            return true;
        }
        if (consume(close)) {
            return false;
        }
        throw error(close == ']' ? "expected ',' or ']' in array" : "expected ',' or '}' in object");
    }

    /** Consumes the JSON literal {@code null} if it is next. */
    boolean consumeNull() throws SafetensorsException {
        if (peek() != 'n') {
            return false;
        }
        literal("null");
        return true;
    }

    /**
     * An object key: the string at the current position, then the colon.
     *
     * @return the key
     */
    String key() throws SafetensorsException {
        if (peek() != '"') {
            throw error("expected '\"' starting an object key");
        }
        String key = string();
        skipWs();
        expect(':');
        skipWs();
        return key;
    }

    /** The string literal at the current position, which must start with '"'. */
    String string() throws SafetensorsException {
        expect('"');
        // Most header strings have no escapes: one substring, no builder.
        int start = pos;
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == '"') {
                return s.substring(start, pos++);
            }
            if (c == '\\' || c < 0x20) {
                break;
            }
            pos++;
        }
        StringBuilder sb = new StringBuilder(s.length() - start < 64 ? s.length() - start : 64);
        sb.append(s, start, pos);
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
                    throw error("invalid escape '\\" + printable(String.valueOf(e)) + "'");
            }
        }
    }

    private char hex4() throws SafetensorsException {
        if (pos + 4 > s.length()) {
            throw error("truncated \\u escape");
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            char c = s.charAt(pos);
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) {
                throw error("invalid hex digit in \\u escape");
            }
            v = v * 16 + d;
            pos++;
        }
        return (char) v;
    }

    /** {@link #number()} of a literal with a sign, a fraction or an exponent. */
    static final long NOT_NON_NEGATIVE_INTEGER = -1;
    /** {@link #number()} of an integer literal without sign that exceeds {@link Long#MAX_VALUE}. */
    static final long TOO_LARGE = -2;

    /** Where the last {@link #number()} started; with {@link #pos} its end, for {@link #numberText()}. */
    private int numberStart;

    /**
     * The number literal at the current position, which must start with '-' or a digit. Returns a
     * code rather than an object because shapes may hold millions of numbers.
     *
     * @return the value of an unsigned integer literal that fits a long, else
     *         {@link #NOT_NON_NEGATIVE_INTEGER} or {@link #TOO_LARGE}
     */
    long number() throws SafetensorsException {
        int start = pos;
        numberStart = start;
        boolean negative = consume('-');
        int digitsStart = pos;
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
        int digitsEnd = pos;
        boolean integer = true;
        if (consume('.')) {
            integer = false;
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
        // Never BigInteger or Double.parseDouble: both take minutes on a literal of millions of digits.
        if (!integer || negative) {
            return NOT_NON_NEGATIVE_INTEGER;
        }
        // No leading zeros, so 20 or more digits are at least 10^19 > Long.MAX_VALUE.
        if (digitsEnd - digitsStart > 19) {
            return TOO_LARGE;
        }
        long v = 0;
        for (int i = digitsStart; i < digitsEnd; i++) {
            int d = s.charAt(i) - '0';
            if (v > (Long.MAX_VALUE - d) / 10) {
                return TOO_LARGE;
            }
            v = v * 10 + d;
        }
        return v;
    }

    /** The last number literal as written, shortened for a message. */
    String numberText() {
        return shorten(numberStart, pos);
    }

    private void literal(String word) throws SafetensorsException {
        if (!s.startsWith(word, pos)) {
            throw error("expected '" + word + "'");
        }
        pos += word.length();
    }

    /**
     * Names the value at the current position for a message saying it has the wrong kind, e.g.
     * {@code the number -3}, {@code an array}. Scalars are read (so a syntax error in one is
     * reported as such); objects and arrays are named by their first character and not read.
     *
     * @throws SafetensorsException if no JSON value starts here
     */
    String describeValue() throws SafetensorsException {
        char c = peek();
        switch (c) {
            case '{':
                return "an object";
            case '[':
                return "an array";
            case '"':
                return "the string \"" + printable(string()) + "\"";
            case 't':
                literal("true");
                return "the boolean true";
            case 'f':
                literal("false");
                return "the boolean false";
            case 'n':
                literal("null");
                return "null";
            default:
                if (c == '-' || isDigit(c)) {
                    number();
                    return "the number " + numberText();
                }
                throw error("expected a JSON value");
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** The header text {@code [from, to)} for a message: printable, at most about 60 characters. */
    private String shorten(int from, int to) {
        if (to - from <= MESSAGE_TEXT) {
            return printable(s.substring(from, to));
        }
        return printable(s.substring(from, from + MESSAGE_TEXT / 2)) + "... (" + (to - from) + " characters)";
    }

    SafetensorsException error(String what) {
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
     * Text from a header made safe for a one-line message: control, format and line-separator
     * characters become {@code \n}, {@code \t}, {@code \\uXXXX} escapes (so a name cannot break the
     * line or reorder the terminal's text), and text longer than {@link #MESSAGE_TEXT} characters
     * is cut, with its length appended.
     */
    static String printable(String v) {
        int n = Math.min(v.length(), MESSAGE_TEXT);
        if (n > 0 && n < v.length() && Character.isHighSurrogate(v.charAt(n - 1))) {
            n--;
        }
        StringBuilder sb = new StringBuilder(n + 16);
        for (int i = 0; i < n; i++) {
            char c = v.charAt(i);
            int type = Character.getType(c);
            if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR || type == Character.UNASSIGNED
                    || (Character.isSurrogate(c) && !pairedAt(v, i))) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (n < v.length()) {
            sb.append("... (").append(v.length()).append(" characters)");
        }
        return sb.toString();
    }

    private static boolean pairedAt(String v, int i) {
        char c = v.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < v.length() && Character.isLowSurrogate(v.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(v.charAt(i - 1));
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
                    throw new IllegalArgumentException(what + " '" + printable(value)
                            + "' contains an unpaired surrogate at index " + i + "; it cannot be encoded as UTF-8");
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
