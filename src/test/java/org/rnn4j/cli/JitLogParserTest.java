package org.rnn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link JitLogParser} on hand-made excerpts of HotSpot's compile log, in the shapes the VMs print
 * (JDK 17: padded timestamps, bare reasons; JDK 25: unpadded timestamps, "failed to inline: ..."),
 * with the harmless lines that must not be reported next to the real ones that must.
 */
class JitLogParserTest {

    private static JitLogParser parse(JitLogParser.Source source, String log) {
        JitLogParser p = new JitLogParser(source);
        log.lines().forEach(p::accept);
        return p;
    }

    private static final String MULT_ADD_VEC_SUM_LANES = "org.rnn4j.kernel.VectorKernels::multAddVec0: "
            + "org.rnn4j.kernel.VectorKernels::sumLanes NodeCountInliningCutoff";
    private static final String MULT_ADD_VEC_CONVERT = "org.rnn4j.kernel.VectorKernels::multAddVec0: "
            + "jdk.internal.vm.vector.VectorSupport::convert failed to inline (intrinsic)";

    /** The global -XX:+PrintInlining log of JDK 17: both compilers print. */
    @Test
    void globalFlagsLogReportsOnlyRnn4jC2Compiles() {
        String log = String.join("\n",
                // C2 compile of an rnn4j kernel: the two real findings, and harmless refusals
                "   1046 1051       4       org.rnn4j.kernel.VectorKernels::multAddVec0 (424 bytes)",
                "   1050  982       3       org.rnn4j.kernel.VectorKernels::multAddVec0 (424 bytes)   made not entrant",
                "                              @ 3   java.lang.Object::<init> (1 bytes)   inline (hot)",
                "                              @ 57   jdk.incubator.vector.FloatVector::fromArray (28 bytes)   force inline by annotation",
                "                                @ 24   jdk.internal.vm.vector.VectorSupport::load (38 bytes)   (intrinsic)",
                "                              @ 244   org.rnn4j.kernel.VectorKernels::sumLanes (84 bytes)   NodeCountInliningCutoff",
                "                                  @ 189   jdk.internal.vm.vector.VectorSupport::convert (39 bytes)   failed to inline (intrinsic)",
                "                               \\-> TypeProfile (4157/11997 counts) = jdk/incubator/vector/IntVector$IntSpecies",
                // a leaf kernel taking arrays left out of line: a call, not a box
                "                              @ 27   org.rnn4j.kernel.VectorKernels::sigmoid0 (360 bytes)   hot method too big",
                "                              @ 52   org.rnn4j.serve.StreamingModel::layer (892 bytes)   hot method too big",
                // an error path of the Vector API that takes no vector
                "                              @ 40   jdk.incubator.vector.AbstractSpecies::checkFailed (327 bytes)   too big",
                // a C1 compile of an rnn4j method: C1 never intrinsifies the Vector API
                "   1100 1060       3       org.rnn4j.kernel.VectorKernels::tanh0 (392 bytes)",
                "                              @ 71   jdk.internal.vm.vector.VectorSupport::unaryOp (34 bytes)   failed to inline (intrinsic)",
                "                              @ 60   jdk.internal.vm.vector.VectorSupport::load (38 bytes)   callee is too large",
                "                              @ 244   org.rnn4j.kernel.VectorKernels::sumLanes (84 bytes)   NodeCountInliningCutoff",
                // a standalone C2 compile of a JDK method: its arguments are not constants there
                "   1200 1070       4       jdk.incubator.vector.Float512Vector::laneHelper (21 bytes)",
                "  ** missing constant: vclass=ConP etype=ConP vlen=ConI idx=Parm",
                "                              @ 16   jdk.internal.vm.vector.VectorSupport::extract (35 bytes)   failed to inline (intrinsic)",
                // the same kernel again as an OSR compile: the same findings, reported once
                "   1300 1080 %     4       org.rnn4j.kernel.VectorKernels::multAddVec0 @ 104 (424 bytes)",
                "                              @ 244   org.rnn4j.kernel.VectorKernels::sumLanes (84 bytes)   NodeCountInliningCutoff",
                // a C1 line that landed under a C2 header is told apart by its wording
                "   1400 1090       4       org.rnn4j.kernel.VectorGemm::packA (330 bytes)",
                "                              @ 280   jdk.internal.vm.vector.VectorSupport::store (38 bytes)   callee is too large");
        JitLogParser p = parse(JitLogParser.Source.ALL_COMPILERS, log);
        assertEquals(List.of(MULT_ADD_VEC_SUM_LANES, MULT_ADD_VEC_CONVERT), p.findings());
        assertEquals(3, p.rnn4jC2Compiles());   // 1051, 1080, 1090
    }

    /**
     * As {@code rnn4j info --jit} runs it: only C2 prints inlining, after the compile, so C1 headers
     * printed in between do not take the block.
     */
    @Test
    void c2OnlyLogGivesTheBlockToTheLatestTier4Header() {
        String log = String.join("\n",
                "   2392 1368       4       org.rnn4j.kernel.VectorKernels::multAddVec0 (424 bytes)",
                "   2400 1369       3       java.lang.ThreadLocal$ThreadLocalMap::getEntry (42 bytes)",
                "   2409 1284       3       org.rnn4j.kernel.VectorKernels::multAddVec0 (424 bytes)   made not entrant",
                "                              @ 244   org.rnn4j.kernel.VectorKernels::sumLanes (84 bytes)   NodeCountInliningCutoff",
                "   2500 1370       4       jdk.incubator.vector.Int512Vector::asVectorRaw (6 bytes)",
                "                                  @ 189   jdk.internal.vm.vector.VectorSupport::convert (39 bytes)   failed to inline (intrinsic)");
        assertEquals(List.of(MULT_ADD_VEC_SUM_LANES), parse(JitLogParser.Source.C2_ONLY, log).findings());
        // with the global flags the same text means the block went to the C1 compile: nothing to report
        assertEquals(List.of(), parse(JitLogParser.Source.ALL_COMPILERS, log).findings());
    }

    /** JDK 21+ wording: "failed to inline: ...", several messages on one line, late inlining. */
    @Test
    void jdk25WordingIsNormalised() {
        String log = String.join("\n",
                "2929 1325       4       org.rnn4j.kernel.VectorGemm::macroColumn (250 bytes)",
                "                              @ 257   org.rnn4j.kernel.VectorLanes::sumLanes (140 bytes)   failed to inline: hot method too big",
                "                              @ 163   org.rnn4j.kernel.VectorGemm::kernel8x2 (641 bytes)   failed to inline: hot method too big   ",
                "                                    @ 26   jdk.internal.vm.vector.VectorSupport::blend (38 bytes)   (intrinsic)   late inline succeeded",
                "                              @ 89   org.rnn4j.kernel.VectorKernels::vsigmoid (25 bytes)   failed to inline: already compiled"
                        + " into a big method   callee changed to  org.rnn4j.kernel.Kernels::x (93 bytes)    \\-> TypeProfile"
                        + " (12883/12883 counts) = org/rnn4j/kernel/VectorKernels",
                "                                    @ 30   jdk.internal.vm.vector.VectorSupport::binaryOp (38 bytes)   failed to inline:"
                        + " failed to inline (intrinsic)");
        assertEquals(List.of(
                "org.rnn4j.kernel.VectorGemm::macroColumn: org.rnn4j.kernel.VectorLanes::sumLanes hot method too big",
                "org.rnn4j.kernel.VectorGemm::macroColumn: org.rnn4j.kernel.VectorKernels::vsigmoid already compiled into a big method",
                "org.rnn4j.kernel.VectorGemm::macroColumn: jdk.internal.vm.vector.VectorSupport::binaryOp failed to inline (intrinsic)"),
                parse(JitLogParser.Source.C2_ONLY, log).findings());
    }

    /**
     * The VM writes a line in pieces: a header from another thread can land in the middle of an
     * inlining line (JDK 25 without, JDK 17 with timestamp padding), whose rest follows on the next line.
     */
    @Test
    void aHeaderCutIntoALineIsSeenAndTheLineJoined() {
        String jdk25 = String.join("\n",
                "6600 1478       4       org.rnn4j.kernel.VectorKernels::multAddVec0 (424 bytes)",
                "                              @ 244   org.rnn4j.kernel.VectorKernels::sum6642 1479       3       org.rnn4j.cell.RnnSpec::gateRows (13 bytes)",
                "Lanes (84 bytes)   failed to inline: NodeCountInliningCutoff",
                // a tier-4 header of a JDK method cut into a line takes the lines after it
                "                              @ 1   java.util.Objects::requireNonNull (14 bytes)   force inline by annotation6700 1480       4       jdk.incubator.vector.Float512Vector::laneHelper (21 bytes)",
                "",
                "                              @ 16   jdk.internal.vm.vector.VectorSupport::extract (35 bytes)   failed to inline: failed to inline (intrinsic)");
        assertEquals(List.of(MULT_ADD_VEC_SUM_LANES), parse(JitLogParser.Source.C2_ONLY, jdk25).findings());

        String jdk17 = String.join("\n",
                "   1046 1051       4       org.rnn4j.kernel.VectorKernels::multAddVec0 (424 bytes)",
                "                              @ 244   org.rnn4j.kernel.VectorKernels::sum   1047 1052       3       java.lang.String::length (11 bytes)",
                "Lanes (84 bytes)   NodeCountInliningCutoff");
        assertEquals(List.of(MULT_ADD_VEC_SUM_LANES), parse(JitLogParser.Source.C2_ONLY, jdk17).findings());
    }

    @Test
    void vectorCalleesAreToldFromTheirSignatures() {
        assertTrue(JitLogParser.handlesVectors("org.rnn4j.kernel.VectorKernels::sumLanes"), "takes a FloatVector");
        assertTrue(JitLogParser.handlesVectors("org.rnn4j.kernel.VectorKernels::vsigmoid"), "returns a FloatVector");
        assertFalse(JitLogParser.handlesVectors("org.rnn4j.kernel.VectorKernels::sigmoid0"), "arrays only");
        assertFalse(JitLogParser.handlesVectors("org.rnn4j.kernel.VectorGemm::kernel6x2"), "arrays only");
        assertFalse(JitLogParser.handlesVectors("org.rnn4j.serve.StreamingModel::layer"), "not vector code");
        assertTrue(JitLogParser.handlesVectors("jdk.incubator.vector.Float512Vector::laneHelper"), "this is a vector");
        assertTrue(JitLogParser.handlesVectors("jdk.internal.vm.vector.VectorSupport::convert"), "payloads");
        assertFalse(JitLogParser.handlesVectors("jdk.incubator.vector.AbstractSpecies::checkFailed"), "no vector");
        // by name when the class is hidden or cannot be loaded
        assertTrue(JitLogParser.handlesVectors("jdk.incubator.vector.IntVector$$Lambda$113/0x00007f1a4c077640::apply"));
        assertTrue(JitLogParser.handlesVectors("org.rnn4j.kernel.VectorNoSuchClass::f"));
        assertFalse(JitLogParser.handlesVectors("org.rnn4j.kernel.NoSuchClass::f"));
    }

    @Test
    void normaliseStripsTheNewPrefixOnly() {
        assertEquals("hot method too big", JitLogParser.normalise("failed to inline: hot method too big"));
        assertEquals("failed to inline (intrinsic)", JitLogParser.normalise("failed to inline: failed to inline (intrinsic)"));
        assertEquals("NodeCountInliningCutoff", JitLogParser.normalise("NodeCountInliningCutoff"));
    }
}
