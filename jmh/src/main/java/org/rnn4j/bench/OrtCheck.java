package org.rnn4j.bench;

import java.util.Arrays;
import java.util.List;

/**
 * Quick check without JMH that ONNX Runtime and rnn4j agree on every generated model (what the
 * benchmarks' setups check), plus a couple of timed-free calls of each benchmark method:
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp jmh/target/benchmarks.jar org.rnn4j.bench.OrtCheck [cells] [seq|stream|all]
 * </pre>
 * cells: comma-separated, default lstm,gru,rnn_tanh. Exits 1 on the first disagreement.
 */
public final class OrtCheck {
    private OrtCheck() {
    }

    public static void main(String[] args) throws Exception {
        List<String> cells = Arrays.asList((args.length > 0 ? args[0] : "lstm,gru,rnn_tanh").split(","));
        String set = args.length > 1 ? args[1] : "all";
        try {
            for (String cell : cells) {
                if (!set.equals("stream")) {
                    for (String shape : new String[] {"100x32x256x256", "50x64x512x512", "100x1x128x128", "35x20x650x650"}) {
                        OrtSeqBench b = new OrtSeqBench();
                        b.cell = cell;
                        b.shape = shape;
                        b.impl = "ort";
                        b.setup();
                        b.forward();
                        System.out.printf("seq    %-8s %-15s rel err Y %.1e  h_T %.1e  c_T %.1e%n", cell, shape,
                                b.errors[0], b.errors[1], b.errors[2]);
                        b.tearDown();
                    }
                }
                if (!set.equals("seq")) {
                    for (int hidden : new int[] {64, 128, 256, 1024}) {
                        OrtStreamBench b = new OrtStreamBench();
                        b.cell = cell;
                        b.hidden = hidden;
                        b.impl = "ort";
                        b.setup();
                        for (String impl : new String[] {"ort", "ort_alloc", "rnn4j"}) {
                            b.impl = impl;
                            b.step();
                        }
                        System.out.printf("stream %-8s H=%-5d %d steps, max rel err %.1e%n", cell, hidden,
                                OrtStreamBench.CHECK_STEPS, b.maxError);
                        b.tearDown();
                    }
                }
            }
        } catch (IllegalStateException e) {
            System.err.println("FAIL: " + e.getMessage());
            System.exit(1);
        }
        System.out.println("ONNX Runtime and rnn4j agree on every model checked");
    }
}
