package org.rnn4j.cli;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads HotSpot's {@code -XX:+PrintCompilation} and {@code PrintInlining}/{@code PrintIntrinsics}
 * output line by line and collects the places where C2 left Vector API code out of line in a
 * compile of an rnn4j method — the cause of boxed vectors (garbage per step, and slow).
 *
 * <p>A finding is a line inside a tier-4 compile whose root method is in {@code org.rnn4j} and that
 * says either
 * <ul>
 *   <li>a {@code jdk.internal.vm.vector.VectorSupport} (or {@code jdk.incubator.vector}) intrinsic
 *       "failed to inline (intrinsic)", or</li>
 *   <li>a callee was not inlined for a budget reason ({@link #BUDGET_REASONS}) and that callee
 *       handles vectors: it takes or returns a {@code Vector}, {@code VectorMask} or
 *       {@code VectorShuffle}, or is an instance method of one ({@link #handlesVectors}).</li>
 * </ul>
 * Not findings: failed intrinsics in C1 compiles (C1 never intrinsifies the Vector API; its code is
 * replaced by C2's), in standalone compiles of JDK methods such as {@code Float512Vector::laneHelper}
 * (their arguments are not constants there; in rnn4j's compiles they are), and leaf kernels that take
 * arrays and are called out of line (a call, not a box).
 *
 * <p>Inlining lines carry no compile id, so a line is given to the compile whose header came last.
 * What "last" means depends on which compilers print inlining: with {@link Source#C2_ONLY} (a compiler
 * directive enabling PrintInlining for C2 only, and a single C2 compiler thread, as {@code rnn4j info
 * --jit} runs it) every inlining line belongs to the latest tier-4 header, however many C1 headers were
 * printed in between. With {@link Source#ALL_COMPILERS} (the global flags) it belongs to the latest
 * header of any tier; C2 prints its inlining after the compile, so a C1 compile finishing in between
 * takes the block and its findings are missed; lines that C1 printed after a C2 header are told
 * apart by C1's own wording ({@link #C1_REASONS}).
 *
 * <p>The VM does not print lines atomically: a header from another compiler thread can land in the
 * middle of an inlining line, whose rest then follows on the next line. Such headers are found
 * anywhere in a line and the two pieces of the cut line are joined again.
 *
 * <p>Not thread-safe; one parser per log.
 */
final class JitLogParser {

    /** Which compilers printed inlining decisions into the log. */
    enum Source {
        /** {@code PrintInlining} for C2 only (a compiler directive) with one C2 compiler thread. */
        C2_ONLY,
        /** The global {@code -XX:+PrintInlining}: C1 and C2 both print. */
        ALL_COMPILERS
    }

    /**
     * Why C2 did not inline a callee, when the reason is a size or depth budget rather than the
     * callee itself (JDK 17 wording; JDK 21+ prefixes "failed to inline: ", which is stripped first).
     * "already compiled into a big/medium method" is included: C2 refuses such callees for the size of
     * their existing code, which is a budget as far as boxing is concerned.
     */
    static final List<String> BUDGET_REASONS = List.of(
            "NodeCountInliningCutoff",
            "live nodes > LiveNodeCountInliningCutoff",
            "size > DesiredMethodLimit",
            "callee is too large",
            "hot method too big",
            "too big",
            "inlining too deep",
            "already compiled into a big method",
            "already compiled into a medium method");

    /**
     * Reasons only C1 gives (c1_GraphBuilder); C2 words its refusals differently. With
     * {@link Source#ALL_COMPILERS} they mark a C1 line that landed under a C2 compile's header.
     */
    static final Set<String> C1_REASONS = Set.of("callee is too large", "callee uses too much stack");

    /**
     * A PrintCompilation line: timestamp, compile id, five attribute columns ({@code %} OSR,
     * {@code s} synchronized, {@code !} exception handler, {@code b} blocking, {@code n} native),
     * tier, method, optional OSR bci, size, optional event ("made not entrant", ...). Not anchored:
     * it may start in the middle of another line.
     */
    private static final Pattern HEADER = Pattern.compile(
            "(\\d+) +(\\d+) ([ %sbn!]{5}) ([0-4]) +([^\\s(]+::[^\\s(]+)(?:\\([^\\s)]*\\)\\S*)?(?: @ \\d+)?"
            + " +\\((?:\\d+ bytes|native)\\)(.*)");
    /** A PrintInlining line: optional flag columns, {@code @ bci}, callee, size, message. */
    private static final Pattern INLINE = Pattern.compile(
            "^[\\s!msbi]*@ \\d+ +(\\S+) +\\((?:\\d+ bytes|not loaded)\\)\\s*(.*)$");
    private static final Pattern SEGMENTS = Pattern.compile("\\s{3,}");
    /** JDK 17's timestamp column is {@code %7d}: spaces before a cut-in header are its padding. */
    private static final int TIMESTAMP_WIDTH = 7;

    private final Source source;
    private final Predicate<String> vectorCallee;
    private final Set<String> findings = new LinkedHashSet<>();
    private final Set<Integer> rnn4jC2Compiles = new LinkedHashSet<>();
    private String root;          // method of the compile that owns the following inlining lines
    private boolean rootIsC2;
    private String pending;       // first piece of a line that a header cut in two
    private Boolean padded;       // whether headers at line start carry timestamp padding (JDK 17)

    /**
     * A parser that classifies callees with {@link #handlesVectors}.
     *
     * @param source which compilers printed inlining lines
     */
    JitLogParser(Source source) {
        this(source, JitLogParser::handlesVectors);
    }

    /**
     * @param source which compilers printed inlining lines
     * @param vectorCallee whether a callee ("pkg.Class::method") takes, returns or is a vector
     */
    JitLogParser(Source source, Predicate<String> vectorCallee) {
        this.source = source;
        this.vectorCallee = vectorCallee;
    }

    /**
     * Feeds one line of the VM's output (without its line terminator).
     *
     * @param raw the line
     */
    void accept(String raw) {
        String line = pending == null ? raw : pending + raw;
        pending = null;
        Matcher h = HEADER.matcher(line);
        if (h.find()) {
            String before = line.substring(0, h.start());
            if (before.isBlank()) {
                if (padded == null) {
                    padded = !before.isEmpty();
                }
            } else {
                pending = unpad(before, h.group(1).length());
            }
            header(h);
            return;
        }
        Matcher m = INLINE.matcher(line);
        if (m.matches()) {
            inlining(m.group(1).replace('/', '.'), m.group(2));
        }
    }

    /** The spaces a padded timestamp put before the header belong to the header, not to the cut line. */
    private String unpad(String before, int digits) {
        if (!Boolean.TRUE.equals(padded)) {
            return before;
        }
        int strip = Math.max(0, TIMESTAMP_WIDTH - digits);
        int end = before.length();
        while (strip > 0 && end > 0 && before.charAt(end - 1) == ' ') {
            end--;
            strip--;
        }
        return before.substring(0, end);
    }

    private void header(Matcher h) {
        if (!h.group(6).isBlank()) {
            return;   // an event about an existing compile ("made not entrant", ...), not a new compile
        }
        boolean c2 = h.group(4).equals("4");
        if (source == Source.C2_ONLY && !c2) {
            return;   // C1 prints no inlining here, so C2's block may still follow
        }
        root = h.group(5).replace('/', '.');
        rootIsC2 = c2;
        if (c2 && isRnn4jRoot(root)) {
            rnn4jC2Compiles.add(Integer.parseInt(h.group(2)));
        }
    }

    /**
     * The probe's own methods are not roots worth reporting: how they inline the engine depends on how
     * the probe calls it, not on the engine.
     */
    private static boolean isRnn4jRoot(String method) {
        return method.startsWith("org.rnn4j.") && !method.startsWith(JitProbe.class.getName());
    }

    private void inlining(String callee, String message) {
        if (root == null || !rootIsC2 || !isRnn4jRoot(root)) {
            return;
        }
        String[] segments = SEGMENTS.split(message.strip());
        for (String s : segments) {
            if (s.startsWith("late inline succeeded")) {
                return;   // JDK 21+: a first refusal was overturned after parsing
            }
        }
        String reason = normalise(segments[0]);
        if (source == Source.ALL_COMPILERS && C1_REASONS.contains(reason)) {
            return;   // a C1 compile's line printed after a C2 header: C1's inlining does not matter
        }
        boolean finding;
        if (reason.startsWith("failed to inline (intrinsic")) {
            finding = callee.startsWith("jdk.internal.vm.vector.") || callee.startsWith("jdk.incubator.vector.");
        } else {
            finding = BUDGET_REASONS.contains(reason) && vectorCallee.test(callee);
        }
        if (finding) {
            findings.add(root + ": " + callee + " " + reason);
        }
    }

    /** JDK 21+ writes "failed to inline: hot method too big" where JDK 17 writes "hot method too big". */
    static String normalise(String reason) {
        String r = reason.strip();
        String prefix = "failed to inline: ";
        return r.startsWith(prefix) ? r.substring(prefix.length()).strip() : r;
    }

    /** @return the findings, each "root: callee reason", deduplicated, in the order first seen */
    List<String> findings() {
        return new ArrayList<>(findings);
    }

    /** @return how many distinct tier-4 compiles of rnn4j methods (the probe's excluded) the log showed */
    int rnn4jC2Compiles() {
        return rnn4jC2Compiles.size();
    }

    // ------------------------------------------------------------------ callee classification

    private static final Map<String, Boolean> CACHE = new HashMap<>();

    /**
     * Whether a callee handles vector values, so that calling it out of line boxes them: a method
     * that takes or returns a {@code Vector}, {@code VectorMask} or {@code VectorShuffle} (or an
     * internal {@code VectorSupport} payload), or an instance method or constructor of such a class.
     * Decided from the declared signatures by reflection (all overloads of the name: any one
     * qualifies). When the class cannot be loaded or linked here (the Vector API module is not in
     * this JVM, or the callee is a hidden class) the rule falls back to the class name:
     * {@code jdk.incubator.vector.*}, {@code jdk.internal.vm.vector.*} and rnn4j's classes named
     * {@code Vector*} (the only ones that link against the Vector API) count as handling vectors.
     *
     * @param callee "pkg.Class::method" as PrintInlining prints it
     * @return whether leaving it out of line would box vectors
     */
    static synchronized boolean handlesVectors(String callee) {
        return CACHE.computeIfAbsent(callee, JitLogParser::classify);
    }

    private static boolean classify(String callee) {
        int sep = callee.indexOf("::");
        if (sep < 0) {
            return false;
        }
        String cls = callee.substring(0, sep);
        String name = callee.substring(sep + 2);
        Boolean r = bySignature(cls, name);
        return r != null ? r : byClassName(cls);
    }

    static boolean byClassName(String cls) {
        String simple = cls.substring(cls.lastIndexOf('.') + 1);
        return cls.startsWith("jdk.incubator.vector.") || cls.startsWith("jdk.internal.vm.vector.")
                || (cls.startsWith("org.rnn4j.") && simple.startsWith("Vector"));
    }

    /** @return null when the signatures cannot be read here */
    private static Boolean bySignature(String cls, String name) {
        if (cls.contains("/0x") || cls.contains("$$Lambda")) {
            return null;   // hidden classes cannot be looked up by name
        }
        try {
            Class<?> c = Class.forName(cls, false, JitLogParser.class.getClassLoader());
            if (name.equals("<init>")) {
                if (isVectorType(c)) {
                    return true;
                }
                for (Constructor<?> k : c.getDeclaredConstructors()) {
                    if (anyVector(k.getParameterTypes())) {
                        return true;
                    }
                }
                return false;
            }
            boolean seen = false;
            for (Class<?> t = c; t != null; t = t.getSuperclass()) {
                for (Method m : t.getDeclaredMethods()) {
                    if (!m.getName().equals(name)) {
                        continue;
                    }
                    seen = true;
                    if (isVectorType(m.getReturnType()) || anyVector(m.getParameterTypes())
                            || (!Modifier.isStatic(m.getModifiers()) && isVectorType(c))) {
                        return true;
                    }
                }
                if (seen) {
                    return false;
                }
            }
            return null;
        } catch (ClassNotFoundException | LinkageError | SecurityException e) {
            return null;
        }
    }

    private static boolean anyVector(Class<?>[] types) {
        for (Class<?> t : types) {
            if (isVectorType(t)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isVectorType(Class<?> t) {
        while (t.isArray()) {
            t = t.getComponentType();
        }
        for (Class<?> s = t; s != null; s = s.getSuperclass()) {
            switch (s.getName()) {
                case "jdk.incubator.vector.Vector":
                case "jdk.incubator.vector.VectorMask":
                case "jdk.incubator.vector.VectorShuffle":
                case "jdk.internal.vm.vector.VectorSupport$VectorPayload":
                    return true;
                default:
                    break;
            }
        }
        return false;
    }
}
