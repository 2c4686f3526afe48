package org.rnn4j.kernel;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Chooses, once per JVM, which {@link Kernels} implementation {@link Kernels#get()} returns.
 *
 * <p>System property {@code rnn4j.simd}:
 * <ul>
 *   <li>{@code auto} (default): SIMD when the module {@code jdk.incubator.vector} is in the boot
 *       layer, the JIT is HotSpot's C2 (only C2 intrinsifies the Vector API; elsewhere it runs a
 *       pure-Java emulation 10-100× slower than plain loops) and the preferred vector holds at least
 *       4 floats; otherwise scalar.</li>
 *   <li>{@code true}: SIMD whenever the module is present, even on a JIT that does not intrinsify.</li>
 *   <li>{@code false}: always scalar.</li>
 * </ul>
 * When the scalar path is chosen although SIMD could be had, one message is logged through
 * {@link System.Logger} (logger {@code org.rnn4j}) saying why and how to enable it.
 */
public final class KernelSelector {
    private KernelSelector() {}

    /** The flag that enables SIMD at run time. */
    public static final String ENABLE_HINT = "--add-modules jdk.incubator.vector";

    private static final String REASON;
    static final Kernels ACTIVE;
    private static final Kernels SIMD;

    static {
        String mode = System.getProperty("rnn4j.simd", "auto").trim().toLowerCase(java.util.Locale.ROOT);
        boolean modulePresent = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        Kernels simd = null;
        String loadError = null;
        if (modulePresent && !mode.equals("false")) {
            try {
                simd = (Kernels) Class.forName("org.rnn4j.kernel.VectorKernels").getDeclaredField("INSTANCE").get(null);
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                loadError = e.toString();
            }
        }
        SIMD = simd;
        String jit = jitProblem();
        Kernels active;
        String reason;
        if (mode.equals("false")) {
            active = ScalarKernels.INSTANCE;
            reason = "scalar: disabled by -Drnn4j.simd=false";
        } else if (!modulePresent) {
            active = ScalarKernels.INSTANCE;
            reason = "scalar: the Vector API module is not enabled; start the JVM with " + ENABLE_HINT + " for SIMD";
        } else if (simd == null) {
            active = ScalarKernels.INSTANCE;
            reason = "scalar: the Vector API could not be initialised (" + loadError + ")";
        } else if (mode.equals("true")) {
            active = simd;
            reason = "simd: forced by -Drnn4j.simd=true" + (jit == null ? "" : " (warning: " + jit + ")");
        } else if (jit != null) {
            active = ScalarKernels.INSTANCE;
            reason = "scalar: " + jit + ", so the Vector API would run its slow Java fallback; -Drnn4j.simd=true forces SIMD";
        } else if (VectorInfo.lanes(simd) < 4) {
            active = ScalarKernels.INSTANCE;
            reason = "scalar: the preferred vector holds fewer than 4 floats";
        } else {
            active = simd;
            reason = "simd: Vector API active on C2";
        }
        ACTIVE = active;
        REASON = reason;
        if (active == ScalarKernels.INSTANCE && !mode.equals("false")) {
            System.getLogger("org.rnn4j").log(System.Logger.Level.INFO, "rnn4j kernels: " + reason);
        }
    }

    static Kernels simd() {
        if (SIMD == null) {
            throw new UnsupportedOperationException("SIMD kernels are not available: " + REASON
                    + ". Start the JVM with " + ENABLE_HINT + ".");
        }
        return SIMD;
    }

    /** @return whether {@link Kernels#simd()} is available in this JVM */
    public static boolean simdAvailable() {
        return SIMD != null;
    }

    /** @return why {@link Kernels#get()} is what it is, in one line */
    public static String reason() {
        return REASON;
    }

    /**
     * @return null when the running JIT intrinsifies the Vector API (HotSpot C2), else why not
     */
    static String jitProblem() {
        String vmName = System.getProperty("java.vm.name", "");
        String vmInfo = System.getProperty("java.vm.info", "");
        if (!(vmName.contains("HotSpot") || vmName.contains("OpenJDK"))) {
            return "the JVM is " + vmName + ", not HotSpot";
        }
        if (vmInfo.contains("interpreted mode")) {
            return "the JVM runs interpreted (-Xint)";
        }
        String jvmci = vmOption("UseJVMCICompiler");
        if ("true".equals(jvmci)) {
            return "the JIT is Graal (JVMCI), not C2";
        }
        String stop = vmOption("TieredStopAtLevel");
        String tiered = vmOption("TieredCompilation");
        if (stop != null && "true".equals(tiered)) {
            try {
                if (Integer.parseInt(stop) < 4) {
                    return "C2 is disabled (-XX:TieredStopAtLevel=" + stop + ")";
                }
            } catch (NumberFormatException ignored) {
                // unknown format: assume C2
            }
        }
        return null;
    }

    /** A HotSpot VM option's value, or null when it cannot be read (non-HotSpot VM, no jdk.management). */
    static String vmOption(String name) {
        try {
            Class<?> beanType = Class.forName("com.sun.management.HotSpotDiagnosticMXBean");
            Object bean = ManagementFactory.getPlatformMXBean(beanType.asSubclass(java.lang.management.PlatformManagedObject.class));
            Object option = beanType.getMethod("getVMOption", String.class).invoke(bean, name);
            return (String) option.getClass().getMethod("getValue").invoke(option);
        } catch (Throwable e) {
            return null;
        }
    }

    /**
     * What the JVM knows about this machine's SIMD support and what rnn4j chose, for {@code rnn4j info}.
     *
     * @return ordered key/value pairs; values are human-readable
     */
    public static Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("java.version", System.getProperty("java.version"));
        m.put("java.vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version")
                + " (" + System.getProperty("java.vm.info") + ")");
        m.put("os.arch", System.getProperty("os.arch"));
        m.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        m.put("vector.module", ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() ? "present" : "absent");
        m.put("kernels", ACTIVE.name());
        m.put("kernels.reason", REASON);
        if (SIMD != null) {
            m.put("vector.species", VectorInfo.describe(SIMD));
        }
        m.put("vector.math", System.getProperty("rnn4j.vector.math", "poly"));
        String jit = jitProblem();
        m.put("jit", jit == null ? "C2" : jit);
        for (String flag : new String[] {"UseAVX", "UseSSE", "MaxVectorSize", "UseFMA", "UseSuperWord"}) {
            String v = vmOption(flag);
            if (v != null) {
                m.put("vm." + flag, v);
            }
        }
        String cpu = CpuFlags.simdFlags();
        if (cpu != null) {
            m.put("cpu.simd", cpu);
        }
        return m;
    }
}
