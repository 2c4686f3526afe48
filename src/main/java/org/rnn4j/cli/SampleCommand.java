package org.rnn4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.lm.Checkpoint;
import org.rnn4j.lm.Sampler;

/** {@code rnn4j sample}: text from a checkpoint written by {@code rnn4j train}. */
final class SampleCommand {
    private SampleCommand() {}

    static final String USAGE = String.join("\n",
            "usage: rnn4j sample --model FILE [options]",
            "",
            "Generates text from a language model written by rnn4j train (DIR/model.safetensors): feeds the",
            "priming text, then draws one token at a time from softmax(logits / temperature).",
            "",
            "options (defaults in brackets):",
            "  --model FILE       the checkpoint                                 (required)",
            "  --prime TEXT       text to start from                             [a paragraph break]",
            "  --length N         tokens to generate                             [400]",
            "  --temperature X    below 1 sharper, above 1 more random, 0 greedy [0.8]",
            "  --top-k K          draw among the K most likely tokens only       [0 = all]",
            "  --seed S           seeds the draws                                [1]",
            "  --debug            print stack traces of errors",
            "",
            "exit code: 0 done, 1 the model file is unusable, 2 usage error");

    static int run(String[] argv, PrintStream out, PrintStream err) {
        boolean debug = java.util.Arrays.asList(argv).contains("--debug");
        Args a;
        try {
            a = new Args("sample", argv, Set.of("--model", "--prime", "--length", "--temperature", "--top-k", "--seed"),
                    Set.of("--debug", "--help", "-h"));
            if (a.has("--help") || a.has("-h")) {
                out.println(USAGE);
                return 0;
            }
            if (!a.has("--model")) {
                throw new IllegalArgumentException("--model is required (a model.safetensors written by rnn4j train)");
            }
            int length = a.integer("--length", 400, 0);
            double temperature = a.real("--temperature", 0.8, 0, 100);
            int topK = a.integer("--top-k", 0, 0);
            long seed = a.longValue("--seed", 1);
            Checkpoint.Loaded c;
            try {
                c = Checkpoint.load(Path.of(a.string("--model", null)), Kernels.get());
            } catch (IOException | IllegalArgumentException e) {
                err.println("rnn4j sample: " + describe(e));
                if (debug) {
                    e.printStackTrace(err);
                }
                return 1;
            }
            out.println(new Sampler(c.model).sample(c.tokenizer, a.string("--prime", ""), length, temperature, topK, seed));
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("rnn4j sample: " + e.getMessage());
            if (debug) {
                e.printStackTrace(err);
            }
            return 2;
        }
    }

    private static String describe(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file: " + e.getMessage();
        }
        return e.getMessage();
    }
}
