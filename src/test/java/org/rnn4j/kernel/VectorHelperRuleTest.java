package org.rnn4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Rule 3 of docs/kernels.md ("no vector crosses a call C2 may refuse"), enforced on the code: every
 * method of the kernel package whose parameters or result are Vector API types is listed here with
 * the reason it is safe. C2 refuses to inline a callee that it already compiled on its own to more
 * than {@code InlineSmallCode} bytes, and whether that happened first depends on the order in which
 * a JVM's code got hot: a vector helper that is inlined in one test order is boxed on every call in
 * another, so the allocation guards alone cannot be relied on to catch it. A new helper of this kind
 * needs a reason here, or its math spelled out in the loops that use it.
 */
class VectorHelperRuleTest {

    /** The allowed vector-valued helpers ("Class.method") and why each is safe. */
    static final Map<String, String> ALLOWED = Map.of(
            "VectorLanes.floatSpecies", "class initialisation only: picks the species once",
            "VectorLanes.sumLanes", "a fixed rotation tree, a few hundred bytes compiled; called only from"
                    + " a compile unit of fixed size (bf16Row)",
            "VectorKernels.vsigmoid", "SVML path only: one stub call and two lane ops",
            "VectorKernels.vtanh", "SVML path only: one stub call");

    @Test
    void everyVectorValuedHelperIsListedWithAReason() throws URISyntaxException, ClassNotFoundException {
        File dir = new File(VectorHelperRuleTest.class.getResource("Kernels.class").toURI()).getParentFile();
        TreeSet<String> found = new TreeSet<>();
        String[] names = dir.list((d, n) -> n.endsWith(".class"));
        assertTrue(names != null && names.length > 0, "no classes found in " + dir);
        for (String file : names) {
            String simple = file.substring(0, file.length() - ".class".length());
            Class<?> c = Class.forName("org.rnn4j.kernel." + simple, false, VectorHelperRuleTest.class.getClassLoader());
            for (Method m : c.getDeclaredMethods()) {
                if (m.isSynthetic()) {
                    continue;
                }
                boolean vector = isVectorApi(m.getReturnType());
                for (Class<?> p : m.getParameterTypes()) {
                    vector |= isVectorApi(p);
                }
                if (vector) {
                    found.add(simple.replace('$', '.') + "." + m.getName());
                }
            }
        }
        assertEquals(new TreeSet<>(ALLOWED.keySet()), found,
                "methods of org.rnn4j.kernel that take or return a Vector API type (see docs/kernels.md, rule 3);"
                        + " allowed with reasons: " + new TreeMap<>(ALLOWED));
    }

    private static boolean isVectorApi(Class<?> t) {
        return t.getName().startsWith("jdk.incubator.vector.");
    }
}
