package org.rnn4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link FmaPeak}: each loop gives a positive finite figure and says what it ran; the vector loop
 * beats the scalar twin. Speed itself is not asserted beyond that: the vector loop does at least
 * 4 lanes of FMAs where the twin does one, so even a disturbed trial leaves a wide margin. A
 * measurement may still land in a moment the machine is busy, so the comparison is retried a few
 * times before it fails.
 */
class FmaPeakTest {

    @Test
    void scalarTwinIsPositiveAndFinite() {
        FmaPeak.Result r = FmaPeak.measureScalar();
        assertTrue(r.gflops() > 0 && Double.isFinite(r.gflops()), r.toString());
        assertFalse(r.simd());
        assertEquals(32, r.bits());
        assertEquals(FmaPeak.ACCUMULATORS, r.accumulators());
        assertEquals("scalar Math.fma, 12 accumulators", r.loop());
        assertTrue(r.toString().matches("\\d+\\.\\d GFLOP/s per core \\(scalar Math\\.fma, 12 accumulators\\)"), r.toString());
    }

    @Test
    void vectorLoopIsPositiveFiniteAndOnTheKernelsSpecies() {
        assumeTrue(KernelSelector.simdAvailable(), "no Vector API in this JVM");
        FmaPeak.Result r = FmaPeak.measureSimd();
        assertTrue(r.gflops() > 0 && Double.isFinite(r.gflops()), r.toString());
        assertTrue(r.simd());
        assertEquals(VectorInfo.lanes(KernelSelector.simd()) * 32, r.bits(), r.toString());
        assertEquals(r.bits() + "-bit FloatVector.fma, 12 accumulators", r.loop());
    }

    @Test
    void measureFollowsTheActiveKernels() {
        FmaPeak.Result r = FmaPeak.measure();
        assertEquals(!Kernels.get().name().equals("scalar"), r.simd(), Kernels.get().name() + " vs " + r);
        assertTrue(r.gflops() > 0 && Double.isFinite(r.gflops()), r.toString());
    }

    @Test
    void vectorLoopBeatsTheScalarTwin() {
        assumeTrue(Kernels.get() != ScalarKernels.INSTANCE, "scalar kernels active: " + KernelSelector.reason());
        // At a width wider than the hardware the vector loop is the Java fallback and loses by design.
        assumeTrue(!VectorShapes.emulated(), "vector width wider than this CPU's");
        String tried = "";
        for (int attempt = 0; attempt < 3; attempt++) {
            FmaPeak.Result v = FmaPeak.measureSimd();
            FmaPeak.Result s = FmaPeak.measureScalar();
            if (v.gflops() >= s.gflops()) {
                return;
            }
            tried += " [" + v + " < " + s + "]";
        }
        throw new AssertionError("the vector loop was slower than the scalar twin in every attempt:" + tried);
    }
}
