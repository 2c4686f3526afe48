package org.rnn4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Atomic writes survive {@code kill -9}: a child JVM ({@link WriterChild}) rewrites a 4 MB file in a
 * loop and is killed, ten times over, at moments that vary (paused exactly at each stage of a write,
 * or after a random delay). After each kill the target must read cleanly and be one complete
 * version, never older than the last one seen complete, and the only other files allowed are the
 * stale {@code .NAME.RANDOM.tmp} files of killed writes.
 */
class SafetensorsKillTest {
    private static final int ELEMENTS = 1 << 20;
    private static final Pattern TEMP = Pattern.compile("\\.model\\.safetensors\\.[0-9a-f]+\\.tmp");

    @TempDir
    Path dir;

    private final List<Process> children = new ArrayList<>();

    /** Runs on failure too, in the test thread after a preemptive timeout: no child outlives the test. */
    @AfterEach
    void killChildren() throws InterruptedException {
        for (Process p : children) {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    private Process start(Path target, long firstIteration, String pauseStage) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), WriterChild.class.getName(),
                target.toString(), Integer.toString(ELEMENTS), Long.toString(firstIteration)));
        if (pauseStage != null) {
            cmd.add(pauseStage);
        }
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("child-stderr.txt").toFile()).start();
        children.add(p);
        return p;
    }

    /** The version in the target, after checking that it is complete and self-consistent. */
    private static long readVersion(Path target) throws IOException {
        SafetensorsFile f = Safetensors.read(target);
        long v = Long.parseLong(f.metadata("iteration"));
        assertEquals(List.of("data", "iteration"), f.names());
        assertArrayEquals(new long[] {v}, f.tensor("iteration").asLongs());
        float[] data = f.tensor("data").asFloats();
        assertEquals(ELEMENTS, data.length);
        for (int i = 0; i < data.length; i++) {
            if (data[i] != v) {
                throw new AssertionError("element " + i + " is " + data[i] + " in version " + v + ": a mixed file");
            }
        }
        return v;
    }

    private List<String> strayFiles(Path target) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals(target.getFileName().toString()) && !n.equals("child-stderr.txt"))
                    .sorted().collect(Collectors.toList());
        }
    }

    private String childStderr() throws IOException {
        Path p = dir.resolve("child-stderr.txt");
        return Files.exists(p) ? Files.readString(p) : "";
    }

    @Test
    void killedWritersNeverLeaveAHalfWrittenFile() {
        assertTimeoutPreemptively(Duration.ofSeconds(120), this::killRepeatedly);
    }

    private void killRepeatedly() throws Exception {
        Path target = dir.resolve("model.safetensors");
        float[] zeros = new float[ELEMENTS];
        Safetensors.write(target, List.of(NamedTensor.ofFloats("data", new int[] {ELEMENTS}, zeros),
                NamedTensor.ofLongs("iteration", new int[0], new long[] {0})), Map.of("iteration", "0"));
        long seen = readVersion(target);
        long next = 1;
        int staleTemps = 0;
        SplittableRandom random = new SplittableRandom(20240611);
        // Killed exactly at each stage of a write, then at random moments of a running loop.
        List<String> plan = List.of("header", "tensor data", "tensor iteration", "move",
                "timed", "timed", "timed", "timed", "timed", "timed");
        for (String kill : plan) {
            boolean staged = !kill.equals("timed");
            Process child = start(target, next, staged ? kill : null);
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            long lastBegun = -1;
            long lastDone = seen;
            if (staged) {
                String line;
                while ((line = out.readLine()) != null && !line.startsWith("paused ")) {
                    lastBegun = line.startsWith("begin ") ? Long.parseLong(line.substring(6)) : lastBegun;
                }
                assertNotNull(line, "the child ended before pausing at '" + kill + "': " + childStderr());
            } else {
                // Let it complete a random number of writes, then kill it a random time into the next.
                int writes = random.nextInt(3);
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("done ")) {
                        lastDone = Long.parseLong(line.substring(5));
                    } else if (line.startsWith("begin ")) {
                        lastBegun = Long.parseLong(line.substring(6));
                        if (lastBegun - next >= writes) {
                            break;
                        }
                    }
                }
                assertNotNull(line, "the child ended early: " + childStderr());
                Thread.sleep(random.nextInt(25));
            }
            child.destroyForcibly();
            child.waitFor();

            long v = readVersion(target);
            if (staged) {
                assertEquals(seen, v, "killed at '" + kill + "' of version " + lastBegun + ": the target changed");
                staleTemps++;
            } else {
                assertTrue(v >= lastDone && v <= lastBegun, "version " + v + " after a kill between the completed "
                        + lastDone + " and the begun " + lastBegun);
            }
            List<String> stray = strayFiles(target);
            for (String name : stray) {
                assertTrue(TEMP.matcher(name).matches(), "unexpected file " + name);
            }
            // A write killed after creating its temporary file leaves it; a staged kill always does.
            assertTrue(stray.size() >= staleTemps, stray + " after " + staleTemps + " staged kills");
            seen = v;
            next = Math.max(lastBegun, next) + 1;
        }
    }
}
