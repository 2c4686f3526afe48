package org.rnn4j.bench;

import org.openjdk.jmh.annotations.Fork;

/**
 * {@link ActivationBench} with the SIMD transcendental backend switched to
 * {@code VectorOperators.EXP/TANH} (SVML-backed intrinsics on x86), for the poly-vs-SVML choice.
 * Only the simd rows are meaningful here (the scalar twin does not depend on the backend).
 */
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Drnn4j.vector.math=svml"})
public class ActivationSvmlBench extends ActivationBench {
}
