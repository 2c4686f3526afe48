package org.rnn4j.kernel;

/** Reads species facts from a SIMD {@link Kernels} without this class linking against the Vector API. */
final class VectorInfo {
    private VectorInfo() {}

    static int lanes(Kernels simd) {
        return ((VectorKernels) simd).lanes();
    }

    static String describe(Kernels simd) {
        VectorKernels v = (VectorKernels) simd;
        return v.lanes() + " floats (" + v.lanes() * 32 + "-bit), GEMM micro-kernel " + v.microKernel();
    }
}
