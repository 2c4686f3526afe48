import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.rnn4j.cell.CellType;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.interop.LoadOptions;
import org.rnn4j.interop.TorchModel;
import org.rnn4j.io.NamedTensor;
import org.rnn4j.io.Safetensors;

/**
 * Writes models exported by rnn4j for tools/pytorch/check_export.py (a single-file program for the
 * JDK's source launcher; see docs/interop.md):
 *
 *   java --add-modules jdk.incubator.vector -cp target/classes tools/pytorch/ExportExample.java OUTDIR [MODEL]
 *
 * OUTDIR/java_model.safetensors: a model built in Java (TorchModel.of, default names encoder. / rnn. /
 * decoder.): Embedding(13, 6) -> 2-layer bidirectional LSTM(6, 8, proj_size=3) -> Linear(6, 5), seeded;
 * OUTDIR/java_input.safetensors: token ids (7, 3), lengths, h0, c0 for it.
 * With MODEL: also OUTDIR/reexported.safetensors, MODEL read by TorchModel.read and written back.
 */
public class ExportExample {
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        SplittableRandom r = new SplittableRandom(2024);
        RnnSpec spec = RnnSpec.builder(CellType.LSTM, 6, 8).numLayers(2).bidirectional(true).projSize(3).build();
        RnnWeights w = new RnnWeights(spec).initUniform(7);
        TorchModel m = TorchModel.of(w, normal(r, 13 * 6), uniform(r, 5 * 6, 0.4), uniform(r, 5, 0.4));
        m.write(out.resolve("java_model.safetensors"));
        int t = 7;
        int b = 3;
        long[] ids = new long[t * b];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.nextInt(13);
        }
        int units = spec.numUnits();
        Safetensors.write(out.resolve("java_input.safetensors"), List.of(
                NamedTensor.ofLongs("x", new int[] {t, b}, ids),
                NamedTensor.ofLongs("lengths", new int[] {b}, new long[] {4, 7, 2}),
                NamedTensor.ofFloats("h0", new int[] {units, b, 3}, uniform(r, units * b * 3, 0.5)),
                NamedTensor.ofFloats("c0", new int[] {units, b, 8}, uniform(r, units * b * 8, 0.5))));
        System.out.println("wrote " + out.resolve("java_model.safetensors") + ": " + m.describe());
        if (args.length > 1) {
            TorchModel loaded = TorchModel.read(Path.of(args[1]), LoadOptions.DEFAULTS);
            loaded.write(out.resolve("reexported.safetensors"));
            System.out.println("wrote " + out.resolve("reexported.safetensors") + ": " + loaded.describe());
        }
    }

    static float[] uniform(SplittableRandom r, int n, double bound) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((2 * r.nextDouble() - 1) * bound);
        }
        return v;
    }

    static float[] normal(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble()));
        }
        return v;
    }
}
