package org.rnn4j.io;

import java.io.IOException;

/**
 * The input is not a valid safetensors file, or exceeds a {@link ReadLimits limit}. Thrown
 * by the readers in {@link Safetensors} for every structural problem: truncated input, an
 * implausible header length, a header that is not valid UTF-8 or not valid JSON, unknown or missing
 * keys, an unsupported dtype, data offsets that disagree with the shape, overlap, gaps or trailing
 * bytes in the data buffer, duplicate names. It is the only exception a malformed file causes.
 *
 * <p>It is an {@link IOException} so that callers who read files handle it together with the I/O
 * failures they already handle; the message always names the offending tensor or field and gives
 * the expected and the actual value, on one line: text from the file is escaped and shortened, so
 * a message can be printed as it is (the command line does).
 */
public class SafetensorsException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, naming the tensor or field, the expected and the actual value
     */
    public SafetensorsException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong, naming the tensor or field, the expected and the actual value
     * @param cause the underlying failure, e.g. a {@link java.nio.charset.CharacterCodingException}
     */
    public SafetensorsException(String message, Throwable cause) {
        super(message, cause);
    }
}
