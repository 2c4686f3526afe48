package org.rnn4j.interop;

import java.io.IOException;

/**
 * A file does not describe a model rnn4j can load: a tensor is missing, has the wrong shape, dtype or
 * a non-finite value, the tensors fit no embedding → RNN → head model, a hint contradicts the shapes,
 * or a choice is ambiguous. The message names the tensor (or option, or metadata key), the expected
 * and the actual value, and for an ambiguity the {@link LoadOptions} setting that resolves it.
 *
 * <p>An {@link IOException}, so that callers handle it with the I/O failures of reading the file
 * (which, like an invalid safetensors file, pass through as their own {@code IOException} types).
 */
public class ModelFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong, naming the tensor or setting, the expected and the actual value */
    public ModelFormatException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong, naming the tensor or setting, the expected and the actual value
     * @param cause the underlying failure
     */
    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
