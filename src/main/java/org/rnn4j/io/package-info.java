/**
 * Reading and writing tensors in the <a href="https://github.com/huggingface/safetensors">safetensors</a>
 * format, the interchange format used to exchange weights and golden test data with PyTorch, and the
 * atomic file replacement the writers use. {@code docs/model-files.md} describes the hardening in full:
 * every check, the limits, the memory each reader needs, mapping, the write protocol and the tests.
 *
 * <h2>Format</h2>
 * An 8-byte little-endian unsigned header length N, then N bytes of UTF-8 JSON
 * {@code {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...,
 * "__metadata__": {"key": "value"}}}, then the data buffer. Offsets are relative to the start of the
 * buffer; tensor data is little-endian and row-major (C order, last index fastest). The offsets of all
 * tensors, sorted, must tile the buffer exactly: no overlap, no gap, no trailing bytes.
 *
 * <h2>Classes</h2>
 * Three of the names say what they stand for: the format ({@code Safetensors}), one file's contents
 * ({@code SafetensorsFile}) and one tensor in it ({@code NamedTensor}).
 * <ul>
 *   <li>{@link org.rnn4j.io.Safetensors}: the façade of static entry points: {@code read} from a
 *       file, an array or a stream; {@code map} a file without copying its data into the heap;
 *       {@code write} atomically to a file, or to a stream or an array.</li>
 *   <li>{@link org.rnn4j.io.ReadLimits}: immutable bounds on the header, each tensor and all
 *       data, for reading untrusted files.</li>
 *   <li>{@link org.rnn4j.io.NamedTensor}: one immutable named tensor (dtype, shape, data in the heap or
 *       in a mapped file region).</li>
 *   <li>{@link org.rnn4j.io.SafetensorsFile}: the result of a read: tensors in header order plus
 *       metadata.</li>
 *   <li>{@link org.rnn4j.io.Dtype}: the element types this package understands.</li>
 *   <li>{@link org.rnn4j.io.AtomicFiles}: the temp-file, fsync, rename protocol for any file.</li>
 * </ul>
 * Behind the façade (package-private): {@code SafetensorsReader} validates an input taken from a
 * {@code ByteSource} (array, file, mapped file, stream), decoding the header with {@code Utf8} and
 * parsing it with {@code Header} (on {@code Json}); {@code SafetensorsWriter} writes the bytes of a
 * {@code WritePlan} to a file (through {@code AtomicFiles}), a stream or an array.
 *
 * <h2>Untrusted input</h2>
 * Every reader validates the whole header and the layout of the data before using any number in
 * it, and allocates nothing sized by a claim before the bytes behind it are known to exist (a
 * stream is read in chunks that grow as data arrives). A malformed file, whatever it contains,
 * produces a {@link org.rnn4j.io.SafetensorsException} with a one-line message of bounded length: no
 * unchecked exception, no {@link OutOfMemoryError} from a claimed size, no unbounded work. Parsing a
 * header may need about 12 times its length in heap in the worst case (a million tiny metadata
 * entries are a million map entries); lower {@link org.rnn4j.io.ReadLimits#maxHeaderBytes()}
 * to read untrusted files on a small heap.
 *
 * <h2>Exception policy</h2>
 * <ul>
 *   <li>{@link org.rnn4j.io.SafetensorsException} (an {@link java.io.IOException}): the bytes being read
 *       are not a valid safetensors file, or exceed a {@link org.rnn4j.io.ReadLimits limit} —
 *       truncated input, bad header length, invalid UTF-8 or JSON, unknown keys, unsupported dtype,
 *       inconsistent shape and offsets, overlapping or gapped data, duplicate names, non-string
 *       metadata. The message names the tensor or field, the expected and the actual value.</li>
 *   <li>{@link java.io.IOException} (other subclasses): the file system failed (file missing, disk
 *       full, permission denied), passed on from the JDK.</li>
 *   <li>{@link java.lang.IllegalArgumentException}: a caller passed bad arguments — null, a data array
 *       whose length does not match the shape, duplicate tensor names to the writer, a missing
 *       tensor requested by name, a limit out of range.</li>
 *   <li>{@link java.lang.IllegalStateException}: a conversion that is refused by design, such as
 *       {@code asFloats()} on an integer tensor; {@link java.lang.ArithmeticException}: a conversion
 *       that is allowed but whose value does not fit, such as an I64 value outside the int range in
 *       {@code asInts()}.</li>
 *   <li>{@link java.lang.InternalError}: only from a tensor of
 *       {@link org.rnn4j.io.Safetensors#map(java.nio.file.Path) map} whose file was truncated while
 *       mapped (the JVM's report of the resulting SIGBUS).</li>
 * </ul>
 *
 * <h2>Ownership</h2>
 * {@link org.rnn4j.io.NamedTensor} is immutable: factories copy the arrays they are given, and every
 * accessor returns a fresh array that the caller owns and may modify; the one view of the storage,
 * {@code asByteBuffer()}, is read-only. A mapped tensor's storage is the file: it stays valid while
 * the tensor is reachable, and is immutable as long as nobody modifies the file in place. Readers do
 * not close the streams they are given and do not retain the arrays they are given.
 *
 * <h2>Writes</h2>
 * {@link org.rnn4j.io.Safetensors#write(java.nio.file.Path, java.util.Collection, java.util.Map)} and
 * {@link org.rnn4j.io.AtomicFiles} write a temporary file {@code .NAME.RANDOM.tmp} next to the
 * target, force it to disk and rename it over the target: a reader sees the old file or the new one,
 * never a part, even if the writing process is killed; a killed writer may leave its stale temporary
 * file behind, which is safe to delete.
 */
package org.rnn4j.io;
