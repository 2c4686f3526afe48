package org.rnn4j.cell;

import java.util.Map;
import java.util.SplittableRandom;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.kernel.Parallelism;

/** Diagnostic (not a test): the worst engine-vs-reference error over many random cases. */
public class WorstErrorScan {
    public static void main(String[] args) {
        int n = Integer.parseInt(args.length > 0 ? args[0] : "2000");
        boolean options = args.length > 1 && args[1].equals("options");   // draw the cell-family options too
        SplittableRandom r = new SplittableRandom(1);
        double worst = 0;
        String where = "";
        double worstOption = 0;
        String whereOption = "";
        for (int i = 0; i < n; i++) {
            CellType c = CellType.values()[r.nextInt(4)];
            int t = 1 + r.nextInt(15), b = 1 + r.nextInt(4), l = 1 + r.nextInt(3);
            int[] lengths = new int[b];
            for (int j = 0; j < b; j++) lengths[j] = r.nextInt(t + 1);
            lengths[0] = t;
            int h = 1 + r.nextInt(70);
            RnnSpec.Builder sb = RnnSpec.builder(c, 1 + r.nextInt(12), h).numLayers(l)
                    .dropout(l > 1 && r.nextBoolean() ? 0.3 : 0).batchFirst(r.nextBoolean());
            RnnSpec spec = (options ? EngineVsReferenceProperties.withRandomOptions(sb, c, h, r) : sb).build();
            RnnCase rc = new RnnCase(spec, t, b, lengths, r.nextBoolean(), r.nextLong());
            RnnWorkspace ws = new RnnWorkspace(Parallelism.SERIAL, r.nextLong());
            RnnCase.Result fast = rc.run(r.nextBoolean() ? Kernels.simd() : Kernels.scalar(), ws, true);
            Map<String, double[]> ref = EngineVsReferenceProperties.reference(rc, ws);
            double w = EngineVsReferenceProperties.compare(rc, fast, ref, 1);
            if (w > worst) { worst = w; where = rc.toString(); }
            boolean plain = spec.direction() == Direction.FORWARD && spec.projSize() == 0 && !spec.peephole()
                    && !spec.resetBefore();
            if (!plain && w > worstOption) { worstOption = w; whereOption = rc.toString(); }
        }
        System.out.println("worst relative normwise error over " + n + " cases: " + worst + " at " + where);
        if (options) {
            System.out.println("worst among the cases with an option: " + worstOption + " at " + whereOption);
        }
    }
}
