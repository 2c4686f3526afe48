package org.rnn4j.interop;

import java.util.Arrays;
import java.util.List;
import org.rnn4j.io.Dtype;
import org.rnn4j.io.NamedTensor;
import org.rnn4j.io.SafetensorsFile;

/** Reading parameter tensors with the checks every one of them gets, and the pieces of their messages. */
final class Tensors {
    private Tensors() {}

    /** The most tensors an error message lists before "and N more". */
    static final int LISTED = 10;

    /** {@code [28, 7]}. */
    static String shape(int[] shape) {
        return Arrays.toString(shape);
    }

    /** {@code 'rnn.weight_hh_l0' [28, 7] F32}. */
    static String describe(SafetensorsFile f, String name) {
        NamedTensor t = f.tensor(name);
        return "'" + name + "' " + shape(t.shape()) + " " + t.dtype();
    }

    /** Up to {@link #LISTED} tensors as {@link #describe}, then "and N more". */
    static String list(SafetensorsFile f, List<String> names) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < names.size() && i < LISTED; i++) {
            s.append(i == 0 ? "" : ", ").append(describe(f, names.get(i)));
        }
        if (names.size() > LISTED) {
            s.append(" and ").append(names.size() - LISTED).append(" more");
        }
        return s.length() == 0 ? "none" : s.toString();
    }

    static boolean floating(Dtype d) {
        switch (d) {
            case F16:
            case BF16:
            case F32:
            case F64:
                return true;
            default:
                return false;
        }
    }

    /**
     * The shape of a tensor that must exist, have a floating dtype and {@code rank} dimensions.
     *
     * @param role what the tensor is, for messages, e.g. {@code "(G·H, P)"}
     */
    static int[] shapeOf(SafetensorsFile f, String name, int rank, String role) throws ModelFormatException {
        if (!f.contains(name)) {
            throw new ModelFormatException("missing tensor '" + name + "', expected " + role);
        }
        NamedTensor t = f.tensor(name);
        if (!floating(t.dtype())) {
            throw new ModelFormatException("tensor '" + name + "' has dtype " + t.dtype()
                    + ", expected a floating dtype (F16, BF16, F32 or F64) for " + role);
        }
        int[] s = t.shape();
        if (s.length != rank) {
            throw new ModelFormatException("tensor '" + name + "' has shape " + shape(s) + ", expected " + rank
                    + " dimensions " + role);
        }
        return s;
    }

    /**
     * The values of a parameter tensor as floats, after checking that it exists, has a floating dtype,
     * exactly the expected shape and only finite values (F16/BF16 convert exactly, F64 rounds).
     *
     * @param expected the shape it must have
     * @param role the symbolic shape and its sizes for messages, e.g. {@code "(G·H, P) with G = 4, H = 7, P = 7"}
     * @return the values, row-major; a new array
     */
    static float[] floats(SafetensorsFile f, String name, int[] expected, String role) throws ModelFormatException {
        if (!f.contains(name)) {
            throw new ModelFormatException("missing tensor '" + name + "', expected shape " + shape(expected) + " = "
                    + role);
        }
        NamedTensor t = f.tensor(name);
        if (!floating(t.dtype())) {
            throw new ModelFormatException("tensor '" + name + "' has dtype " + t.dtype()
                    + ", expected a floating dtype (F16, BF16, F32 or F64)");
        }
        if (!Arrays.equals(t.shape(), expected)) {
            throw new ModelFormatException("tensor '" + name + "' has shape " + shape(t.shape()) + ", expected "
                    + shape(expected) + " = " + role);
        }
        float[] v;
        try {
            v = t.asFloats();
        } catch (ArithmeticException e) {
            // an F64 value beyond the float range: it would become infinite
            throw new ModelFormatException(e.getMessage(), e);
        }
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new ModelFormatException("tensor '" + name + "' has the non-finite value " + v[i] + " at "
                        + index(expected, i) + " (flat index " + i + "); parameters must be finite");
            }
        }
        return v;
    }

    /** The multi-index of flat index {@code i} in a row-major tensor of {@code shape}, e.g. {@code [3, 1]}. */
    static String index(int[] shape, int i) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = shape[d] == 0 ? 0 : i % shape[d];
            i = shape[d] == 0 ? i : i / shape[d];
        }
        return Arrays.toString(idx);
    }
}
