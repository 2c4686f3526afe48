package org.rnn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ThreadAllocationTest {

    /** The test JVMs are HotSpot with jdk.management: the counter exists and counts an allocation. */
    @Test
    void countsThisThreadsAllocation() {
        assertTrue(ThreadAllocation.available(), "HotSpot offers com.sun.management.ThreadMXBean");
        long before = ThreadAllocation.bytes();
        byte[] block = new byte[1 << 20];
        long after = ThreadAllocation.bytes();
        assertTrue(after - before >= block.length, "counted " + (after - before) + " bytes for a 1 MiB array");
    }

    /** Without a counter the figures say so: "n/a" in the table, null in JSON, never a fake 0. */
    @Test
    void missingCountsAreShownAsMissing() {
        assertEquals("n/a", BenchCommand.bytes(Double.NaN));
        assertEquals("null", BenchCommand.jsonBytes(Double.NaN));
        assertEquals("0.0", BenchCommand.jsonBytes(0));
        assertEquals("0 B", BenchCommand.bytes(0));
    }
}
