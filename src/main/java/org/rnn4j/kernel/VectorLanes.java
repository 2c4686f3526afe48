package org.rnn4j.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float species every SIMD kernel uses ({@link VectorKernels} for the element-wise and
 * post-GEMM kernels, {@link VectorGemm} for the GEMMs), chosen once per JVM, and the one lane
 * reduction both need. One holder, so that the two kernel classes cannot disagree on the width and
 * neither borrows from the other. Loaded only with {@code jdk.incubator.vector} present.
 */
final class VectorLanes {
    /** The species: C2 intrinsifies only when it is a {@code static final} constant. */
    static final VectorSpecies<Float> F = floatSpecies();
    /** The int species of the same width (exponent bits in exp). */
    static final VectorSpecies<Integer> I = F.withLanes(int.class);
    /** Lanes per vector. */
    static final int L = F.length();

    private VectorLanes() {}

    /**
     * The preferred species, or the width named by {@code -Drnn4j.vector.bits=64|128|256|512} (used by
     * the tests to run every kernel at every width this CPU supports, and to compare widths).
     */
    private static VectorSpecies<Float> floatSpecies() {
        String bits = System.getProperty("rnn4j.vector.bits");
        if (bits == null || bits.isBlank()) {
            return FloatVector.SPECIES_PREFERRED;
        }
        switch (bits.trim()) {
            case "64": return FloatVector.SPECIES_64;
            case "128": return FloatVector.SPECIES_128;
            case "256": return FloatVector.SPECIES_256;
            case "512": return FloatVector.SPECIES_512;
            default:
                throw new IllegalArgumentException("rnn4j.vector.bits must be 64, 128, 256 or 512, got '" + bits + "'");
        }
    }

    /** Lane rotations by L/2, L/4, L/8, L/16 for the reduction tree of {@link #sumLanes}. */
    private static final VectorShuffle<Float> ROT_2 = VectorShuffle.iota(F, Math.max(L / 2, 1), 1, true);
    private static final VectorShuffle<Float> ROT_4 = VectorShuffle.iota(F, Math.max(L / 4, 1), 1, true);
    private static final VectorShuffle<Float> ROT_8 = VectorShuffle.iota(F, Math.max(L / 8, 1), 1, true);
    private static final VectorShuffle<Float> ROT_16 = VectorShuffle.iota(F, Math.max(L / 16, 1), 1, true);

    /**
     * Sum of the lanes by a fixed tree: add the vector rotated by L/2, then by L/4, …, read lane 0.
     * Not {@code reduceLanes(ADD)}: for floats the Vector API leaves its order unspecified, and JDK
     * 25's C2 intrinsic adds in a different order than the Java fallback that runs before
     * compilation, so the same call gave different bits early and late in one JVM (caught by
     * GemmParallelTest). Rotations and adds are exact lane operations in every tier. (A lane-by-lane
     * loop was also deterministic but cost ~30 µops a reduction, which dominated GEMV at H = 64.)
     * Only where the tree is alone in a compile unit of fixed size: in {@code VectorKernels.bf16Row}, which is
     * larger than C2's hot-inlining limit (FreqInlineSize, 325 bytecodes) and so never inlined into
     * a caller, once per row (where storing the vector would cost a third of the row). Everywhere else see
     * {@code VectorKernels.sumStored}.
     */
    static float sumLanes(FloatVector v) {
        if (L >= 2) {
            v = v.add(v.rearrange(ROT_2));
        }
        if (L >= 4) {
            v = v.add(v.rearrange(ROT_4));
        }
        if (L >= 8) {
            v = v.add(v.rearrange(ROT_8));
        }
        if (L >= 16) {
            v = v.add(v.rearrange(ROT_16));
        }
        return v.lane(0);
    }
}
