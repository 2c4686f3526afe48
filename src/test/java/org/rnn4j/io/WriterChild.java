package org.rnn4j.io;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The process {@link SafetensorsKillTest} kills: writes one file over and over with
 * {@link Safetensors#write}, each version self-checking (every element of {@code data} equals the
 * iteration number, as do the tensor {@code iteration} and the metadata key {@code iteration}), so a
 * reader can tell a complete version from a mixture.
 *
 * <p>Usage: {@code WriterChild FILE ELEMENTS FIRST_ITERATION [PAUSE_STAGE]}. Prints {@code begin I}
 * before writing version I, {@code stage I STAGE} at each fail point of the write ({@code header},
 * {@code tensor NAME} half-way through a tensor, {@code move} after the fsync, before the rename),
 * {@code done I} after it. With PAUSE_STAGE, the first write stops at that stage and sleeps, so the
 * parent can kill it exactly there.
 */
public final class WriterChild {
    private WriterChild() {}

    /**
     * Entry point.
     *
     * @param args FILE ELEMENTS FIRST_ITERATION [PAUSE_STAGE]
     * @throws Exception on any failure; the parent sees the stack trace on stderr
     */
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int elements = Integer.parseInt(args[1]);
        long first = Long.parseLong(args[2]);
        String pause = args.length > 3 ? args[3] : null;
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        float[] data = new float[elements];
        for (long i = first; ; i++) {
            long iteration = i;
            Arrays.fill(data, iteration);
            List<NamedTensor> tensors = List.of(NamedTensor.ofFloats("data", new int[] {elements}, data),
                    NamedTensor.ofLongs("iteration", new int[0], new long[] {iteration}));
            out.println("begin " + iteration);
            SafetensorsWriter.write(file, tensors, Map.of("iteration", Long.toString(iteration)), stage -> {
                out.println("stage " + iteration + " " + stage);
                if (stage.equals(pause)) {
                    out.println("paused " + iteration + " " + stage);
                    sleepForever();
                }
            });
            out.println("done " + iteration);
        }
    }

    private static void sleepForever() throws IOException {
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while paused", e);
        }
    }
}
