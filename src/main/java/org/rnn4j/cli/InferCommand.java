package org.rnn4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.interop.CellHint;
import org.rnn4j.interop.LoadOptions;
import org.rnn4j.interop.SequenceRunner;
import org.rnn4j.interop.TorchModel;
import org.rnn4j.io.NamedTensor;
import org.rnn4j.io.Safetensors;

/** {@code rnn4j infer}: a PyTorch model's outputs on an input file, written to an output file. */
final class InferCommand {
    private InferCommand() {}

    static final String USAGE = String.join("\n",
            "usage: rnn4j infer --model M.safetensors --input X.safetensors --output Y.safetensors [options]",
            "",
            "Runs a recurrent model saved from PyTorch (a state_dict in safetensors: optional embedding,",
            "nn.RNN/LSTM/GRU, optional nn.Linear head; structure inferred from names and shapes) on the",
            "sequences of the input file and writes PyTorch's outputs. See docs/interop.md.",
            "",
            "input file:   x        (T, B, I) floating (F32, F64, F16, BF16), or (T, B) integer token ids",
            "                       when the model has an embedding",
            "              lengths  (B) integers in [0, T], optional: packed-sequence lengths",
            "              h0       (L*D, B, P) floating, optional;  c0 (L*D, B, H), optional, LSTM only",
            "output file:  y        (T, B, O), 0 at steps at or past a sequence's length",
            "              h_n      (L*D, B, P);  c_n (L*D, B, H), LSTM only",
            "              F64 when x is F64 (for token ids: when h0 is F64), else F32",
            "",
            "options:",
            "  --model FILE     the model (required)",
            "  --input FILE     the input tensors (required)",
            "  --output FILE    where to write the results, atomically (required)",
            "  --cell C         lstm, gru, rnn, rnn_tanh or rnn_relu: checked against the shapes; a PyTorch",
            "                   state_dict does not record a vanilla RNN's nonlinearity (default tanh)",
            "  --batch-first    x and y are (B, T, .) (PyTorch batch_first=True); states stay (L*D, B, .)",
            "  --debug          print stack traces of errors",
            "",
            "exit code: 0 done, 1 a file is unusable (model, input, output), 2 usage error");

    static int run(String[] argv, PrintStream out, PrintStream err) {
        boolean debug = Arrays.asList(argv).contains("--debug");
        Args a;
        LoadOptions options = LoadOptions.DEFAULTS;
        try {
            a = new Args("infer", argv, Set.of("--model", "--input", "--output", "--cell"),
                    Set.of("--batch-first", "--debug", "--help", "-h"));
            if (a.has("--help") || a.has("-h")) {
                out.println(USAGE);
                return 0;
            }
            for (String required : new String[] {"--model", "--input", "--output"}) {
                if (!a.has(required)) {
                    throw new IllegalArgumentException(required + " is required (try rnn4j infer --help)");
                }
            }
            if (a.has("--cell")) {
                options = options.cell(CellHint.parse(a.string("--cell", null)));
            }
            options = options.batchFirst(a.has("--batch-first"));
        } catch (IllegalArgumentException e) {
            err.println("rnn4j infer: " + e.getMessage());
            if (debug) {
                e.printStackTrace(err);
            }
            return 2;
        }
        try {
            long start = System.nanoTime();
            Path modelFile = Path.of(a.string("--model", null));
            Path inputFile = Path.of(a.string("--input", null));
            Path outputFile = Path.of(a.string("--output", null));
            TorchModel model = TorchModel.read(modelFile, options);
            InferInput in;
            try {
                in = new InferInput(Safetensors.read(inputFile), model);
            } catch (InferInput.BadInputException e) {
                throw new IOException(inputFile + ": " + e.getMessage(), e);
            }
            List<NamedTensor> results = infer(model, in);
            Safetensors.write(outputFile, results, null);
            double ms = (System.nanoTime() - start) / 1e6;
            StringBuilder s = new StringBuilder("rnn4j infer: ").append(model.describe()).append("; x ")
                    .append(in.xDtype).append(' ').append(Arrays.toString(in.xShape));
            if (in.lengths != null) {
                s.append(" with lengths");
            }
            s.append(" -> ");
            for (int i = 0; i < results.size(); i++) {
                NamedTensor t = results.get(i);
                s.append(i == 0 ? "" : ", ").append(t.name()).append(i == 0 ? " " + t.dtype() + " " : " ")
                        .append(Arrays.toString(t.shape()));
            }
            s.append(String.format(Locale.ROOT, " in %.1f ms; wrote %s", ms, outputFile));
            out.println(s);
            return 0;
        } catch (IOException | IllegalArgumentException e) {
            err.println("rnn4j infer: " + (e instanceof NoSuchFileException ? "no such file: " + e.getMessage()
                    : e.getMessage()));
            if (debug) {
                e.printStackTrace(err);
            }
            return 1;
        }
    }

    /** y, h_n and c_n (LSTM) in PyTorch's shapes, F64 or F32 as the input asks. */
    private static List<NamedTensor> infer(TorchModel model, InferInput in) {
        RnnSpec spec = model.spec();
        int t = in.seqLen;
        int b = in.batch;
        int o = model.outputSize();
        long widest = Math.max(o, Math.max(spec.outputSize(), spec.inputSize()));
        if ((long) t * b * widest > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("T·B = " + t + "·" + b + " rows of " + widest
                    + " floats exceed the Java array limit");
        }
        float[] y = new float[t * b * o];
        float[] hN = new float[spec.numUnits() * b * spec.stateSize()];
        boolean lstm = spec.cell().hasCellState();
        float[] cN = lstm ? new float[spec.numUnits() * b * spec.hiddenSize()] : null;
        SequenceRunner runner = new SequenceRunner(model);
        if (in.ids != null) {
            runner.forwardTokens(in.ids, t, b, in.lengths, in.h0, in.c0, y, hN, cN);
        } else {
            runner.forward(in.x, t, b, in.lengths, in.h0, in.c0, y, hN, cN);
        }
        List<NamedTensor> r = new ArrayList<>();
        r.add(tensor("y", spec.batchFirst() ? new int[] {b, t, o} : new int[] {t, b, o}, y, in.f64));
        r.add(tensor("h_n", new int[] {spec.numUnits(), b, spec.stateSize()}, hN, in.f64));
        if (lstm) {
            r.add(tensor("c_n", new int[] {spec.numUnits(), b, spec.hiddenSize()}, cN, in.f64));
        }
        return r;
    }

    private static NamedTensor tensor(String name, int[] shape, float[] v, boolean f64) {
        if (!f64) {
            return NamedTensor.ofFloats(name, shape, v);
        }
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return NamedTensor.ofDoubles(name, shape, d);
    }
}
