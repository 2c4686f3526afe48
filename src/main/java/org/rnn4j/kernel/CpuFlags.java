package org.rnn4j.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The CPU's SIMD-related feature flags as the operating system reports them (Linux only). */
final class CpuFlags {
    private CpuFlags() {}

    /** @return e.g. "sse4_2 avx avx2 fma", or null where /proc/cpuinfo is not readable */
    static String simdFlags() {
        Path p = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(p)) {
            return null;
        }
        try {
            for (String line : Files.readAllLines(p, StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("flags") || line.startsWith("Features")) {
                    String flags = line.substring(line.indexOf(':') + 1).trim();
                    return Arrays.stream(flags.split("\\s+"))
                            .filter(f -> f.startsWith("sse") || f.startsWith("avx") || f.equals("fma")
                                    || f.equals("asimd") || f.startsWith("sve") || f.equals("f16c"))
                            .collect(Collectors.joining(" "));
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }
}
