package org.rnn4j.lm;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.rnn4j.io.AtomicFiles;

/**
 * The loss history of a run as a CSV table and an SVG picture, written without dependencies.
 * Both files are written to a temp file and moved into place, so a reader never sees half a file.
 */
public final class LossCurve {
    private LossCurve() {}

    /**
     * {@code step,epoch,train_loss,val_loss}: one row per optimizer step (mean training loss of its
     * chunk, nats/token); {@code val_loss} is filled on the last step of each finished epoch.
     *
     * @param file destination
     * @param pos the run's history
     * @param chunksPerEpoch optimizer steps per epoch
     * @throws IOException if writing fails
     */
    public static void writeCsv(Path file, Trainer.Position pos, int chunksPerEpoch) throws IOException {
        StringBuilder sb = new StringBuilder("step,epoch,train_loss,val_loss\n");
        for (int s = 0; s < pos.steps; s++) {
            int epoch = s / chunksPerEpoch;
            boolean last = (s + 1) % chunksPerEpoch == 0 && epoch < pos.valLoss.length;
            sb.append(s + 1).append(',').append(epoch + 1).append(',')
                    .append(String.format(Locale.ROOT, "%.6f", pos.stepLoss[s])).append(',')
                    .append(last ? String.format(Locale.ROOT, "%.6f", pos.valLoss[epoch]) : "").append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    /**
     * A line chart: training loss per step (grey, and its running mean over 1 % of the steps in
     * blue), validation loss per epoch (orange dots), the unigram baseline (dashed), axes with
     * ticks. Loss in nats/token.
     *
     * @param file destination
     * @param pos the run's history
     * @param chunksPerEpoch optimizer steps per epoch
     * @param baseline unigram baseline (nats/token), or NaN to omit
     * @param title the title line
     * @throws IOException if writing fails
     */
    public static void writeSvg(Path file, Trainer.Position pos, int chunksPerEpoch, double baseline, String title)
            throws IOException {
        int w = 800;
        int h = 420;
        int left = 60;
        int right = 20;
        int top = 40;
        int bottom = 50;
        int n = Math.max(pos.steps, 1);
        double max = Double.isNaN(baseline) ? 0 : baseline;
        double min = Double.POSITIVE_INFINITY;
        for (int s = 0; s < pos.steps; s++) {
            if (Double.isFinite(pos.stepLoss[s])) {
                max = Math.max(max, pos.stepLoss[s]);
                min = Math.min(min, pos.stepLoss[s]);
            }
        }
        for (double v : pos.valLoss) {
            if (Double.isFinite(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        if (!(min < max)) {
            min = 0;
            max = Math.max(1, max);
        }
        min = Math.max(0, Math.floor(min * 2) / 2);
        max = Math.ceil(max * 2) / 2;
        double plotW = w - left - right;
        double plotH = h - top - bottom;
        final double lo = min;
        final double hi = max;
        java.util.function.DoubleUnaryOperator y = v -> top + plotH * (1 - (v - lo) / (hi - lo));
        java.util.function.DoubleUnaryOperator x = s -> left + plotW * s / n;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"12\">%n", w, h));
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"14\">%s</text>%n", left, escape(title)));
        // axes and ticks
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                left, top, left, h - bottom));
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                left, h - bottom, w - right, h - bottom));
        for (int i = 0; i <= 5; i++) {
            double v = lo + (hi - lo) * i / 5;
            double yy = y.applyAsDouble(v);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    left, yy, w - right, yy));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>%n",
                    left - 5, yy + 4, v));
        }
        for (int i = 0; i <= 5; i++) {
            double s = (double) n * i / 5;
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n",
                    x.applyAsDouble(s), h - bottom + 18, Math.round(s)));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">optimizer step</text>%n",
                left + plotW / 2, h - 10));
        sb.append(String.format(Locale.ROOT, "<text x=\"15\" y=\"%.1f\" transform=\"rotate(-90 15 %.1f)\""
                + " text-anchor=\"middle\">loss (nats/token)</text>%n", top + plotH / 2, top + plotH / 2));
        if (!Double.isNaN(baseline)) {
            double yy = y.applyAsDouble(baseline);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"black\""
                    + " stroke-dasharray=\"6 4\"/>%n", left, yy, w - right, yy));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">unigram baseline"
                    + " %.3f</text>%n", w - right, yy - 5, baseline));
        }
        sb.append(polyline(pos, x, y, 1, "#bbb"));
        sb.append(polyline(pos, x, y, Math.max(1, pos.steps / 100), "#1f77b4"));
        for (int e = 0; e < pos.valLoss.length; e++) {
            sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#ff7f0e\"/>%n",
                    x.applyAsDouble((double) (e + 1) * chunksPerEpoch), y.applyAsDouble(pos.valLoss[e])));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#1f77b4\">training (running mean)</text>%n",
                left + 10, top + 15));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#ff7f0e\">validation, per epoch</text>%n",
                left + 10, top + 30));
        sb.append("</svg>\n");
        AtomicFiles.writeString(file, sb.toString());
    }

    private static String polyline(Trainer.Position pos, java.util.function.DoubleUnaryOperator x,
                                   java.util.function.DoubleUnaryOperator y, int window, String colour) {
        StringBuilder sb = new StringBuilder("<polyline fill=\"none\" stroke=\"" + colour + "\" points=\"");
        double sum = 0;
        for (int s = 0; s < pos.steps; s++) {
            sum += pos.stepLoss[s];
            if (s >= window) {
                sum -= pos.stepLoss[s - window];
            }
            double mean = sum / Math.min(s + 1, window);
            if (Double.isFinite(mean)) {
                sb.append(String.format(Locale.ROOT, "%.1f,%.1f ", x.applyAsDouble(s + 1), y.applyAsDouble(mean)));
            }
        }
        return sb.append("\"/>\n").toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

}
