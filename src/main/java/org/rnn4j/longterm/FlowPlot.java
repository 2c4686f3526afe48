package org.rnn4j.longterm;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * An SVG line chart of gradient norms against the distance to the loss, with a logarithmic y axis,
 * written without dependencies: the picture of {@link GradientFlow}.
 */
public final class FlowPlot {
    private FlowPlot() {}

    /**
     * One line of the chart.
     *
     * @param label the legend text, e.g. {@code "lstm"}
     * @param colour an SVG colour, e.g. {@code "#2ca02c"}
     * @param dashed draw dashed (e.g. at initialization) rather than solid
     * @param values entry d is the value at distance d, d = 0 … maxDistance; points that are not
     *               finite and positive are left out (the line is broken there)
     */
    public record Series(String label, String colour, boolean dashed, double[] values) {}

    /**
     * The chart as an SVG document: x the distance 1 … maxDistance (linear), y the value on a
     * log₁₀ scale spanning whole decades around the finite positive values, one polyline per series,
     * a legend with one entry per distinct label (its colour) and a line saying what dashed and solid
     * mean.
     *
     * @param title the title line
     * @param maxDistance the largest distance, {@code >= 1}
     * @param series the lines; each {@code values} has at least maxDistance + 1 entries
     * @param dashedMeaning legend text of the dashed lines, e.g. "dashed: at initialization"
     * @param solidMeaning legend text of the solid lines
     * @return the SVG text
     */
    public static String svg(String title, int maxDistance, List<Series> series, String dashedMeaning,
                             String solidMeaning) {
        if (maxDistance < 1) {
            throw new IllegalArgumentException("maxDistance must be >= 1, got " + maxDistance);
        }
        int w = 940;
        int h = 480;
        int left = 70;
        int right = 230;
        int top = 40;
        int bottom = 50;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            if (s.values().length < maxDistance + 1) {
                throw new IllegalArgumentException("series " + s.label() + " has " + s.values().length
                        + " values, needs " + (maxDistance + 1));
            }
            for (int d = 1; d <= maxDistance; d++) {
                double v = s.values()[d];
                if (v > 0 && Double.isFinite(v)) {
                    lo = Math.min(lo, Math.log10(v));
                    hi = Math.max(hi, Math.log10(v));
                }
            }
        }
        if (!(lo <= hi)) {
            lo = -1;
            hi = 1;
        }
        int decLo = (int) Math.floor(lo);
        int decHi = (int) Math.ceil(hi);
        if (decHi == decLo) {
            decHi++;
        }
        int decades = decHi - decLo;
        int tickEvery = Math.max(1, (int) Math.ceil(decades / 10.0));
        double plotW = w - left - right;
        double plotH = h - top - bottom;
        final double yLo = decLo;
        final double ySpan = decades;
        java.util.function.DoubleUnaryOperator y = lg -> top + plotH * (1 - (lg - yLo) / ySpan);
        java.util.function.DoubleUnaryOperator x = d -> left + plotW * (d - 1) / Math.max(1, maxDistance - 1);

        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"12\">%n", w, h));
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"14\">%s</text>%n", left,
                escape(title)));
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                left, top, left, h - bottom));
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                left, h - bottom, w - right, h - bottom));
        for (int k = decLo; k <= decHi; k += tickEvery) {
            double yy = y.applyAsDouble(k);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    left, yy, w - right, yy));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">1e%d</text>%n",
                    left - 5, yy + 4, k));
        }
        for (int d : xTicks(maxDistance)) {
            double xx = x.applyAsDouble(d);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>%n",
                    xx, h - bottom, xx, h - bottom + 5));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n",
                    xx, h - bottom + 18, d));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">distance to the loss"
                + " (steps)</text>%n", left + plotW / 2, h - 12));
        sb.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%.1f\" transform=\"rotate(-90 16 %.1f)\""
                + " text-anchor=\"middle\">mean ‖∂L/∂h_t‖ (log scale)</text>%n", top + plotH / 2, top + plotH / 2));
        for (Series s : series) {
            sb.append(polylines(s, maxDistance, x, y));
        }
        // legend
        int ly = top + 10;
        java.util.List<String> seen = new java.util.ArrayList<>();
        for (Series s : series) {
            if (seen.contains(s.label())) {
                continue;
            }
            seen.add(s.label());
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\""
                    + " stroke-width=\"2\"/>%n", w - right + 15, ly, w - right + 40, ly, s.colour()));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", w - right + 46, ly + 4,
                    escape(s.label())));
            ly += 18;
        }
        ly += 8;
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\""
                + " stroke-dasharray=\"5 4\"/>%n", w - right + 15, ly, w - right + 40, ly));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>%n", w - right + 46,
                ly + 4, escape(dashedMeaning)));
        ly += 18;
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                w - right + 15, ly, w - right + 40, ly));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>%n", w - right + 46,
                ly + 4, escape(solidMeaning)));
        sb.append("</svg>\n");
        return sb.toString();
    }

    /**
     * Writes {@link #svg} to a file atomically (a temp file moved into place).
     *
     * @param file the destination; its directory must exist
     * @param content the text
     * @throws IOException if writing fails
     */
    public static void write(Path file, String content) throws IOException {
        org.rnn4j.io.AtomicFiles.writeString(file, content);
    }

    /** Polylines of the finite positive runs of a series. */
    private static String polylines(Series s, int maxDistance, java.util.function.DoubleUnaryOperator x,
                                    java.util.function.DoubleUnaryOperator y) {
        StringBuilder sb = new StringBuilder();
        StringBuilder pts = new StringBuilder();
        int count = 0;
        for (int d = 1; d <= maxDistance + 1; d++) {
            double v = d <= maxDistance ? s.values()[d] : Double.NaN;
            if (v > 0 && Double.isFinite(v)) {
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x.applyAsDouble(d), y.applyAsDouble(Math.log10(v))));
                count++;
            } else if (count > 0) {
                sb.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%s\"%s"
                        + " points=\"%s\"/>%n", s.colour(), s.dashed() ? "1.5" : "2",
                        s.dashed() ? " stroke-dasharray=\"5 4\"" : "", pts.toString().strip()));
                pts.setLength(0);
                count = 0;
            }
        }
        return sb.toString();
    }

    /** About 6 round tick positions in [1, maxDistance], always including 1 and maxDistance. */
    static int[] xTicks(int maxDistance) {
        double raw = maxDistance / 6.0;
        double mag = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1))));
        double step = raw / mag < 2 ? 2 * mag : raw / mag < 5 ? 5 * mag : 10 * mag;
        if (step < 1) {
            step = 1;
        }
        java.util.TreeSet<Integer> t = new java.util.TreeSet<>();
        t.add(1);
        for (double v = step; v < maxDistance; v += step) {
            t.add((int) Math.round(v));
        }
        t.add(maxDistance);
        // drop a tick too close to the last one
        Integer below = t.lower(maxDistance);
        if (below != null && below != 1 && maxDistance - below < step / 2) {
            t.remove(below);
        }
        return t.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
