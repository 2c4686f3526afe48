package org.rnn4j.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.Map;

/**
 * Reads and writes safetensors files: the static entry points of this package (see the
 * {@linkplain org.rnn4j.io package documentation} for the format, the exception policy and
 * {@code docs/model-files.md} for the hardening in full). A read returns a {@link SafetensorsFile}
 * of {@link NamedTensor}s; a write takes {@code NamedTensor}s and metadata.
 *
 * <p><b>Layout.</b> A file is an 8-byte little-endian header length N, N bytes of UTF-8 JSON, then
 * the data buffer; tensor data is little-endian and row-major (C order), as {@link NamedTensor}
 * keeps it. <b>Ownership.</b> No method retains an array, collection, map or stream it is given;
 * streams are never closed (the caller owns them); every result is new and owned by the caller.
 *
 * <p><b>Reading</b> validates the whole header and the layout of the data buffer before any tensor
 * data is read: the header length at most {@link ReadLimits#maxHeaderBytes()} and within the input;
 * strict UTF-8 and strict JSON; a top-level object whose entries have exactly the keys
 * {@code dtype}, {@code shape} and {@code data_offsets} with the right types (nothing nested deeper
 * than that schema); a supported {@link Dtype}; dimensions that are non-negative integers up to
 * {@link Integer#MAX_VALUE}; {@code end − begin == product(shape) · dtype size}, computed without
 * overflow; each tensor at most {@link ReadLimits#maxTensorBytes()}; offsets inside the data buffer
 * that, sorted, tile it with no overlap, gap or trailing bytes; all data at most
 * {@link ReadLimits#maxTotalBytes()}; no duplicate names or keys; {@code __metadata__} (optional,
 * {@code null} allowed) a map from string to string. Any violation is a
 * {@link SafetensorsException} with a one-line message naming the field, the expected and the actual
 * value; nothing else escapes for malformed input (no unchecked exception, no
 * {@link OutOfMemoryError} from a size the file merely claims, no unbounded work).
 *
 * <p><b>Memory.</b> No allocation is sized by a number in the file before the bytes behind it are
 * known to exist: sized inputs (arrays, files) check every length against the input size first, and
 * a stream is read in chunks that grow only as data arrives. Parsing the header needs the header
 * bytes, the decoded text and what the result keeps (names, shapes, metadata), a small multiple of
 * the header length (see {@code docs/model-files.md}); lower {@link ReadLimits#maxHeaderBytes()} for
 * untrusted files on a small heap. Tensor data is held once: in the heap ({@code read}) or in a
 * memory-mapped file region ({@link #map(Path)}).
 *
 * <p><b>Writing</b> produces deterministic bytes: the header is compact JSON with {@code __metadata__}
 * first (keys sorted, omitted when there is no metadata), then the tensors in the collection's
 * iteration order with contiguous offsets in that order, padded with spaces to a multiple of 8 bytes
 * as the reference (Rust) implementation does. {@link #write(Path, Collection, Map)} is atomic: the
 * target either keeps its old content or gets the complete new file, even if the process is killed.
 */
public final class Safetensors {
    /** The largest JSON header accepted or written, in bytes; the limit of the reference implementation. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private Safetensors() {}

    /**
     * Reads and validates a whole file with the {@linkplain ReadLimits#DEFAULT default limits}; the
     * tensor data is copied into the heap, so the file may change or go away afterwards. Tensors are
     * read one at a time, so a file may exceed 2 GiB as long as each tensor fits a Java array.
     *
     * @param file the file; not null
     * @return the tensors in header order and the metadata; the caller owns the result
     * @throws SafetensorsException if the file is not a valid safetensors file; the message starts with
     *         the file name
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if {@code file} is null
     */
    public static SafetensorsFile read(Path file) throws IOException {
        return read(file, ReadLimits.DEFAULT);
    }

    /**
     * Like {@link #read(Path)} with the given limits.
     *
     * @param file the file; not null
     * @param limits the limits; not null
     * @return the tensors in header order and the metadata; the caller owns the result
     * @throws SafetensorsException if the file is not a valid safetensors file or exceeds a limit; the
     *         message starts with the file name
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if an argument is null
     */
    public static SafetensorsFile read(Path file, ReadLimits limits) throws IOException {
        return SafetensorsReader.readFile(file, limits, false, SafetensorsReader.MAX_REGION_BYTES);
    }

    /**
     * Validates a file like {@link #read(Path)}, then memory-maps its data read-only instead of
     * copying it: each tensor's {@link NamedTensor} is backed by the mapped file, so converting it with
     * {@link NamedTensor#asFloats()} and the like makes the only copy in the heap. Use it for large
     * files; small ones gain nothing. The header is read and validated exactly as by
     * {@link #read(Path)}; the data bytes themselves are not touched until used.
     *
     * <p><b>Lifetime.</b> Consecutive tensors share a mapping of up to 2 GiB; a mapping lives until
     * every tensor using it is unreachable and collected (there is no explicit unmap). The file may be
     * renamed, replaced by rename (as {@link #write(Path, Collection, Map)} does on POSIX systems) or
     * deleted meanwhile: the mapping keeps the old contents. But while the tensors are in use the
     * file must not be <em>modified in place</em> (the tensors would see the change, so their
     * immutability holds only as long as the file's contents do) nor <em>truncated</em>: reading data
     * past the new end raises {@link InternalError} (HotSpot turns the SIGBUS into it; from compiled
     * code it may arrive a little after the faulting access), not a checked exception. On Windows a
     * mapped file cannot be deleted or replaced until the mapping is gone.
     *
     * @param file the file; not null
     * @return the tensors, backed by the mapping ({@link NamedTensor#isMapped()}), and the metadata
     * @throws SafetensorsException if the file is not a valid safetensors file; the message starts with
     *         the file name
     * @throws IOException if the file cannot be read or mapped
     * @throws IllegalArgumentException if {@code file} is null
     */
    public static SafetensorsFile map(Path file) throws IOException {
        return map(file, ReadLimits.DEFAULT);
    }

    /**
     * Like {@link #map(Path)} with the given limits.
     *
     * @param file the file; not null
     * @param limits the limits; not null
     * @return the tensors, backed by the mapping, and the metadata
     * @throws SafetensorsException if the file is not a valid safetensors file or exceeds a limit
     * @throws IOException if the file cannot be read or mapped
     * @throws IllegalArgumentException if an argument is null
     */
    public static SafetensorsFile map(Path file, ReadLimits limits) throws IOException {
        return SafetensorsReader.readFile(file, limits, true, SafetensorsReader.MAX_REGION_BYTES);
    }

    /**
     * Reads and validates a file held in memory, with the {@linkplain ReadLimits#DEFAULT default limits}.
     * The tensors get copies of their bytes, so the result holds a second copy of the data; read
     * large files with {@link #read(Path)} or {@link #map(Path)}.
     *
     * @param bytes the complete file; not null; not modified and not retained
     * @return the tensors in header order and the metadata; the caller owns the result
     * @throws SafetensorsException if the bytes are not a valid safetensors file
     * @throws IllegalArgumentException if {@code bytes} is null
     */
    public static SafetensorsFile read(byte[] bytes) throws SafetensorsException {
        return read(bytes, ReadLimits.DEFAULT);
    }

    /**
     * Like {@link #read(byte[])} with the given limits.
     *
     * @param bytes the complete file; not null; not modified and not retained
     * @param limits the limits; not null
     * @return the tensors in header order and the metadata; the caller owns the result
     * @throws SafetensorsException if the bytes are not a valid safetensors file or exceed a limit
     * @throws IllegalArgumentException if an argument is null
     */
    public static SafetensorsFile read(byte[] bytes, ReadLimits limits) throws SafetensorsException {
        return SafetensorsReader.readArray(bytes, limits);
    }

    /**
     * Reads and validates a file from a stream, with the {@linkplain ReadLimits#DEFAULT default limits}.
     * The stream is read to its end (anything after the last tensor is an error) but not closed:
     * the caller owns the stream. Its length is not known in advance, so lengths in the header are
     * checked as the data arrives: a header that claims more than the stream holds fails with
     * "truncated input" after allocating about as much as the stream delivered.
     *
     * @param in the stream; not null
     * @return the tensors in header order and the metadata; the caller owns the result
     * @throws SafetensorsException if the bytes are not a valid safetensors file
     * @throws IOException if the stream fails
     * @throws IllegalArgumentException if {@code in} is null
     */
    public static SafetensorsFile read(InputStream in) throws IOException {
        return read(in, ReadLimits.DEFAULT);
    }

    /**
     * Like {@link #read(InputStream)} with the given limits; for a stream of unknown origin,
     * {@link ReadLimits#maxTotalBytes()} bounds how much is read and kept.
     *
     * @param in the stream; not null; read to its end, not closed
     * @param limits the limits; not null
     * @return the tensors in header order and the metadata; the caller owns the result
     * @throws SafetensorsException if the bytes are not a valid safetensors file or exceed a limit
     * @throws IOException if the stream fails
     * @throws IllegalArgumentException if an argument is null
     */
    public static SafetensorsFile read(InputStream in, ReadLimits limits) throws IOException {
        return SafetensorsReader.readStream(in, limits);
    }

    /**
     * Writes a file atomically: the bytes go to a new temporary file in the target's directory
     * (named {@code .NAME.RANDOM.tmp}), which is flushed to the device ({@link FileChannel#force}) and
     * then renamed over the target with {@link StandardCopyOption#ATOMIC_MOVE} (replacing an existing
     * file, as POSIX rename does). Only where the file system cannot move atomically does it fall back
     * to {@link StandardCopyOption#REPLACE_EXISTING}. On any failure the temporary file is deleted and
     * the target is left as it was. The new file gets the default permissions of a newly created file.
     *
     * <p>If the process dies during the write ({@code kill -9}, a crash), the target still holds
     * the complete previous version, never a part of the new one (the rename is the only step that
     * touches it); what may remain is the stale temporary file {@code .NAME.RANDOM.tmp} next to it,
     * which nothing reads and which is safe to delete. The fsync before the rename is what makes
     * the same hold across a power cut.
     *
     * <p>All arguments are validated before anything is created.
     *
     * @param file the target; not null; its parent directory must exist; an existing regular file is
     *        replaced, a directory is refused
     * @param tensors the tensors, written in iteration order; not null, no null elements, names
     *        unique; not retained
     * @param metadata the {@code __metadata__} map, written with keys sorted; null or empty for none;
     *        no null keys or values; not retained
     * @throws IllegalArgumentException on invalid arguments (null, duplicate names, a name or metadata
     *         string with an unpaired surrogate, a header over {@link #MAX_HEADER_BYTES})
     * @throws IOException if the file system fails; the target is then unchanged
     */
    public static void write(Path file, Collection<NamedTensor> tensors, Map<String, String> metadata)
            throws IOException {
        SafetensorsWriter.write(file, tensors, metadata, SafetensorsWriter.FailPoint.NONE);
    }

    /**
     * Like {@link #write(Path, Collection, Map)} without metadata.
     *
     * @param file the target; not null
     * @param tensors the tensors in file order; not null
     * @throws IOException if the file system fails; the target is then unchanged
     */
    public static void write(Path file, Collection<NamedTensor> tensors) throws IOException {
        SafetensorsWriter.write(file, tensors, null, SafetensorsWriter.FailPoint.NONE);
    }

    /**
     * Writes the contents of a file read earlier, atomically as {@link #write(Path, Collection, Map)}.
     * The tensor bytes are reproduced exactly; the header may differ from the original's (key order,
     * padding).
     *
     * @param file the target; not null
     * @param content the tensors and metadata; not null
     * @throws IOException if the file system fails; the target is then unchanged
     */
    public static void write(Path file, SafetensorsFile content) throws IOException {
        if (content == null) {
            throw new IllegalArgumentException("content must not be null");
        }
        SafetensorsWriter.write(file, content.tensors().values(), content.metadata(),
                SafetensorsWriter.FailPoint.NONE);
    }

    /**
     * Writes a file to a stream: the same bytes as {@link #write(Path, Collection, Map)}, but not
     * atomic (on failure the stream has received part of the file). The stream is flushed, not closed:
     * the caller owns it.
     *
     * @param out the stream; not null
     * @param tensors the tensors in file order; not null, no null elements, names unique
     * @param metadata the metadata, null or empty for none
     * @throws IllegalArgumentException on invalid arguments, before anything is written
     * @throws IOException if the stream fails
     */
    public static void write(OutputStream out, Collection<NamedTensor> tensors, Map<String, String> metadata)
            throws IOException {
        SafetensorsWriter.write(out, tensors, metadata);
    }

    /**
     * The file as a byte array, the same bytes as {@link #write(Path, Collection, Map)} writes.
     *
     * @param tensors the tensors in file order; not null, no null elements, names unique
     * @param metadata the metadata, null or empty for none
     * @return a new array the caller owns
     * @throws IllegalArgumentException on invalid arguments or if the file would exceed the largest
     *         Java array
     */
    public static byte[] toBytes(Collection<NamedTensor> tensors, Map<String, String> metadata) {
        return SafetensorsWriter.toBytes(tensors, metadata);
    }
}
