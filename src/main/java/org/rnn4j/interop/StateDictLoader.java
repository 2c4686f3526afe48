package org.rnn4j.interop;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.rnn4j.cell.CellType;
import org.rnn4j.cell.Direction;
import org.rnn4j.cell.MergeMode;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.io.SafetensorsFile;

/**
 * Builds a {@link TorchModel} from a {@code state_dict}: finds the RNN, infers its spec from names
 * and shapes (checked against hints and metadata), reads every expected tensor, then lets
 * {@link ModuleFinder} place the embedding and the head. The rules are documented on {@link TorchModel}.
 */
final class StateDictLoader {
    private static final String IH0 = "weight_ih_l0";
    private static final String REV = "_reverse";

    private final SafetensorsFile f;
    private final LoadOptions o;
    private final Map<String, String> meta;
    /** Full names of the tensors the model consumed. */
    private final Set<String> claimed = new HashSet<>();

    private StateDictLoader(SafetensorsFile f, LoadOptions o) {
        this.f = f;
        this.o = o;
        this.meta = f.metadata();
    }

    static TorchModel load(SafetensorsFile f, LoadOptions o) throws ModelFormatException {
        return new StateDictLoader(f, o).load();
    }

    private TorchModel load() throws ModelFormatException {
        String prefix = findPrefix();
        boolean reverseOnly = !f.contains(prefix + IH0);
        String sfx = reverseOnly ? REV : "";
        Direction dir = reverseOnly ? Direction.REVERSE
                : f.contains(prefix + IH0 + REV) ? Direction.BIDIRECTIONAL : Direction.FORWARD;
        int layers = 0;
        while (f.contains(prefix + "weight_ih_l" + layers + sfx)) {
            layers++;
        }

        String ih0 = prefix + IH0 + sfx;
        String hh0 = prefix + "weight_hh_l0" + sfx;
        String hr0 = prefix + "weight_hr_l0" + sfx;
        String peep0 = prefix + "weight_peephole_l0" + sfx;
        int[] ih = Tensors.shapeOf(f, ih0, 2, "(G·H, I)");
        int[] hh = Tensors.shapeOf(f, hh0, 2, "(G·H, P)");
        int inputSize = ih[1];
        if (inputSize < 1) {
            throw new ModelFormatException("tensor '" + ih0 + "' has shape " + Tensors.shape(ih)
                    + ": the input size I (its columns) must be >= 1");
        }
        int hidden;
        int proj = 0;
        String hiddenFrom;
        if (f.contains(hr0)) {
            int[] hr = Tensors.shapeOf(f, hr0, 2, "(P, H)");
            proj = hr[0];
            hidden = hr[1];
            hiddenFrom = " (the columns of '" + hr0 + "' " + Tensors.shape(hr) + ")";
            if (proj < 1 || proj >= hidden) {
                throw new ModelFormatException("tensor '" + hr0 + "' has shape " + Tensors.shape(hr)
                        + ", expected (P, H) with 1 <= P < H (PyTorch proj_size < hidden_size)");
            }
        } else {
            hidden = hh[1];
            hiddenFrom = " (its columns)";
        }
        if (hidden < 1) {
            throw new ModelFormatException("tensor '" + hh0 + "' has shape " + Tensors.shape(hh)
                    + ": the hidden size H (its columns) must be >= 1");
        }
        if (hh[0] % hidden != 0) {
            throw new ModelFormatException("tensor '" + hh0 + "' has shape " + Tensors.shape(hh) + ": its " + hh[0]
                    + " rows are not a multiple of H = " + hidden + hiddenFrom
                    + "; expected G·H rows, G = 4 (lstm), 3 (gru) or 1 (rnn)");
        }
        int gates = hh[0] / hidden;
        String shapeFact = "tensor '" + hh0 + "' has shape " + Tensors.shape(hh) + ": " + hh[0] + " rows = " + gates
                + "·H with H = " + hidden + hiddenFrom;
        CellType cell = cell(gates, shapeFact);
        if (proj > 0 && cell != CellType.LSTM) {
            throw new ModelFormatException("tensor '" + hr0 + "' (projection, weight_hr) belongs to an lstm, but "
                    + shapeFact + ", " + withArticle(cell));
        }
        boolean peephole = f.contains(peep0);
        if (peephole && cell != CellType.LSTM) {
            throw new ModelFormatException("tensor '" + peep0 + "' (peepholes) belongs to an lstm, but " + shapeFact
                    + ", " + withArticle(cell));
        }
        RnnSpec spec;
        try {
            spec = RnnSpec.builder(cell, inputSize, hidden).numLayers(layers).direction(dir).merge(merge(dir, prefix))
                    .projSize(proj).peephole(peephole).resetBefore(resetBefore(cell, shapeFact))
                    .batchFirst(o.batchFirst()).build();
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException("the tensors under '" + prefix + "' give no valid network: "
                    + e.getMessage(), e);
        }

        RnnWeights weights = new RnnWeights(spec);
        boolean bias = biases(prefix, weights);
        for (String n : weights.names()) {
            if (!bias && n.startsWith("bias_")) {
                continue;
            }
            float[] v = Tensors.floats(f, prefix + n, weights.shape(n), role(n, spec));
            System.arraycopy(v, 0, weights.get(n), 0, v.length);
            claimed.add(prefix + n);
        }

        ModuleFinder.Found m = ModuleFinder.find(f, o, meta, claimed, inputSize, spec.outputSize(), prefix);
        float[] embedding = null;
        if (m.embedding != null) {
            embedding = m.embeddingWeight;
            claimed.add(m.embedding + ".weight");
        }
        if (m.head != null) {
            claimed.add(m.head + ".weight");
            if (m.headBias != null) {
                claimed.add(m.head + ".bias");
            }
        }
        List<String> unknown = new ArrayList<>();
        for (String n : f.names()) {
            if (!claimed.contains(n)) {
                unknown.add(n);
            }
        }
        if (!unknown.isEmpty() && !o.ignoreUnknown()) {
            throw new ModelFormatException(unknown.size() + " unknown tensor" + (unknown.size() == 1 ? "" : "s")
                    + ", part of neither the embedding, the RNN under '" + prefix + "' nor the head: "
                    + Tensors.list(f, unknown) + "; set LoadOptions.ignoreUnknown to skip them");
        }
        List<String> order = new ArrayList<>();
        for (String n : f.names()) {
            if (claimed.contains(n)) {
                order.add(key(n, prefix, m));
            }
        }
        return new TorchModel(weights, bias, prefix, m.embedding, embedding, m.head, m.headWeight, m.headBias, order);
    }

    /** The export key of a claimed tensor: {@link TorchModel}'s order entries. */
    private static String key(String name, String prefix, ModuleFinder.Found m) {
        if (m.embedding != null && name.equals(m.embedding + ".weight")) {
            return TorchModel.EMBEDDING_KEY;
        }
        if (m.head != null && name.equals(m.head + ".weight")) {
            return TorchModel.HEAD_WEIGHT_KEY;
        }
        if (m.head != null && name.equals(m.head + ".bias")) {
            return TorchModel.HEAD_BIAS_KEY;
        }
        return TorchModel.RNN_KEY + name.substring(prefix.length());
    }

    // ------------------------------------------------------------------------------------- the prefix

    private String findPrefix() throws ModelFormatException {
        String given = o.rnnPrefix();
        String source = "LoadOptions.rnnPrefix";
        if (given == null && meta.containsKey(MetadataKeys.RNN)) {
            given = meta.get(MetadataKeys.RNN);
            source = "metadata " + MetadataKeys.RNN;
        }
        if (given != null) {
            if (f.contains(given + IH0) || f.contains(given + IH0 + REV)) {
                return given;
            }
            throw new ModelFormatException(source + " = '" + given + "', but there is no tensor '" + given + IH0
                    + "' (nor '" + given + IH0 + REV + "'); tensors ending in " + IH0 + ": "
                    + Tensors.list(f, endingIn(IH0)));
        }
        List<String> forward = endingIn(IH0);
        List<String> found = forward.isEmpty() ? endingIn(IH0 + REV) : forward;
        String ending = forward.isEmpty() ? IH0 + REV : IH0;
        if (found.size() > 1) {
            // an rnn4j checkpoint's optimizer state ("optimizer.exp_avg.rnn.weight_ih_l0") is 1-D
            List<String> matrices = new ArrayList<>();
            for (String n : found) {
                if (f.tensor(n).shape().length == 2) {
                    matrices.add(n);
                }
            }
            if (!matrices.isEmpty()) {
                found = matrices;
            }
        }
        if (found.size() == 1) {
            String n = found.get(0);
            return n.substring(0, n.length() - ending.length());
        }
        if (found.isEmpty()) {
            throw new ModelFormatException("no RNN: no tensor is named " + IH0 + " or ends in ." + IH0
                    + " (PyTorch's first-layer input weight; nor " + IH0 + REV + "); the file has " + f.names().size()
                    + " tensors: " + Tensors.list(f, f.names()));
        }
        String first = found.get(0);
        throw new ModelFormatException("several RNNs: tensors " + Tensors.list(f, found) + " each start one; choose"
                + " with LoadOptions.rnnPrefix (e.g. \"" + first.substring(0, first.length() - ending.length()) + "\")");
    }

    private List<String> endingIn(String ending) {
        List<String> r = new ArrayList<>();
        for (String n : f.names()) {
            if (n.equals(ending) || n.endsWith("." + ending)) {
                r.add(n);
            }
        }
        return r;
    }

    // ------------------------------------------------------------------------- what shapes cannot say

    private CellType cell(int gates, String shapeFact) throws ModelFormatException {
        CellType fromShapes;
        switch (gates) {
            case 4:
                fromShapes = CellType.LSTM;
                break;
            case 3:
                fromShapes = CellType.GRU;
                break;
            case 1:
                fromShapes = CellType.RNN_TANH;
                break;
            default:
                throw new ModelFormatException(shapeFact + "; expected G = 4 (lstm), 3 (gru) or 1 (rnn) gate blocks");
        }
        String shapeCell = gates == 1 ? "a vanilla rnn" : withArticle(fromShapes);
        CellType fromMeta = null;
        String metaKey = null;
        if (meta.containsKey(MetadataKeys.CELL)) {
            metaKey = MetadataKeys.CELL;
        } else if (MetadataKeys.LM_FORMAT.equals(meta.get(MetadataKeys.FORMAT)) && meta.containsKey(MetadataKeys.LM_CELL)) {
            metaKey = MetadataKeys.LM_CELL;
        }
        if (metaKey != null) {
            try {
                fromMeta = CellType.parse(meta.get(metaKey));
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException("metadata " + metaKey + " = '" + meta.get(metaKey) + "' is not a cell: "
                        + e.getMessage(), e);
            }
            if (fromMeta.gates() != gates) {
                throw new ModelFormatException("metadata " + metaKey + " = " + fromMeta.id() + " (" + fromMeta.gates()
                        + " gate blocks) contradicts the shapes: " + shapeFact + ", " + shapeCell);
            }
        }
        CellHint hint = o.cell();
        if (hint != null) {
            if (hint.gates() != gates) {
                throw new ModelFormatException("the cell hint " + hint.id() + " (LoadOptions.cell, --cell) has "
                        + hint.gates() + " gate block" + (hint.gates() == 1 ? "" : "s") + ", but " + shapeFact + ", "
                        + shapeCell);
            }
            if (fromMeta != null && !hint.admits(fromMeta)) {
                throw new ModelFormatException("the cell hint " + hint.id() + " (LoadOptions.cell, --cell) contradicts"
                        + " metadata " + metaKey + " = " + fromMeta.id());
            }
            if (hint.cellType() != null) {
                return hint.cellType();
            }
        }
        return fromMeta != null ? fromMeta : fromShapes;
    }

    private boolean resetBefore(CellType cell, String shapeFact) throws ModelFormatException {
        boolean v;
        String source;
        if (o.resetBefore() != null) {
            v = o.resetBefore();
            source = "LoadOptions.resetBefore = " + v;
        } else if (meta.containsKey(MetadataKeys.RESET_BEFORE)) {
            String s = meta.get(MetadataKeys.RESET_BEFORE);
            if (!s.equals("0") && !s.equals("1")) {
                throw new ModelFormatException("metadata " + MetadataKeys.RESET_BEFORE + " = '" + s
                        + "', expected 0 or 1");
            }
            v = s.equals("1");
            source = "metadata " + MetadataKeys.RESET_BEFORE + " = " + s;
        } else {
            return false;
        }
        if (v && cell != CellType.GRU) {
            throw new ModelFormatException(source + " needs a gru, but " + shapeFact + ", " + withArticle(cell));
        }
        return v;
    }

    private MergeMode merge(Direction dir, String prefix) throws ModelFormatException {
        String s = meta.get(MetadataKeys.MERGE);
        if (s == null) {
            return MergeMode.CONCAT;
        }
        MergeMode m;
        try {
            m = MergeMode.parse(s);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException("metadata " + MetadataKeys.MERGE + ": " + e.getMessage(), e);
        }
        if (m == MergeMode.SUM && dir != Direction.BIDIRECTIONAL) {
            throw new ModelFormatException("metadata " + MetadataKeys.MERGE + " = sum needs a bidirectional network,"
                    + " but there is no tensor '" + prefix + IH0 + REV + "' next to '" + prefix + IH0 + "'");
        }
        return m;
    }

    /** True if every bias tensor is present, false if none is (PyTorch bias=False); else an error. */
    private boolean biases(String prefix, RnnWeights weights) throws ModelFormatException {
        String present = null;
        String missing = null;
        int total = 0;
        int count = 0;
        for (String n : weights.names()) {
            if (n.startsWith("bias_")) {
                total++;
                if (f.contains(prefix + n)) {
                    count++;
                    present = present == null ? prefix + n : present;
                } else {
                    missing = missing == null ? prefix + n : missing;
                }
            }
        }
        if (count == 0) {
            return false;
        }
        if (count < total) {
            throw new ModelFormatException("partial biases: missing tensor '" + missing + "', expected shape ["
                    + weights.spec().gateRows() + "] = (G·H), although '" + present + "' exists (" + count + " of "
                    + total + " bias tensors present); a network has bias_ih and bias_hh for every layer and"
                    + " direction, or none at all (PyTorch bias=False)");
        }
        return true;
    }

    /** "an lstm", "a gru", "an rnn_relu": cell ids read letter by letter, except "gru". */
    private static String withArticle(CellType c) {
        return (c == CellType.GRU ? "a " : "an ") + c.id();
    }

    /** The symbolic shape of a parameter with the sizes it stands for, for messages. */
    private static String role(String name, RnnSpec s) {
        String sizes = " with " + s.cell().id() + " G = " + s.cell().gates() + ", H = " + s.hiddenSize() + ", P = "
                + s.stateSize();
        if (name.startsWith("weight_ih_l0")) {
            return "(G·H, I)" + sizes + ", I = " + s.inputSize();
        }
        if (name.startsWith("weight_ih")) {
            return (s.merge() == MergeMode.SUM ? "(G·H, P)" : "(G·H, D·P)") + sizes + ", D = " + s.numDirections();
        }
        if (name.startsWith("weight_hh")) {
            return "(G·H, P)" + sizes;
        }
        if (name.startsWith("weight_hr")) {
            return "(P, H)" + sizes;
        }
        if (name.startsWith("weight_peephole")) {
            return "(3H)" + sizes;
        }
        return "(G·H)" + sizes;
    }
}
