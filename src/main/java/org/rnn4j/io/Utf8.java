package org.rnn4j.io;

import java.nio.charset.StandardCharsets;

/**
 * The strict UTF-8 decoder of safetensors headers. A malformed sequence is a
 * {@link SafetensorsException} naming its bytes and their position, never a replacement character.
 */
final class Utf8 {
    private Utf8() {}

    /**
     * Checks that {@code b} is well-formed UTF-8 (the Unicode standard's table 3-7: no overlong
     * forms, no encoded surrogates, nothing above U+10FFFF) and decodes it. Checked by hand because
     * the JDK's strict decoder needs a char buffer of twice the header's size next to the string;
     * after this check {@link String#String(byte[], java.nio.charset.Charset)} cannot substitute.
     */
    static String decode(byte[] b) throws SafetensorsException {
        int i = 0;
        while (i < b.length) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                i++;
                continue;
            }
            int len;
            int lo = 0x80;
            int hi = 0xBF;
            if (c >= 0xC2 && c <= 0xDF) {
                len = 2;
            } else if (c >= 0xE0 && c <= 0xEF) {
                len = 3;
                lo = c == 0xE0 ? 0xA0 : 0x80;
                hi = c == 0xED ? 0x9F : 0xBF;
            } else if (c >= 0xF0 && c <= 0xF4) {
                len = 4;
                lo = c == 0xF0 ? 0x90 : 0x80;
                hi = c == 0xF4 ? 0x8F : 0xBF;
            } else {
                throw badUtf8(b, i, 1);
            }
            if (i + len > b.length) {
                throw badUtf8(b, i, b.length - i);
            }
            int second = b[i + 1] & 0xFF;
            if (second < lo || second > hi) {
                throw badUtf8(b, i, 2);
            }
            for (int k = 2; k < len; k++) {
                int cont = b[i + k] & 0xFF;
                if (cont < 0x80 || cont > 0xBF) {
                    throw badUtf8(b, i, k + 1);
                }
            }
            i += len;
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    private static SafetensorsException badUtf8(byte[] b, int at, int count) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < count; k++) {
            sb.append(k == 0 ? "" : " ").append(String.format("0x%02X", b[at + k] & 0xFF));
        }
        return new SafetensorsException("header is not valid UTF-8: bytes " + sb + " at header byte " + at);
    }
}
