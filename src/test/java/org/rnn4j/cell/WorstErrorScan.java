package org.rnn4j.cell;

import java.util.Map;
import java.util.SplittableRandom;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.kernel.Parallelism;

/** Diagnostic (not a test): the worst engine-vs-reference error over many random cases. */
public class WorstErrorScan {
    public static void main(String[] args) {
        int n = Integer.parseInt(args.length > 0 ? args[0] : "2000");
        SplittableRandom r = new SplittableRandom(1);
        double worst = 0;
        String where = "";
        for (int i = 0; i < n; i++) {
            CellType c = CellType.values()[r.nextInt(4)];
            int t = 1 + r.nextInt(15), b = 1 + r.nextInt(4), l = 1 + r.nextInt(3);
            int[] lengths = new int[b];
            for (int j = 0; j < b; j++) lengths[j] = r.nextInt(t + 1);
            lengths[0] = t;
            RnnSpec spec = RnnSpec.builder(c, 1 + r.nextInt(12), 1 + r.nextInt(70)).numLayers(l)
                    .dropout(l > 1 && r.nextBoolean() ? 0.3 : 0).batchFirst(r.nextBoolean()).build();
            RnnCase rc = new RnnCase(spec, t, b, lengths, r.nextBoolean(), r.nextLong());
            RnnWorkspace ws = new RnnWorkspace(Parallelism.SERIAL, r.nextLong());
            RnnCase.Result fast = rc.run(r.nextBoolean() ? Kernels.simd() : Kernels.scalar(), ws, true);
            Map<String, double[]> ref = EngineVsReferenceProperties.reference(rc, ws);
            double w = EngineVsReferenceProperties.compare(rc, fast, ref, 1);
            if (w > worst) { worst = w; where = rc.toString(); }
        }
        System.out.println("worst relative normwise error over " + n + " cases: " + worst + " at " + where);
    }
}
