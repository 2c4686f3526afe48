package org.rnn4j.cli;

import java.lang.management.ManagementFactory;

/**
 * The calling thread's allocated-bytes counter, where the JVM offers one: HotSpot's (and OpenJ9's)
 * {@code com.sun.management.ThreadMXBean} from the {@code jdk.management} module. A runtime without
 * that module (a jlink image) or with the counter switched off has none; the measuring commands then
 * report the bytes as not available instead of failing with a ClassCastException or a
 * NoClassDefFoundError. The field is typed by the {@code java.management} interface and the extension
 * type is resolved only where it is used (inside a guarded lookup, and in {@link #bytes} once that
 * lookup found it), so that this class loads on every runtime.
 */
final class ThreadAllocation {
    private ThreadAllocation() {}

    private static final java.lang.management.ThreadMXBean MX = find();

    private static java.lang.management.ThreadMXBean find() {
        try {
            java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            Class<?> ext = Class.forName("com.sun.management.ThreadMXBean");
            if (!ext.isInstance(mx)) {
                return null;
            }
            com.sun.management.ThreadMXBean t = (com.sun.management.ThreadMXBean) mx;
            if (!t.isThreadAllocatedMemorySupported()) {
                return null;
            }
            if (!t.isThreadAllocatedMemoryEnabled()) {
                t.setThreadAllocatedMemoryEnabled(true);
            }
            return mx;
        } catch (LinkageError | ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** @return true when {@link #bytes} counts this thread's allocation */
    static boolean available() {
        return MX != null;
    }

    /** @return the bytes the calling thread has allocated so far, or -1 when {@link #available()} is false */
    static long bytes() {
        return MX == null ? -1 : ((com.sun.management.ThreadMXBean) MX).getCurrentThreadAllocatedBytes();
    }
}
