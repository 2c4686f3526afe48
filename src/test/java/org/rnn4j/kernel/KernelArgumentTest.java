package org.rnn4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Bad arguments at the public kernel boundary. Every public kernel method is described once by a
 * valid call whose arrays have exactly the length they need ({@link #calls()}); each argument is
 * then broken in turn — a negative size, a null array, a negative offset, an array one element too
 * short, an offset or leading dimension so large that {@code off + len} overflows an int, a
 * leading dimension one less than the row length — and the call must throw
 * {@link IllegalArgumentException} (not an {@code ArrayIndexOutOfBoundsException} from a loop, not a
 * {@code NullPointerException}) whose message names the offending argument, before touching any
 * array. Sizes of 0 must be valid no-ops, also with every offset at the very end of its array.
 */
class KernelArgumentTest {

    static final Set<String> SIZES = Set.of("n", "m", "k", "n1", "n2", "rows", "cols", "hidden", "firstRow");

    /** One valid call of a kernel method, with its parameter names (in signature order). */
    static final class Call {
        final String method;
        final String[] names;
        final Object[] valid;
        /** Stored row length checked against each leading dimension. */
        final Map<String, Integer> ldCols = new HashMap<>();
        /** Accepted alternative wordings of an argument name in messages. */
        final Map<String, List<String>> alt = new HashMap<>();
        String label;

        Call(String method, String names, Object... valid) {
            this.method = method;
            this.names = names.split(",");
            this.valid = valid;
            this.label = method;
            if (this.names.length != valid.length) {
                throw new IllegalStateException(method + ": " + this.names.length + " names for " + valid.length + " values");
            }
        }

        Call ld(String name, int cols) {
            ldCols.put(name, cols);
            return this;
        }

        Call alt(String name, String... wordings) {
            alt.put(name, List.of(wordings));
            return this;
        }

        Call label(String l) {
            label = l;
            return this;
        }

        int index(String name) {
            return Arrays.asList(names).indexOf(name);
        }

        Class<?>[] types() {
            Class<?>[] t = new Class<?>[valid.length];
            for (int i = 0; i < t.length; i++) {
                Object v = valid[i];
                t[i] = v instanceof Integer ? int.class : v instanceof Float ? float.class
                        : v instanceof Boolean ? boolean.class : v instanceof PackedArg ? PackedGemmB.class : v.getClass();
            }
            return t;
        }

        Method method() {
            try {
                return Kernels.class.getMethod(method, types());
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException("no public method " + method + Arrays.toString(types()), e);
            }
        }

        /** A deep copy of the valid arguments (fresh arrays), so that each case starts clean. */
        Object[] copy() {
            Object[] c = valid.clone();
            for (int i = 0; i < c.length; i++) {
                if (c[i] instanceof float[]) {
                    c[i] = ((float[]) c[i]).clone();
                }
            }
            return c;
        }
    }

    /** An array with exactly {@code off + len} elements. */
    static float[] vec(int off, int len) {
        float[] a = new float[off + len];
        Arrays.fill(a, 0.5f);
        return a;
    }

    /** An array with exactly the elements a (rows, cols) matrix with leading dimension ld at off needs. */
    static float[] mat(int off, int rows, int cols, int ld) {
        return vec(off, (rows - 1) * ld + cols);
    }

    /** One valid call per public kernel method (both GEMM storage forms where transposition matters). */
    static List<Call> calls() {
        List<Call> l = new ArrayList<>();
        int n = 5;
        l.add(new Call("dot", "n,x,xOff,y,yOff", n, vec(2, n), 2, vec(1, n), 1));
        l.add(new Call("axpy", "n,alpha,x,xOff,y,yOff", n, 0.5f, vec(2, n), 2, vec(3, n), 3));
        l.add(new Call("scale", "n,alpha,x,xOff", n, 2f, vec(1, n), 1));
        for (String op : List.of("add", "mul")) {
            l.add(new Call(op, "n,a,aOff,b,bOff,out,outOff", n, vec(1, n), 1, vec(2, n), 2, vec(3, n), 3));
        }
        l.add(new Call("mulAdd", "n,a,aOff,b,bOff,y,yOff", n, vec(1, n), 1, vec(2, n), 2, vec(3, n), 3));
        for (String op : List.of("sum", "sumSquares", "max", "argmax")) {
            l.add(new Call(op, "n,x,xOff", n, vec(2, n), 2));
        }
        // GEMV: A is (3, 4) with lda 6. The matrix check reports m and n as "A rows" / "A cols".
        l.add(new Call("multAddVec", "m,n,a,aOff,lda,x,xOff,y,yOff", 3, 4, mat(1, 3, 4, 6), 1, 6, vec(2, 4), 2, vec(1, 3), 1)
                .ld("lda", 4).alt("m", "A rows").alt("n", "A cols"));
        l.add(new Call("multAddTransVec", "m,n,a,aOff,lda,x,xOff,y,yOff", 3, 4, mat(1, 3, 4, 6), 1, 6, vec(2, 3), 2, vec(1, 4), 1)
                .ld("lda", 4).alt("m", "A rows").alt("n", "A cols"));
        // bf16: W is (3, 4) with ldw 6; the packed A has 3 rows of 4 columns (16 ints each), rows [1, 3) used.
        l.add(new Call("packBf16", "rows,cols,w,wOff,ldw", 3, 4, mat(1, 3, 4, 6), 1, 6)
                .ld("ldw", 4).alt("rows", "w rows").alt("cols", "w cols"));
        l.add(new Call("multAddVecBf16", "m,n,a,firstRow,x,xOff,y,yOff", 2, 4, new int[3 * Bf16.BLOCK_INTS], 1,
                vec(2, 4), 2, vec(1, 2), 1));
        // Pre-packed GEMM: op(B) is (3, 4) stored (3, 4) with ldb 6, or (4, 3) with ldb 5 when transposed;
        // C (2, 4) += A (2, 3)·op(B) with lda 5, ldc 7.
        l.add(new Call("packGemmB", "transB,k,n,b,bOff,ldb", false, 3, 4, mat(1, 3, 4, 6), 1, 6)
                .ld("ldb", 4).alt("k", "B rows").alt("n", "B cols").label("packGemmB NN"));
        l.add(new Call("packGemmB", "transB,k,n,b,bOff,ldb", true, 3, 4, mat(2, 4, 3, 5), 2, 5)
                .ld("ldb", 3).alt("k", "B cols").alt("n", "B rows").label("packGemmB T"));
        l.add(new Call("multAddPacked", "m,alpha,a,aOff,lda,b,c,cOff,ldc", 2, 1f, mat(1, 2, 3, 5), 1, 5,
                new PackedArg(3, 4), mat(2, 2, 4, 7), 2, 7)
                .ld("lda", 3).ld("ldc", 4).alt("m", "A rows", "C rows"));
        l.add(new Call("multAddPacked", "m,alpha,a,aOff,lda,b,c,cOff,ldc,par", 2, 1f, mat(1, 2, 3, 5), 1, 5,
                new PackedArg(3, 4), mat(2, 2, 4, 7), 2, 7, Parallelism.SERIAL)
                .ld("lda", 3).ld("ldc", 4).alt("m", "A rows", "C rows").label("multAddPacked par"));
        l.add(new Call("packGemmB", "transB,k,n,b,bOff,ldb,reuse", false, 3, 4, mat(1, 3, 4, 6), 1, 6, new PackedArg(3, 4))
                .ld("ldb", 4).alt("k", "B rows").alt("n", "B cols").label("packGemmB reuse"));
        // GEMM: m = 3, n = 4, k = 5 in the two mixed storage forms.
        String gemmNames = "transA,transB,m,n,k,alpha,a,aOff,lda,b,bOff,ldb,beta,c,cOff,ldc";
        for (boolean ta : new boolean[] {false, true}) {
            boolean tb = !ta;
            int m = 3, nn = 4, k = 5;
            int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? nn : k, bCols = tb ? k : nn;
            int lda = aCols + 2, ldb = bCols + 1, ldc = nn + 3;
            Object[] args = {ta, tb, m, nn, k, 1f, mat(1, aRows, aCols, lda), 1, lda, mat(2, bRows, bCols, ldb), 2, ldb,
                0.5f, mat(3, m, nn, ldc), 3, ldc};
            String form = "(transA=" + ta + ", transB=" + tb + ")";
            l.add(new Call("gemm", gemmNames, args).ld("lda", aCols).ld("ldb", bCols).ld("ldc", nn).label("gemm" + form));
            Object[] withPar = Arrays.copyOf(args, args.length + 1);
            withPar[args.length] = Parallelism.SERIAL;
            l.add(new Call("gemm", gemmNames + ",par", withPar).ld("lda", aCols).ld("ldb", bCols).ld("ldc", nn)
                    .label("gemm+par" + form));
        }
        // Two products sharing A: A stored (k = 5, m = 3) with lda 4; B1 (5, 2) ldb1 3, C1 (3, 2) ldc1 4;
        // B2 (5, 4) ldb2 6, C2 (3, 4) ldc2 5.
        l.add(new Call("multAddTransAPair", "m,n1,n2,k,a,aOff,lda,b1,b1Off,ldb1,c1,c1Off,ldc1,b2,b2Off,ldb2,c2,c2Off,ldc2,par",
                3, 2, 4, 5, mat(1, 5, 3, 4), 1, 4, mat(2, 5, 2, 3), 2, 3, mat(0, 3, 2, 4), 0, 4,
                mat(1, 5, 4, 6), 1, 6, mat(3, 3, 4, 5), 3, 5, Parallelism.SERIAL)
                .ld("lda", 3).ld("ldb1", 2).ld("ldc1", 2).ld("ldb2", 4).ld("ldc2", 4));
        String[][] forms = {{"mult", "ff"}, {"multAdd", "ff"}, {"multTransB", "ft"}, {"multAddTransB", "ft"},
            {"multTransA", "tf"}, {"multAddTransA", "tf"}};
        for (String[] f : forms) {
            boolean ta = f[1].charAt(0) == 't', tb = f[1].charAt(1) == 't';
            int m = 3, nn = 4, k = 5;
            int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? nn : k, bCols = tb ? k : nn;
            int lda = aCols + 1, ldb = bCols + 2, ldc = nn + 1;
            l.add(new Call(f[0], "m,n,k,a,aOff,lda,b,bOff,ldb,c,cOff,ldc", m, nn, k, mat(2, aRows, aCols, lda), 2, lda,
                    mat(1, bRows, bCols, ldb), 1, ldb, mat(0, m, nn, ldc), 0, ldc)
                    .ld("lda", aCols).ld("ldb", bCols).ld("ldc", nn));
        }
        for (String op : List.of("exp", "sigmoid", "tanh", "relu")) {
            l.add(new Call(op, "n,x,xOff,y,yOff", n, vec(2, n), 2, vec(1, n), 1));
        }
        for (String op : List.of("sigmoidBackward", "tanhBackward", "reluBackward")) {
            l.add(new Call(op, "n,y,yOff,dy,dyOff,dx,dxOff", n, vec(2, n), 2, vec(1, n), 1, vec(3, n), 3));
        }
        for (String op : List.of("softmaxRows", "logSoftmaxRows")) {
            l.add(new Call(op, "rows,cols,x,xOff,ldx,y,yOff,ldy", 2, 3, mat(1, 2, 3, 5), 1, 5, mat(2, 2, 3, 4), 2, 4)
                    .ld("ldx", 3).ld("ldy", 3));
        }
        int h = 3;
        l.add(new Call("lstmCellForward", "hidden,gates,gOff,cPrev,cpOff,c,cOff,tanhC,tcOff,h,hOff",
                h, vec(1, 4 * h), 1, vec(2, h), 2, vec(3, h), 3, vec(1, h), 1, vec(2, h), 2));
        l.add(new Call("lstmCellBackward", "hidden,gates,gOff,cPrev,cpOff,tanhC,tcOff,dh,dhOff,dc,dcOff,dGates,dgOff",
                h, vec(1, 4 * h), 1, vec(2, h), 2, vec(3, h), 3, vec(1, h), 1, vec(2, h), 2, vec(3, 4 * h), 3));
        l.add(new Call("gruCellForward", "hidden,gx,gxOff,gh,ghOff,hPrev,hpOff,h,hOff",
                h, vec(1, 3 * h), 1, vec(2, 3 * h), 2, vec(3, h), 3, vec(1, h), 1));
        l.add(new Call("gruCellBackward", "hidden,gates,gOff,gh,ghOff,hPrev,hpOff,dh,dhOff,dGx,dgxOff,dGh,dghOff,dhPrev,dhpOff",
                h, vec(1, 3 * h), 1, vec(2, 3 * h), 2, vec(3, h), 3, vec(1, h), 1, vec(2, 3 * h), 2, vec(3, 3 * h), 3, vec(1, h), 1));
        l.add(new Call("lstmPeepholeCellForward", "hidden,gates,gOff,peep,pOff,cPrev,cpOff,c,cOff,tanhC,tcOff,h,hOff",
                h, vec(1, 4 * h), 1, vec(2, 3 * h), 2, vec(2, h), 2, vec(3, h), 3, vec(1, h), 1, vec(2, h), 2));
        l.add(new Call("lstmPeepholeCellBackward",
                "hidden,gates,gOff,peep,pOff,cPrev,cpOff,tanhC,tcOff,dh,dhOff,dc,dcOff,dGates,dgOff",
                h, vec(1, 4 * h), 1, vec(3, 3 * h), 3, vec(2, h), 2, vec(3, h), 3, vec(1, h), 1, vec(2, h), 2,
                vec(3, 4 * h), 3));
        l.add(new Call("gruResetGateForward", "hidden,gates,gOff,hPrev,hpOff,rh,rhOff",
                h, vec(1, 3 * h), 1, vec(2, h), 2, vec(3, h), 3));
        l.add(new Call("gruResetBeforeCellForward", "hidden,gx,gxOff,gh,ghOff,hPrev,hpOff,h,hOff",
                h, vec(1, 3 * h), 1, vec(2, 3 * h), 2, vec(3, h), 3, vec(1, h), 1));
        l.add(new Call("gruResetBeforeCellBackward", "hidden,gates,gOff,hPrev,hpOff,dh,dhOff,dGates,dgOff,dhPrev,dhpOff",
                h, vec(1, 3 * h), 1, vec(2, h), 2, vec(3, h), 3, vec(1, 3 * h), 1, vec(2, h), 2));
        l.add(new Call("gruResetGateBackward", "hidden,gates,gOff,hPrev,hpOff,drh,drhOff,dGates,dgOff,dhPrev,dhpOff",
                h, vec(1, 3 * h), 1, vec(2, h), 2, vec(3, h), 3, vec(1, 3 * h), 1, vec(2, h), 2));
        l.add(new Call("broadcastRows", "rows,n,x,xOff,y,yOff,ldy", 2, 3, vec(1, 3), 1, mat(2, 2, 3, 5), 2, 5)
                .ld("ldy", 3));
        return l;
    }

    /** Public kernel methods (signatures) that {@link #calls()} describes; read by KernelCoverageTest. */
    static Set<Method> coveredMethods() {
        Set<Method> s = new LinkedHashSet<>();
        for (Call c : calls()) {
            s.add(c.method());
        }
        return s;
    }

    // ------------------------------------------------------------------ invocation

    /** Stands for a PackedGemmB (k, n), packed by the kernel set that is called (packings are per set). */
    record PackedArg(int k, int n) {}

    static Object invoke(Kernels k, Call c, Object[] args) throws Throwable {
        Object[] actual = args.clone();
        for (int i = 0; i < actual.length; i++) {
            if (actual[i] instanceof PackedArg) {
                PackedArg p = (PackedArg) actual[i];
                actual[i] = k.packGemmB(false, p.k(), p.n(), new float[Math.max(1, p.k() * p.n())], 0, Math.max(1, p.n()));
            }
        }
        try {
            return c.method().invoke(k, actual);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** The call throws IllegalArgumentException naming one of {@code names} and leaves every array untouched. */
    static void expectRejected(Kernels k, Call c, Object[] args, String what, List<String> names) {
        Object[] before = new Object[args.length];
        for (int i = 0; i < args.length; i++) {
            before[i] = args[i] instanceof float[] ? ((float[]) args[i]).clone() : args[i];
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> invoke(k, c, args),
                k.name() + " " + c.label + " with " + what + " must throw IllegalArgumentException");
        String msg = String.valueOf(e.getMessage());
        assertTrue(names.stream().anyMatch(nm -> namesWord(msg, nm)),
                k.name() + " " + c.label + " with " + what + ": message \"" + msg + "\" names none of " + names);
        for (int i = 0; i < args.length; i++) {
            if (args[i] instanceof float[]) {
                assertTrue(Arrays.equals((float[]) before[i], (float[]) args[i]),
                        k.name() + " " + c.label + " with " + what + ": " + c.names[i] + " was written before validation failed");
            }
        }
    }

    /** Whether {@code word} (case-insensitive) occurs in {@code msg} as a whole word. */
    static boolean namesWord(String msg, String word) {
        return Pattern.compile("(?i)(?<![A-Za-z0-9_])" + Pattern.quote(word) + "(?![A-Za-z0-9_])").matcher(msg).find();
    }

    static List<String> sizeNames(Call c, String size) {
        List<String> l = new ArrayList<>(List.of(size));
        l.addAll(c.alt.getOrDefault(size, List.of()));
        return l;
    }

    // ------------------------------------------------------------------ the cases

    @TestFactory
    Stream<DynamicTest> everyBrokenArgumentIsRejectedAndNamed() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Kernels k : Tolerances.implementations()) {
            for (Call c : calls()) {
                for (int i = 0; i < c.names.length; i++) {
                    String p = c.names[i];
                    int idx = i;
                    String id = k.name() + " " + c.label + " ";
                    if (SIZES.contains(p)) {
                        tests.add(DynamicTest.dynamicTest(id + p + " = -1", () -> {
                            Object[] a = c.copy();
                            a[idx] = -1;
                            expectRejected(k, c, a, p + " = -1", sizeNames(c, p));
                        }));
                    } else if (c.valid[i] instanceof float[]) {
                        String off = c.names[i + 1];
                        int len = ((float[]) c.valid[i]).length;
                        tests.add(DynamicTest.dynamicTest(id + p + " = null", () -> {
                            Object[] a = c.copy();
                            a[idx] = null;
                            expectRejected(k, c, a, p + " = null", List.of(p));
                        }));
                        tests.add(DynamicTest.dynamicTest(id + off + " = -1", () -> {
                            Object[] a = c.copy();
                            a[idx + 1] = -1;
                            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> invoke(k, c, a));
                            String msg = e.getMessage();
                            assertTrue(namesWord(msg, off) || (namesWord(msg, p) && msg.contains("offset")),
                                    id + off + " = -1: message \"" + msg + "\" names neither " + off + " nor the offset of " + p);
                        }));
                        tests.add(DynamicTest.dynamicTest(id + p + " one element short", () -> {
                            Object[] a = c.copy();
                            a[idx] = new float[len - 1];
                            expectRejected(k, c, a, p + ".length = " + (len - 1), List.of(p));
                        }));
                        tests.add(DynamicTest.dynamicTest(id + off + " one past the end", () -> {
                            Object[] a = c.copy();
                            a[idx + 1] = (Integer) c.valid[idx + 1] + 1;
                            expectRejected(k, c, a, off + " + 1", List.of(p));
                        }));
                        tests.add(DynamicTest.dynamicTest(id + off + " = Integer.MAX_VALUE", () -> {
                            Object[] a = c.copy();
                            a[idx + 1] = Integer.MAX_VALUE;
                            expectRejected(k, c, a, off + " = MAX_VALUE (off + len overflows int)", List.of(p));
                        }));
                    } else if (p.startsWith("ld")) {
                        String arr = c.names[i - 2];
                        int cols = c.ldCols.get(p);
                        List<String> ldNames = List.of(p, "leading dimension of " + arr);
                        tests.add(DynamicTest.dynamicTest(id + p + " = cols - 1 = " + (cols - 1), () -> {
                            Object[] a = c.copy();
                            a[idx] = cols - 1;
                            expectRejected(k, c, a, p + " = " + (cols - 1) + " < cols = " + cols, ldNames);
                        }));
                        tests.add(DynamicTest.dynamicTest(id + p + " = -1", () -> {
                            Object[] a = c.copy();
                            a[idx] = -1;
                            expectRejected(k, c, a, p + " = -1", ldNames);
                        }));
                        tests.add(DynamicTest.dynamicTest(id + p + " = Integer.MAX_VALUE", () -> {
                            Object[] a = c.copy();
                            a[idx] = Integer.MAX_VALUE;
                            expectRejected(k, c, a, p + " = MAX_VALUE (the matrix overflows int)", List.of(arr));
                        }));
                    } else if (p.equals("par")) {
                        tests.add(DynamicTest.dynamicTest(id + "par = null", () -> {
                            Object[] a = c.copy();
                            a[idx] = null;
                            expectRejected(k, c, a, "par = null", List.of("par"));
                        }));
                    }
                }
            }
        }
        return tests.stream();
    }

    /** Sizes of 0 are valid no-ops: nothing thrown, nothing written, 0 returned; also with offsets at the end. */
    @TestFactory
    Stream<DynamicTest> zeroSizesAreNoOps() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Kernels k : Tolerances.implementations()) {
            for (Call c : calls()) {
                if (c.method.equals("max") || c.method.equals("argmax")) {
                    continue; // n >= 1 required: see maxAndArgmaxNeedAnElement
                }
                for (boolean atEnd : new boolean[] {false, true}) {
                    tests.add(DynamicTest.dynamicTest(k.name() + " " + c.label + " with sizes 0" + (atEnd ? ", offsets at the end" : ""), () -> {
                        Object[] a = c.copy();
                        for (int i = 0; i < a.length; i++) {
                            if (SIZES.contains(c.names[i])) {
                                a[i] = 0;
                            } else if (atEnd && a[i] instanceof float[]) {
                                a[i + 1] = ((float[]) a[i]).length;
                            }
                        }
                        Object[] before = c.copy();
                        Object r;
                        try {
                            r = invoke(k, c, a);
                        } catch (Throwable t) {
                            throw new AssertionError(c.label + " with sizes 0 must not throw", t);
                        }
                        for (int i = 0; i < a.length; i++) {
                            if (a[i] instanceof float[]) {
                                assertTrue(Arrays.equals((float[]) before[i], (float[]) a[i]), c.label + ": " + c.names[i] + " was written");
                            }
                        }
                        if (r instanceof Number) {
                            assertEquals(0.0, ((Number) r).doubleValue(), c.label + " of nothing");
                        }
                    }));
                }
            }
        }
        return tests.stream();
    }

    /** The packed int[] operand of multAddVecBf16, which the float[]-driven cases above do not break. */
    @Test
    void packedBf16OperandIsChecked() {
        for (Kernels k : Tolerances.implementations()) {
            float[] x = vec(0, 40), y = vec(0, 3);
            int[] a = new int[3 * Bf16.rowInts(40)];   // 3 rows of 40 columns: 32 ints each
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> k.multAddVecBf16(3, 40, null, 0, x, 0, y, 0));
            assertTrue(namesWord(e.getMessage(), "a"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> k.multAddVecBf16(3, 40, a, 1, x, 0, y, 0));
            assertTrue(e.getMessage().contains("need length >= 128") && e.getMessage().contains("a.length = 96"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> k.multAddVecBf16(3, 40, new int[95], 0, x, 0, y, 0));
            assertTrue(e.getMessage().contains("a.length = 95"), e.getMessage());
            k.multAddVecBf16(3, 40, a, 0, x, 0, y, 0);   // exactly long enough
        }
    }

    @Test
    void maxAndArgmaxNeedAnElement() {
        for (Kernels k : Tolerances.implementations()) {
            float[] x = {1f, 2f};
            for (String op : List.of("max", "argmax")) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> invoke(k, new Call(op, "n,x,xOff", 0, x, 0), new Object[] {0, x, 0}), k.name() + " " + op + "(n = 0)");
                assertTrue(namesWord(e.getMessage(), "n"), op + ": " + e.getMessage());
            }
        }
    }

    @Test
    void softmaxNeedsAColumnWhenItHasRows() {
        for (Kernels k : Tolerances.implementations()) {
            float[] x = new float[8], y = new float[8];
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> k.softmaxRows(2, 0, x, 0, 1, y, 0, 1));
            assertTrue(namesWord(e.getMessage(), "cols"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> k.logSoftmaxRows(3, 0, x, 0, 4, y, 0, 4));
            assertTrue(namesWord(e.getMessage(), "cols"), e.getMessage());
            // rows = 0 with cols = 0 is an empty, valid call
            k.softmaxRows(0, 0, x, 0, 1, y, 0, 1);
            k.logSoftmaxRows(0, 0, x, 0, 1, y, 0, 1);
        }
    }

    @Test
    void parallelismValidatesItsComponents() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Parallelism(Runnable::run, 0));
        assertTrue(namesWord(e.getMessage(), "tasks"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Parallelism(Runnable::run, -3));
        assertTrue(namesWord(e.getMessage(), "tasks"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Parallelism(null, 2));
        assertTrue(namesWord(e.getMessage(), "executor"), e.getMessage());
    }
}
