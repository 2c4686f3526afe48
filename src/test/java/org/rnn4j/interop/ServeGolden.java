package org.rnn4j.interop;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.rnn4j.io.Safetensors;
import org.rnn4j.io.SafetensorsFile;

/**
 * One case of {@code src/test/resources/golden_serve} (written by tools/golden/make_serve_golden.py):
 * the PyTorch state_dict, the input file, and PyTorch's float64 y/h_n/c_n with the rnn4j options the
 * case needs (metadata {@code cell_hint}, {@code batch_first}).
 */
public final class ServeGolden {
    public final String name;
    public final Path dir;
    public final SafetensorsFile model;
    public final SafetensorsFile input;
    public final SafetensorsFile expected;

    ServeGolden(Path dir) throws IOException {
        this.dir = dir;
        this.name = dir.getFileName().toString();
        this.model = Safetensors.read(modelPath());
        this.input = Safetensors.read(inputPath());
        this.expected = Safetensors.read(dir.resolve("expected.safetensors"));
    }

    public static List<ServeGolden> all() throws IOException, URISyntaxException {
        URL url = ServeGolden.class.getResource("/golden_serve");
        if (url == null) {
            throw new IllegalStateException("test resource folder /golden_serve not on the class path");
        }
        List<Path> dirs;
        try (Stream<Path> s = Files.list(Path.of(url.toURI()))) {
            dirs = s.filter(Files::isDirectory).sorted().collect(Collectors.toList());
        }
        if (dirs.size() < 6) {
            throw new IllegalStateException("golden_serve cases found: " + dirs.size());
        }
        List<ServeGolden> r = new java.util.ArrayList<>();
        for (Path d : dirs) {
            r.add(new ServeGolden(d));
        }
        return r;
    }

    public Path modelPath() {
        return dir.resolve("model.safetensors");
    }

    public Path inputPath() {
        return dir.resolve("input.safetensors");
    }

    public String cellHint() {
        return expected.metadata("cell_hint");
    }

    public boolean batchFirst() {
        return expected.metadata("batch_first").equals("1");
    }

    /** What a user passes for this case (the hint and layout PyTorch's state_dict does not record). */
    public LoadOptions options() {
        LoadOptions o = LoadOptions.DEFAULTS.batchFirst(batchFirst());
        return cellHint().isEmpty() ? o : o.cell(CellHint.parse(cellHint()));
    }

    /** The {@code rnn4j infer} options for this case. */
    public List<String> cliOptions() {
        List<String> r = new java.util.ArrayList<>();
        if (!cellHint().isEmpty()) {
            r.add("--cell");
            r.add(cellHint());
        }
        if (batchFirst()) {
            r.add("--batch-first");
        }
        return r;
    }

    /** ‖actual − expected‖₂ / ‖expected‖₂ in double. */
    public static double relError(double[] expected, double[] actual) {
        if (expected.length != actual.length) {
            throw new AssertionError("lengths " + expected.length + " vs " + actual.length);
        }
        double e = 0;
        double d = 0;
        for (int i = 0; i < expected.length; i++) {
            e += expected[i] * expected[i];
            double diff = actual[i] - expected[i];
            d += diff * diff;
        }
        return Math.sqrt(d) / Math.sqrt(e);
    }

    public static double[] doubles(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
