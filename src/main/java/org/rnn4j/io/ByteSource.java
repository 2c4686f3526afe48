package org.rnn4j.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.List;

/**
 * Where a reader's bytes come from, read front to back: the length prefix, the header, then the
 * tensor data in offset order. {@link #size()} is -1 where it is not known in advance. One
 * implementation per kind of
 * input: {@link ArraySource} (an array in memory), {@link ChannelSource} (a file, copied into the
 * heap), {@link MappedSource} (a file, memory-mapped) and {@link StreamSource} (a stream of unknown
 * length). A source only delivers bytes and reports truncation; {@link SafetensorsReader} does every
 * check of what they mean.
 */
interface ByteSource {
    /** The length of the whole input in bytes, or -1 for a stream, whose length is not known. */
    long size() throws IOException;

    /**
     * Reads exactly {@code n} bytes or throws a "truncated" {@link SafetensorsException}.
     *
     * @param what the part being read, for the message
     * @return a new array of {@code n} bytes that the caller owns
     */
    byte[] read(int n, String what) throws IOException;

    /**
     * The data of validated entries, which tile {@code [0, covered)} of the buffer in this order,
     * the buffer starting at {@code dataStart} in the input.
     *
     * @return one buffer per entry, in {@code byOffset} order, positioned at 0 with exactly the
     *         entry's bytes: a wrap of a fresh array the caller owns, or a read-only slice of a mapping
     */
    default ByteBuffer[] data(List<Header.Entry> byOffset, long dataStart, long covered) throws IOException {
        ByteBuffer[] out = new ByteBuffer[byOffset.size()];
        for (int i = 0; i < out.length; i++) {
            Header.Entry e = byOffset.get(i);
            out[i] = ByteBuffer.wrap(read((int) (e.end - e.begin),
                    "data of tensor " + e.quoted() + " at data_offsets " + e.offsets()));
        }
        return out;
    }

    /** Whether the input ends where the last read ended (a stream is read one byte further). */
    boolean atEnd() throws IOException;

    /** Whether {@link #data} maps the file rather than copying it. */
    default boolean mapped() {
        return false;
    }

    private static SafetensorsException truncated(String what, int n, long got) {
        return new SafetensorsException("truncated input: " + what + " needs " + n + " bytes, but only "
                + got + " remain");
    }

    /** A whole file in an array the caller keeps; each read copies its range. */
    final class ArraySource implements ByteSource {
        private final byte[] a;
        private int pos;

        ArraySource(byte[] a) {
            this.a = a;
        }

        @Override
        public long size() {
            return a.length;
        }

        @Override
        public byte[] read(int n, String what) throws SafetensorsException {
            if (n > a.length - pos) {
                throw truncated(what, n, a.length - pos);
            }
            byte[] r = Arrays.copyOfRange(a, pos, pos + n);
            pos += n;
            return r;
        }

        @Override
        public boolean atEnd() {
            return pos == a.length;
        }
    }

    /** A file read through its channel, each read into a new array of exactly its length. */
    class ChannelSource implements ByteSource {
        final FileChannel ch;

        ChannelSource(FileChannel ch) {
            this.ch = ch;
        }

        @Override
        public long size() throws IOException {
            return ch.size();
        }

        @Override
        public byte[] read(int n, String what) throws IOException {
            // n was checked against the file size; a file that shrinks meanwhile ends the loop below.
            ByteBuffer b = ByteBuffer.allocate(n);
            while (b.hasRemaining()) {
                if (ch.read(b) < 0) {
                    throw truncated(what, n, b.position());
                }
            }
            return b.array();
        }

        @Override
        public boolean atEnd() throws IOException {
            return ch.position() >= ch.size();
        }
    }

    /**
     * Maps the data instead of reading it: consecutive tensors share one read-only mapping of at most
     * {@code maxRegion} bytes (never one per tensor, which for many small tensors would exhaust the
     * process's mapping count), and each tensor is a slice of its region.
     */
    final class MappedSource extends ChannelSource {
        private final long maxRegion;

        MappedSource(FileChannel ch, long maxRegion) {
            super(ch);
            this.maxRegion = maxRegion;
        }

        @Override
        public ByteBuffer[] data(List<Header.Entry> byOffset, long dataStart, long covered) throws IOException {
            ByteBuffer[] out = new ByteBuffer[byOffset.size()];
            int i = 0;
            while (i < out.length) {
                long regionBegin = byOffset.get(i).begin;
                int last = i;
                while (last + 1 < out.length && byOffset.get(last + 1).end - regionBegin <= maxRegion) {
                    last++;
                }
                long regionEnd = byOffset.get(last).end;
                ByteBuffer region = ch.map(FileChannel.MapMode.READ_ONLY, dataStart + regionBegin,
                        regionEnd - regionBegin);
                for (; i <= last; i++) {
                    Header.Entry e = byOffset.get(i);
                    out[i] = region.slice((int) (e.begin - regionBegin), (int) (e.end - e.begin));
                }
            }
            // The data was not read; the file's end is where the tensors end (checked against its size).
            ch.position(dataStart + covered);
            return out;
        }

        @Override
        public boolean mapped() {
            return true;
        }
    }

    /** A stream of unknown length; the stream stays open and owned by the caller. */
    final class StreamSource implements ByteSource {
        /** The first allocation for a read; later ones double, as data keeps arriving. */
        private static final int CHUNK = 64 * 1024;

        private final InputStream in;

        StreamSource(InputStream in) {
            this.in = in;
        }

        @Override
        public long size() {
            return -1;
        }

        @Override
        public byte[] read(int n, String what) throws IOException {
            // The length is only a claim until the bytes arrive: grow the buffer with the data (at most
            // doubling what was received) rather than trusting n, so a 2 GB claim on a short stream
            // costs little. Not readNBytes(n): InputStream subclasses may allocate n up front there.
            byte[] buf = new byte[Math.min(n, CHUNK)];
            int got = 0;
            while (got < n) {
                if (got == buf.length) {
                    buf = Arrays.copyOf(buf, (int) Math.min(n, 2L * buf.length));
                }
                int r = in.read(buf, got, buf.length - got);
                if (r < 0) {
                    throw truncated(what, n, got);
                }
                got += r;
            }
            return buf;
        }

        @Override
        public boolean atEnd() throws IOException {
            return in.read() < 0;
        }
    }
}
