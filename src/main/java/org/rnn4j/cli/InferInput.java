package org.rnn4j.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.interop.TorchModel;
import org.rnn4j.io.Dtype;
import org.rnn4j.io.NamedTensor;
import org.rnn4j.io.SafetensorsFile;

/**
 * The input file of {@code rnn4j infer}, checked against the model: {@code x} (T, B, I) floating
 * features, or (T, B) integer token ids for a model with an embedding ((B, T, ·) with --batch-first);
 * optional {@code lengths} (B) integers in [0, T], {@code h0} (L·D, B, P) and {@code c0} (L·D, B, H)
 * (LSTM only), both floating. Anything else is an error naming the tensor, the expected and the actual.
 */
final class InferInput {
    /** The input file does not fit the model; the message names the tensor, expected and actual. */
    static final class BadInputException extends IOException {
        private static final long serialVersionUID = 1L;

        BadInputException(String message) {
            super(message);
        }
    }

    static final Set<String> NAMES = Set.of("x", "lengths", "h0", "c0");

    final int seqLen;
    final int batch;
    final float[] x;        // features, or null
    final int[] ids;        // token ids, or null (0 at padded steps, whatever the file holds there)
    final int[] lengths;    // or null
    final float[] h0;       // or null
    final float[] c0;       // or null
    /** Whether the results are written as F64: x is F64, or for token ids h0 is. */
    final boolean f64;
    final Dtype xDtype;
    final int[] xShape;

    InferInput(SafetensorsFile f, TorchModel model) throws BadInputException {
        RnnSpec spec = model.spec();
        List<String> unknown = new ArrayList<>();
        for (String n : f.names()) {
            if (!NAMES.contains(n)) {
                unknown.add("'" + n + "' " + Arrays.toString(f.tensor(n).shape()));
            }
        }
        if (!unknown.isEmpty()) {
            throw new BadInputException("unknown input tensor" + (unknown.size() == 1 ? " " : "s ")
                    + String.join(", ", unknown) + "; expected x and optionally lengths, h0, c0");
        }
        String seq = spec.batchFirst() ? "(B, T" : "(T, B";
        String xWanted = model.hasEmbedding()
                ? seq + ") integer token ids in [0, V = " + model.vocabSize() + ") for the embedding '"
                        + model.embeddingName() + "'"
                : seq + ", I = " + model.inputSize() + ") floating features";
        if (!f.contains("x")) {
            throw new BadInputException("missing input tensor 'x', expected " + xWanted);
        }
        NamedTensor xt = f.tensor("x");
        xDtype = xt.dtype();
        xShape = xt.shape();
        boolean integer = !floating(xDtype);
        if (model.hasEmbedding() != integer || xShape.length != (integer ? 2 : 3)
                || (!integer && xShape[2] != model.inputSize())) {
            throw new BadInputException("input tensor 'x' has dtype " + xDtype + " and shape " + Arrays.toString(xShape)
                    + ", expected " + xWanted);
        }
        seqLen = spec.batchFirst() ? xShape[1] : xShape[0];
        batch = spec.batchFirst() ? xShape[0] : xShape[1];
        if (seqLen < 1 || batch < 1) {
            throw new BadInputException("input tensor 'x' has shape " + Arrays.toString(xShape) + ": T and B must be >= 1");
        }
        lengths = f.contains("lengths") ? lengths(f.tensor("lengths")) : null;
        h0 = state(f, "h0", spec.numUnits(), spec.stateSize(), "(L·D, B, P)");
        if (f.contains("c0") && !spec.cell().hasCellState()) {
            throw new BadInputException("input tensor 'c0' " + Arrays.toString(f.tensor("c0").shape())
                    + " is given, but the model is a " + spec.cell().id() + ", which has no cell state (c0 is for an lstm)");
        }
        c0 = state(f, "c0", spec.numUnits(), spec.hiddenSize(), "(L·D, B, H)");
        if (integer) {
            ids = ids(xt.asLongs(), model, spec.batchFirst());
            x = null;
            f64 = f.contains("h0") && f.tensor("h0").dtype() == Dtype.F64;
        } else {
            x = floats(xt);
            ids = null;
            f64 = xDtype == Dtype.F64;
        }
    }

    /** F64 values beyond the float range would silently become infinite: refused. */
    private static float[] floats(NamedTensor t) throws BadInputException {
        try {
            return t.asFloats();
        } catch (ArithmeticException e) {
            throw new BadInputException("input " + e.getMessage());
        }
    }

    private static boolean floating(Dtype d) {
        return d == Dtype.F16 || d == Dtype.BF16 || d == Dtype.F32 || d == Dtype.F64;
    }

    private int[] lengths(NamedTensor t) throws BadInputException {
        if (floating(t.dtype()) || !Arrays.equals(t.shape(), new int[] {batch})) {
            throw new BadInputException("input tensor 'lengths' has dtype " + t.dtype() + " and shape "
                    + Arrays.toString(t.shape()) + ", expected integers of shape [" + batch + "] = (B)");
        }
        long[] v = t.asLongs();
        int[] r = new int[batch];
        for (int b = 0; b < batch; b++) {
            if (v[b] < 0 || v[b] > seqLen) {
                throw new BadInputException("input tensor 'lengths': lengths[" + b + "] = " + v[b]
                        + " is outside [0, T = " + seqLen + "]");
            }
            r[b] = (int) v[b];
        }
        return r;
    }

    private float[] state(SafetensorsFile f, String name, int units, int width, String symbolic)
            throws BadInputException {
        if (!f.contains(name)) {
            return null;
        }
        NamedTensor t = f.tensor(name);
        int[] want = {units, batch, width};
        if (!floating(t.dtype()) || !Arrays.equals(t.shape(), want)) {
            throw new BadInputException("input tensor '" + name + "' has dtype " + t.dtype() + " and shape "
                    + Arrays.toString(t.shape()) + ", expected a floating tensor of shape " + Arrays.toString(want)
                    + " = " + symbolic);
        }
        return floats(t);
    }

    /** The ids as ints, each checked at the steps within its sequence's length; 0 at padded steps. */
    private int[] ids(long[] v, TorchModel model, boolean batchFirst) throws BadInputException {
        int[] r = new int[v.length];
        int vocab = model.vocabSize();
        for (int t = 0; t < seqLen; t++) {
            for (int b = 0; b < batch; b++) {
                int i = batchFirst ? b * seqLen + t : t * batch + b;
                if (lengths != null && t >= lengths[b]) {
                    continue;   // padding: never read (PyTorch would embed it, rnn4j does not)
                }
                if (v[i] < 0 || v[i] >= vocab) {
                    throw new BadInputException("input tensor 'x': x" + (batchFirst ? "[" + b + ", " + t + "]"
                            : "[" + t + ", " + b + "]") + " (t = " + t + ", b = " + b + ") = " + v[i]
                            + " is not a token id of the embedding '" + model.embeddingName() + "': expected [0, "
                            + vocab + ")");
                }
                r[i] = (int) v[i];
            }
        }
        return r;
    }
}
