package org.rnn4j.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Keeps the kernel tests complete as {@link Kernels} grows (the EJML approach): the public kernel
 * methods are listed by reflection, and each must be claimed by {@link KernelProperties#COVERED}
 * (a property against the double reference and the twin) and described in
 * {@link KernelArgumentTest#calls()} (argument validation). A new kernel method without tests fails
 * here with its name.
 */
class KernelCoverageTest {

    /** Public methods of Kernels that are not kernels. */
    static final Set<String> NOT_KERNELS = Set.of("get", "scalar", "simd", "name");

    static List<Method> kernelMethods() {
        List<Method> l = new ArrayList<>();
        for (Method m : Kernels.class.getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic() && !NOT_KERNELS.contains(m.getName())) {
                l.add(m);
            }
        }
        return l;
    }

    @Test
    void everyKernelMethodHasAProperty() {
        Set<String> missing = new TreeSet<>();
        for (Method m : kernelMethods()) {
            if (!KernelProperties.COVERED.contains(m.getName())) {
                missing.add(m.getName());
            }
        }
        assertTrue(missing.isEmpty(), "public kernel methods without a property in KernelProperties (add one and list it "
                + "in KernelProperties.COVERED): " + missing);
    }

    @Test
    void everyKernelMethodHasArgumentChecks() {
        Set<Method> covered = KernelArgumentTest.coveredMethods();
        Set<String> missing = new TreeSet<>();
        for (Method m : kernelMethods()) {
            if (!covered.contains(m)) {
                missing.add(m.toGenericString());
            }
        }
        assertTrue(missing.isEmpty(), "public kernel methods without a valid call in KernelArgumentTest.calls(): " + missing);
    }

    @Test
    void coveredNamesAreKernelMethods() {
        Set<String> names = new TreeSet<>();
        for (Method m : kernelMethods()) {
            names.add(m.getName());
        }
        Set<String> stale = new TreeSet<>(KernelProperties.COVERED);
        stale.removeAll(names);
        assertTrue(stale.isEmpty(), "KernelProperties.COVERED names methods Kernels does not have: " + stale);
        // guard against the reflection above silently finding nothing
        assertTrue(names.size() >= 30, "only " + names.size() + " kernel methods found: " + names);
    }
}
