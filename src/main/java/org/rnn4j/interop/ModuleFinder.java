package org.rnn4j.interop;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.rnn4j.io.SafetensorsFile;

/**
 * Places the embedding in front of the RNN and the linear head after it, among the tensors the RNN
 * did not take.
 *
 * <p>A <em>module</em> {@code M} is a tensor {@code M.weight}. Candidates:
 * <ul>
 *   <li>embedding: {@code M.weight} 2-D with I columns and no {@code M.bias} (nn.Embedding has none);</li>
 *   <li>head: {@code M.weight} 2-D with O = the RNN's output width columns, with or without {@code M.bias}.</li>
 * </ul>
 * A module whose last name component is a usual head name ({@link #HEAD_NAMES}) is never an embedding
 * candidate, one with a usual embedding name ({@link #EMBEDDING_NAMES}) never a head candidate. Every
 * reading (embedding or none) × (head or none), the two different, is scored: 10 per module used,
 * plus 1 per module whose name is usual for its role. The best reading wins; a tie is an ambiguity
 * error listing the tied readings. An explicit setting ({@link LoadOptions}, else the rnn4j metadata)
 * fixes a role instead.
 */
final class ModuleFinder {
    private ModuleFinder() {}

    /** Last name components that mark an embedding ({@code encoder} is PyTorch word_language_model's). */
    static final Set<String> EMBEDDING_NAMES = Set.of("encoder", "embedding", "embeddings", "embed", "emb",
            "word_embeddings", "wte", "tok_embeddings", "token_embedding", "lookup");
    /** Last name components that mark a head ({@code decoder} is PyTorch word_language_model's). */
    static final Set<String> HEAD_NAMES = Set.of("decoder", "fc", "linear", "head", "out", "output", "proj",
            "projection", "classifier", "lm_head", "dense", "fc_out", "logits", "readout", "generator");

    /** The embedding and head found, with their values (already checked). */
    static final class Found {
        String embedding;           // module name or null
        float[] embeddingWeight;    // (V, I)
        String head;                // module name or null
        float[] headWeight;         // (O, outputSize)
        float[] headBias;           // (O) or null
    }

    /** One role's setting: null = infer, "" = none, else the module; and where it came from, for messages. */
    private static final class Setting {
        final String module;
        final String source;

        Setting(String module, String source) {
            this.module = module;
            this.source = source;
        }
    }

    static Found find(SafetensorsFile f, LoadOptions o, Map<String, String> meta, Set<String> claimed, int in, int out,
                      String rnnPrefix) throws ModelFormatException {
        boolean rnn4jExport = meta.containsKey(MetadataKeys.RNN);
        Setting emb = setting(o.embedding(), "LoadOptions.embedding", meta, MetadataKeys.EMBEDDING, rnn4jExport);
        Setting head = setting(o.head(), "LoadOptions.head", meta, MetadataKeys.HEAD, rnn4jExport);

        List<String> embCands = new ArrayList<>();
        List<String> headCands = new ArrayList<>();
        if (emb.module != null) {
            if (!emb.module.isEmpty()) {
                requireModule(f, emb, claimed);
            }
            embCands.add(emb.module.isEmpty() ? null : emb.module);
        }
        if (head.module != null) {
            if (!head.module.isEmpty()) {
                requireModule(f, head, claimed);
            }
            headCands.add(head.module.isEmpty() ? null : head.module);
        }
        if (emb.module == null || head.module == null) {
            for (String n : f.names()) {
                if (claimed.contains(n) || !n.endsWith(".weight") || f.tensor(n).shape().length != 2) {
                    continue;
                }
                String m = n.substring(0, n.length() - ".weight".length());
                int cols = f.tensor(n).shape()[1];
                String last = m.substring(m.lastIndexOf('.') + 1);
                boolean hasBias = f.contains(m + ".bias") && !claimed.contains(m + ".bias");
                if (emb.module == null && !hasBias && cols == in && !HEAD_NAMES.contains(last)) {
                    embCands.add(m);
                }
                if (head.module == null && cols == out && !EMBEDDING_NAMES.contains(last)) {
                    headCands.add(m);
                }
            }
            if (emb.module == null) {
                embCands.add(null);
            }
            if (head.module == null) {
                headCands.add(null);
            }
        }

        // every reading (e, h), e != h, scored; the best must be unique
        int best = -1;
        List<String[]> tied = new ArrayList<>();
        for (String e : embCands) {
            for (String h : headCands) {
                if (e != null && e.equals(h)) {
                    continue;
                }
                int score = (e == null ? 0 : 10 + (usual(e, EMBEDDING_NAMES) ? 1 : 0))
                        + (h == null ? 0 : 10 + (usual(h, HEAD_NAMES) ? 1 : 0));
                if (score > best) {
                    best = score;
                    tied.clear();
                }
                if (score == best) {
                    tied.add(new String[] {e, h});
                }
            }
        }
        if (tied.size() > 1) {
            StringBuilder s = new StringBuilder("ambiguous embedding/head: equally good readings ");
            for (int i = 0; i < tied.size(); i++) {
                s.append(i == 0 ? "" : " or ").append(reading(f, tied.get(i)));
            }
            s.append(" (an embedding is a 2-D M.weight with I = ").append(in).append(" columns and no M.bias, a head")
                    .append(" a 2-D M.weight with O = ").append(out).append(" columns, the RNN's output width under '")
                    .append(rnnPrefix).append("'); choose with LoadOptions.embedding / LoadOptions.head")
                    .append(" (LoadOptions.noEmbedding() / noHead() for none)");
            throw new ModelFormatException(s.toString());
        }
        Found found = new Found();
        String e = tied.get(0)[0];
        String h = tied.get(0)[1];
        if (e != null) {
            String n = e + ".weight";
            int[] s = Tensors.shapeOf(f, n, 2, "(V, I) for the embedding" + emb.source);
            found.embedding = e;
            found.embeddingWeight = Tensors.floats(f, n, new int[] {Math.max(s[0], 1), in},
                    "(V, I) with I = " + in + " (the RNN's input size) and V >= 1, the embedding" + emb.source);
            if (f.contains(e + ".bias")) {
                throw new ModelFormatException("tensor " + Tensors.describe(f, e + ".bias") + ": the embedding '" + e + "'" + emb.source
                        + " cannot have a bias (nn.Embedding has none)");
            }
        }
        if (h != null) {
            String n = h + ".weight";
            int[] s = Tensors.shapeOf(f, n, 2, "(O, outputSize) for the head" + head.source);
            found.head = h;
            found.headWeight = Tensors.floats(f, n, new int[] {Math.max(s[0], 1), out},
                    "(O, " + out + ") with " + out + " the RNN's output width and O >= 1, the head" + head.source);
            if (f.contains(h + ".bias")) {
                found.headBias = Tensors.floats(f, h + ".bias", new int[] {s[0]},
                        "(O) with O = " + s[0] + " the rows of '" + n + "', the head's bias");
            }
        }
        return found;
    }

    private static Setting setting(String option, String optionName, Map<String, String> meta, String key,
                                   boolean rnn4jExport) {
        if (option != null) {
            return new Setting(option, " (" + optionName + " = '" + option + "')");
        }
        if (meta.containsKey(key)) {
            return new Setting(meta.get(key), " (metadata " + key + " = '" + meta.get(key) + "')");
        }
        // an rnn4j export lists the modules it has: no key, no module
        return rnn4jExport ? new Setting("", " (an rnn4j export without metadata " + key + ")")
                : new Setting(null, " (found by shape)");
    }

    private static void requireModule(SafetensorsFile f, Setting s, Set<String> claimed) throws ModelFormatException {
        String n = s.module + ".weight";
        if (!f.contains(n) || claimed.contains(n)) {
            throw new ModelFormatException("no tensor '" + n + "'" + (claimed.contains(n) ? " outside the RNN" : "")
                    + " for the module" + s.source);
        }
    }

    private static boolean usual(String module, Set<String> names) {
        return names.contains(module.substring(module.lastIndexOf('.') + 1));
    }

    private static String reading(SafetensorsFile f, String[] r) {
        return "{" + (r[0] == null ? "no embedding" : "embedding " + Tensors.describe(f, r[0] + ".weight")) + ", "
                + (r[1] == null ? "no head" : "head " + Tensors.describe(f, r[1] + ".weight")
                + (f.contains(r[1] + ".bias") ? " + bias" : "")) + "}";
    }
}
