/**
 * Reading and writing tensors in the <a href="https://github.com/huggingface/safetensors">safetensors</a>
 * format, the interchange format used to exchange weights and golden test data with PyTorch.
 *
 * <h2>Format</h2>
 * An 8-byte little-endian unsigned header length N, then N bytes of UTF-8 JSON
 * {@code {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...,
 * "__metadata__": {"key": "value"}}}, then the data buffer. Offsets are relative to the start of the
 * buffer; tensor data is little-endian and row-major (C order, last index fastest). The offsets of all
 * tensors, sorted, must tile the buffer exactly: no overlap, no gap, no trailing bytes.
 *
 * <h2>Classes</h2>
 * <ul>
 *   <li>{@link org.rnn4j.io.Safetensors}: static {@code read} and {@code write} entry points.</li>
 *   <li>{@link org.rnn4j.io.SafeTensor}: one immutable named tensor (dtype, shape, data).</li>
 *   <li>{@link org.rnn4j.io.SafetensorsFile}: the result of a read: tensors in header order plus
 *       metadata.</li>
 *   <li>{@link org.rnn4j.io.Dtype}: the element types this package understands.</li>
 * </ul>
 *
 * <h2>Exception policy</h2>
 * <ul>
 *   <li>{@link org.rnn4j.io.SafetensorsException} (an {@link java.io.IOException}): the bytes being read
 *       are not a valid safetensors file — truncated input, bad header length, invalid UTF-8 or JSON,
 *       unknown keys, unsupported dtype, inconsistent shape and offsets, overlapping or gapped data,
 *       duplicate names, non-string metadata. The message names the tensor or field, the expected
 *       and the actual value.</li>
 *   <li>{@link java.io.IOException} (other subclasses): the file system failed (file missing, disk
 *       full, permission denied), passed on from the JDK.</li>
 *   <li>{@link java.lang.IllegalArgumentException}: a caller passed bad arguments — null, a data array
 *       whose length does not match the shape, duplicate tensor names to the writer, a missing
 *       tensor requested by name.</li>
 *   <li>{@link java.lang.IllegalStateException}: a conversion that is refused by design, such as
 *       {@code asFloats()} on an integer tensor; {@link java.lang.ArithmeticException}: a conversion
 *       that is allowed but whose value does not fit, such as an I64 value outside the int range in
 *       {@code asInts()}.</li>
 * </ul>
 *
 * <h2>Ownership</h2>
 * {@link org.rnn4j.io.SafeTensor} is immutable: factories copy the arrays they are given, and every
 * accessor returns a fresh array that the caller owns and may modify.
 */
package org.rnn4j.io;
