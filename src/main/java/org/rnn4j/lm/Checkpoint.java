package org.rnn4j.lm;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rnn4j.io.NamedTensor;
import org.rnn4j.io.Safetensors;
import org.rnn4j.io.SafetensorsFile;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.nn.Params;
import org.rnn4j.text.Tokenizer;
import org.rnn4j.train.LrSchedule;
import org.rnn4j.train.Optimizer;

/**
 * A language-model checkpoint: one safetensors file, written atomically (temp file, fsync, rename),
 * holding everything a run needs to continue exactly where it stopped or to sample:
 * <ul>
 *   <li>tensors: every parameter under its PyTorch name ({@code encoder.weight}, {@code rnn.*},
 *       {@code decoder.weight}, {@code decoder.bias}; F32); the optimizer state as
 *       {@code optimizer.<key>} (F32); the carried RNN state {@code position.h}/{@code position.c}
 *       (F32, (L, B, H)); the loss history {@code history.step_loss} and {@code history.val_loss}
 *       (F64);</li>
 *   <li>metadata ({@code __metadata__}, strings): {@code format = rnn4j-lm/1}, the architecture
 *       ({@code model.*}), the tokenizer ({@code tokenizer.*}), the training settings
 *       ({@code train.*}), the optimizer's hyper-parameters ({@code optimizer.*}) and step count
 *       ({@code optimizer_steps}), the schedule ({@code schedule.*}), the position
 *       ({@code position.epoch}, {@code position.chunk}) and the training text's identity
 *       ({@code data.*}).</li>
 * </ul>
 * The parameter names and shapes are those of PyTorch's {@code word_language_model} {@code RNNModel}
 * (loading into PyTorch is not verified here; see docs/interop.md).
 */
public final class Checkpoint {
    /** The value of the {@code format} metadata key this class writes and reads. */
    public static final String FORMAT = "rnn4j-lm/1";

    private Checkpoint() {}

    /** What a checkpoint holds, rebuilt. */
    public static final class Loaded {
        /** The model with the saved parameters. */
        public final LanguageModel model;
        /** The tokenizer. */
        public final Tokenizer tokenizer;
        /** The optimizer with its state restored, or null if the file has none. */
        public final Optimizer optimizer;
        /** The schedule, or null. */
        public final LrSchedule schedule;
        /** The training settings, or null. */
        public final Trainer.Settings settings;
        /** Where training stood. */
        public final Trainer.Position position;
        /** All metadata, unmodified. */
        public final Map<String, String> metadata;

        Loaded(LanguageModel model, Tokenizer tokenizer, Optimizer optimizer, LrSchedule schedule,
               Trainer.Settings settings, Trainer.Position position, Map<String, String> metadata) {
            this.model = model;
            this.tokenizer = tokenizer;
            this.optimizer = optimizer;
            this.schedule = schedule;
            this.settings = settings;
            this.position = position;
            this.metadata = metadata;
        }
    }

    /**
     * Writes a checkpoint atomically: either the complete new file is at {@code file} afterwards, or
     * (on failure) whatever was there before.
     *
     * @param file destination
     * @param model the model (parameters read, not modified)
     * @param tokenizer its tokenizer
     * @param optimizer the optimizer (state read), or null for a weights-only file
     * @param schedule the schedule, or null
     * @param settings the training settings, or null
     * @param pos the position, or null
     * @param extra further metadata (e.g. {@code data.*}); may be empty
     * @throws IOException if writing fails (nothing is left at a temp path)
     */
    public static void save(Path file, LanguageModel model, Tokenizer tokenizer, Optimizer optimizer,
                            LrSchedule schedule, Trainer.Settings settings, Trainer.Position pos,
                            Map<String, String> extra) throws IOException {
        List<NamedTensor> tensors = new ArrayList<>();
        Params params = model.params();
        for (String name : params.names()) {
            tensors.add(NamedTensor.ofFloats(name, params.shape(name), params.value(name)));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.putAll(model.config().toMetadata());
        for (Map.Entry<String, String> e : tokenizer.toMetadata().entrySet()) {
            meta.put("tokenizer." + e.getKey(), e.getValue());
        }
        if (optimizer != null) {
            for (Map.Entry<String, float[]> e : optimizer.state().entrySet()) {
                tensors.add(NamedTensor.ofFloats("optimizer." + e.getKey(), new int[] {e.getValue().length},
                        e.getValue()));
            }
            for (Map.Entry<String, String> e : optimizer.config().entrySet()) {
                meta.put("optimizer." + e.getKey(), e.getValue());
            }
            meta.put("optimizer_steps", Long.toString(optimizer.steps()));
        }
        if (schedule != null) {
            for (Map.Entry<String, String> e : schedule.config().entrySet()) {
                meta.put("schedule." + e.getKey(), e.getValue());
            }
        }
        if (settings != null) {
            meta.putAll(settings.toMetadata());
        }
        if (pos != null) {
            meta.put("position.epoch", Integer.toString(pos.epoch));
            meta.put("position.chunk", Integer.toString(pos.chunk));
            if (pos.h != null) {
                tensors.add(NamedTensor.ofFloats("position.h", new int[] {pos.h.length}, pos.h));
            }
            if (pos.c != null) {
                tensors.add(NamedTensor.ofFloats("position.c", new int[] {pos.c.length}, pos.c));
            }
            tensors.add(NamedTensor.ofDoubles("history.step_loss", new int[] {pos.steps},
                    Arrays.copyOf(pos.stepLoss, pos.steps)));
            tensors.add(NamedTensor.ofDoubles("history.val_loss", new int[] {pos.valLoss.length}, pos.valLoss));
        }
        meta.putAll(extra);
        Safetensors.write(file, tensors, meta);
    }

    /**
     * Reads a checkpoint and rebuilds the model (on {@code kernels}), tokenizer, optimizer,
     * schedule, settings and position.
     *
     * @param file the checkpoint
     * @param kernels the kernels for the rebuilt model
     * @return the contents
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException with one line naming what is wrong: not a safetensors file,
     *                                  not an rnn4j language model, a missing or misshaped tensor
     */
    public static Loaded load(Path file, Kernels kernels) throws IOException {
        SafetensorsFile f;
        try {
            f = Safetensors.read(file);
        } catch (org.rnn4j.io.SafetensorsException e) {
            throw new IllegalArgumentException(file + " is not a valid safetensors file: " + e.getMessage());
        }
        Map<String, String> meta = f.metadata();
        String format = meta.get("format");
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException(file + " is not an rnn4j language-model checkpoint (format '"
                    + format + "', expected '" + FORMAT + "')");
        }
        LanguageModel.Config config = LanguageModel.Config.fromMetadata(meta);
        Tokenizer tokenizer = Tokenizer.fromMetadata(withoutPrefix(meta, "tokenizer."));
        if (tokenizer.vocabSize() != config.vocabSize()) {
            throw new IllegalArgumentException(file + ": the tokenizer has " + tokenizer.vocabSize()
                    + " tokens but the model " + config.vocabSize());
        }
        // The metadata may lie (a file may come from anywhere): check every parameter's shape against
        // the file before allocating a model of the claimed size, so a claim of hidden_size = 10^6
        // is a one-line error, not an OutOfMemoryError.
        for (Map.Entry<String, int[]> e : parameterShapes(config).entrySet()) {
            shapeOf(f, file, e.getKey(), e.getValue());
        }
        LanguageModel model = new LanguageModel(config, kernels);
        Params params = model.params();
        for (String name : params.names()) {
            float[] v = floats(f, file, name, params.shape(name));
            System.arraycopy(v, 0, params.value(name), 0, v.length);
        }
        Optimizer optimizer = null;
        Map<String, String> optConfig = withoutPrefix(meta, "optimizer.");
        if (!optConfig.isEmpty()) {
            optimizer = Optimizer.fromConfig(optConfig);
            Map<String, float[]> state = new LinkedHashMap<>();
            for (String name : f.names()) {
                if (name.startsWith("optimizer.")) {
                    state.put(name.substring("optimizer.".length()), f.tensor(name).asFloats());
                }
            }
            optimizer.loadState(state, Meta.longValue(meta, "optimizer_steps"));
        }
        Map<String, String> schedConfig = withoutPrefix(meta, "schedule.");
        LrSchedule schedule = schedConfig.isEmpty() ? null : LrSchedule.fromConfig(schedConfig);
        Trainer.Settings settings = meta.containsKey("train.seq_len") ? Trainer.Settings.fromMetadata(meta) : null;
        Trainer.Position pos = new Trainer.Position();
        if (meta.containsKey("position.epoch")) {
            pos.epoch = Meta.integer(meta, "position.epoch");
            pos.chunk = Meta.integer(meta, "position.chunk");
            if (settings != null) {
                int states = model.stateSize(settings.batch());
                pos.h = f.contains("position.h") ? floats(f, file, "position.h", new int[] {states}) : null;
                pos.c = f.contains("position.c") ? floats(f, file, "position.c", new int[] {states}) : null;
            }
            if (f.contains("history.step_loss")) {
                pos.stepLoss = f.tensor("history.step_loss").asDoubles();
                pos.steps = pos.stepLoss.length;
            }
            if (f.contains("history.val_loss")) {
                pos.valLoss = f.tensor("history.val_loss").asDoubles();
            }
        }
        return new Loaded(model, tokenizer, optimizer, schedule, settings, pos, meta);
    }

    /** Names and shapes of the parameters of {@code config}, computed without allocating them. */
    private static Map<String, int[]> parameterShapes(LanguageModel.Config config) {
        Map<String, int[]> m = new LinkedHashMap<>();
        int g = config.cell().gates() * config.hiddenSize();
        m.put("encoder.weight", new int[] {config.vocabSize(), config.embeddingSize()});
        for (int l = 0; l < config.numLayers(); l++) {
            int in = l == 0 ? config.embeddingSize() : config.hiddenSize();
            m.put("rnn.weight_ih_l" + l, new int[] {g, in});
            m.put("rnn.weight_hh_l" + l, new int[] {g, config.hiddenSize()});
            m.put("rnn.bias_ih_l" + l, new int[] {g});
            m.put("rnn.bias_hh_l" + l, new int[] {g});
        }
        m.put("decoder.weight", new int[] {config.vocabSize(), config.hiddenSize()});
        m.put("decoder.bias", new int[] {config.vocabSize()});
        return m;
    }

    private static void shapeOf(SafetensorsFile f, Path file, String name, int[] shape) {
        if (!f.contains(name)) {
            throw new IllegalArgumentException(file + " lacks the tensor '" + name + "' " + Arrays.toString(shape));
        }
        if (!Arrays.equals(f.tensor(name).shape(), shape)) {
            throw new IllegalArgumentException(file + ": tensor '" + name + "' has shape "
                    + Arrays.toString(f.tensor(name).shape()) + ", expected " + Arrays.toString(shape)
                    + " (from the model.* metadata)");
        }
    }

    private static float[] floats(SafetensorsFile f, Path file, String name, int[] shape) {
        if (!f.contains(name)) {
            throw new IllegalArgumentException(file + " lacks the tensor '" + name + "' " + Arrays.toString(shape));
        }
        NamedTensor t = f.tensor(name);
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(file + ": tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                    + ", expected " + Arrays.toString(shape));
        }
        return t.asFloats();
    }

    private static Map<String, String> withoutPrefix(Map<String, String> meta, String prefix) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : meta.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                m.put(e.getKey().substring(prefix.length()), e.getValue());
            }
        }
        return m;
    }
}
