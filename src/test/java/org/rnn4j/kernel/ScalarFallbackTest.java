package org.rnn4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Proves in child JVMs how the implementation is chosen: without {@code --add-modules
 * jdk.incubator.vector} the library loads, computes correctly on the scalar path and says once how
 * to enable SIMD; with it, SIMD is used on C2 and refused on a JIT that would run the Vector API's
 * slow Java fallback; {@code -Drnn4j.simd} overrides.
 */
class ScalarFallbackTest {

    record Result(int code, String out, String err) {}

    static Result runProbe(String... jvmArgs) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = location(Kernels.class) + File.pathSeparator + location(FallbackProbe.class);
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(List.of(jvmArgs));
        cmd.add("-cp");
        cmd.add(cp);
        cmd.add(FallbackProbe.class.getName());
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void withoutTheModuleTheScalarPathRunsAndSaysOnceHowToEnableSimd() throws Exception {
        Result r = runProbe();
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("impl=scalar"), r.out());
        assertTrue(r.out().contains("simdAvailable=false"), r.out());
        assertTrue(r.out().contains("fma=scalar Math.fma"), r.out());
        assertTrue(r.out().contains("RESULT OK"), r.out());
        assertEquals(1, count(r.err(), "--add-modules jdk.incubator.vector"), "hint must be logged exactly once: " + r.err());
    }

    @Test
    void withTheModuleOnC2TheSimdPathRuns() throws Exception {
        Result r = runProbe("--add-modules", "jdk.incubator.vector");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("impl=simd-"), r.out());
        assertTrue(r.out().contains("-bit FloatVector.fma"), r.out());
        assertTrue(r.out().contains("RESULT OK"), r.out());
        assertEquals(0, count(r.err(), "rnn4j kernels:"), r.err());
    }

    @Test
    void withoutC2TheScalarPathIsPreferredAndTheReasonLogged() throws Exception {
        Result r = runProbe("--add-modules", "jdk.incubator.vector", "-XX:TieredStopAtLevel=1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("impl=scalar"), r.out());
        assertTrue(r.out().contains("simdAvailable=true"), r.out());
        assertTrue(r.out().contains("RESULT OK"), r.out());
        assertTrue(r.err().contains("TieredStopAtLevel=1"), r.err());
    }

    @Test
    void systemPropertyOverridesTheChoice() throws Exception {
        Result off = runProbe("--add-modules", "jdk.incubator.vector", "-Drnn4j.simd=false");
        assertTrue(off.out().contains("impl=scalar"), off.out());
        assertEquals(0, count(off.err(), "rnn4j kernels:"), "an explicit choice is not logged: " + off.err());
        Result on = runProbe("--add-modules", "jdk.incubator.vector", "-XX:TieredStopAtLevel=1", "-Drnn4j.simd=true");
        assertTrue(on.out().contains("impl=simd-"), on.out());
        assertTrue(on.out().contains("RESULT OK"), on.out());
    }
}
