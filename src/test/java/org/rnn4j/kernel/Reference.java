package org.rnn4j.kernel;

/**
 * Naive double-precision reference of every kernel, written from the formulas in the Javadoc of
 * {@link Kernels} (and docs/kernels.md), not from the implementations: plain loops, every input
 * float widened to double, no blocking, no fused operations, {@link Math#exp}/{@link Math#tanh}.
 *
 * <p>Where a test's tolerance needs it, a result also carries its <em>condition magnitude</em>: the
 * same expression evaluated on the absolute values of its inputs with every subtraction turned into
 * an addition (e.g. {@code Σ|x_i·y_i|} for a dot product). A straight-line float program of
 * {@code K} roundings (+, −, ×, fma) that computes the expression differs from the exact value by
 * at most {@code γ_K·cond} with {@code γ_K = K·ε/(1 − K·ε)}; the tests build their bounds on that.
 *
 * <p>Matrices are returned dense and row-major: element (i, j) of an (r, c) result is at
 * {@code i·c + j}.
 */
final class Reference {
    private Reference() {}

    /** A scalar result with its condition magnitude. */
    record Scalar(double value, double cond) {}

    /** Element-wise results with their condition magnitudes. */
    record Vec(double[] value, double[] cond) {}

    /** GEMM / GEMV results: value, Σ|products| and |old-accumulator contribution| per element. */
    record Acc(double[] value, double[] sumAbsProducts, double[] absOld) {}

    // ------------------------------------------------------------------ level 1

    static Scalar dot(int n, float[] x, int xOff, float[] y, int yOff) {
        double s = 0, c = 0;
        for (int i = 0; i < n; i++) {
            double t = (double) x[xOff + i] * (double) y[yOff + i];
            s += t;
            c += Math.abs(t);
        }
        return new Scalar(s, c);
    }

    /** y + alpha·x; cond = |alpha·x| (the product that may be rounded before the add). */
    static Vec axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        double[] v = new double[n], c = new double[n];
        for (int i = 0; i < n; i++) {
            double p = (double) alpha * x[xOff + i];
            v[i] = y[yOff + i] + p;
            c[i] = Math.abs(p);
        }
        return new Vec(v, c);
    }

    static double[] scale(int n, float alpha, float[] x, int xOff) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (double) alpha * x[xOff + i];
        }
        return v;
    }

    static double[] add(int n, float[] a, int aOff, float[] b, int bOff) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (double) a[aOff + i] + (double) b[bOff + i];
        }
        return v;
    }

    static double[] mul(int n, float[] a, int aOff, float[] b, int bOff) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (double) a[aOff + i] * (double) b[bOff + i];
        }
        return v;
    }

    /** y + a·b; cond = |a·b| + |y|. */
    static Vec mulAdd(int n, float[] a, int aOff, float[] b, int bOff, float[] y, int yOff) {
        double[] v = new double[n], c = new double[n];
        for (int i = 0; i < n; i++) {
            double p = (double) a[aOff + i] * (double) b[bOff + i];
            v[i] = y[yOff + i] + p;
            c[i] = Math.abs(p) + Math.abs(y[yOff + i]);
        }
        return new Vec(v, c);
    }

    static Scalar sum(int n, float[] x, int xOff) {
        double s = 0, c = 0;
        for (int i = 0; i < n; i++) {
            s += x[xOff + i];
            c += Math.abs(x[xOff + i]);
        }
        return new Scalar(s, c);
    }

    static Scalar sumSquares(int n, float[] x, int xOff) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            double v = x[xOff + i];
            s += v * v;
        }
        return new Scalar(s, s);
    }

    /** Largest element; NaN if any element is NaN. */
    static double max(int n, float[] x, int xOff) {
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double v = x[xOff + i];
            if (Double.isNaN(v)) {
                return Double.NaN;
            }
            if (v > m) {
                m = v;
            }
        }
        return m;
    }

    /** Index of the first NaN if any, else of the first element equal to the maximum. */
    static int argmax(int n, float[] x, int xOff) {
        for (int i = 0; i < n; i++) {
            if (Float.isNaN(x[xOff + i])) {
                return i;
            }
        }
        double m = max(n, x, xOff);
        for (int i = 0; i < n; i++) {
            if (x[xOff + i] == m) {
                return i;
            }
        }
        throw new AssertionError("no maximum in a non-empty NaN-free vector");
    }

    // ------------------------------------------------------------------ GEMV / GEMM

    /** y + A·x, A (m, n) row-major at aOff with leading dimension lda. */
    static Acc gemv(int m, int n, float[] a, int aOff, int lda, float[] x, int xOff, float[] y, int yOff) {
        double[] v = new double[m], c = new double[m], old = new double[m];
        for (int i = 0; i < m; i++) {
            double s = 0, sa = 0;
            for (int j = 0; j < n; j++) {
                double t = (double) a[aOff + i * lda + j] * (double) x[xOff + j];
                s += t;
                sa += Math.abs(t);
            }
            v[i] = y[yOff + i] + s;
            c[i] = sa;
            old[i] = Math.abs(y[yOff + i]);
        }
        return new Acc(v, c, old);
    }

    /** y + Aᵀ·x, A (m, n) row-major, x of length m, y of length n. */
    static Acc gemvT(int m, int n, float[] a, int aOff, int lda, float[] x, int xOff, float[] y, int yOff) {
        double[] v = new double[n], c = new double[n], old = new double[n];
        for (int j = 0; j < n; j++) {
            double s = 0, sa = 0;
            for (int i = 0; i < m; i++) {
                double t = (double) a[aOff + i * lda + j] * (double) x[xOff + i];
                s += t;
                sa += Math.abs(t);
            }
            v[j] = y[yOff + j] + s;
            c[j] = sa;
            old[j] = Math.abs(y[yOff + j]);
        }
        return new Acc(v, c, old);
    }

    /**
     * {@code alpha·op(A)·op(B) + beta·C}, BLAS semantics: with {@code beta == 0} the old C is not
     * read (a NaN there does not matter).
     */
    static Acc gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                    float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                    float beta, float[] c, int cOff, int ldc) {
        double[] v = new double[m * n], sp = new double[m * n], old = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0, sa = 0;
                for (int p = 0; p < k; p++) {
                    double aip = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double bpj = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    double t = (double) alpha * aip * bpj;
                    s += t;
                    sa += Math.abs(t);
                }
                double bc = beta == 0f ? 0.0 : (double) beta * c[cOff + i * ldc + j];
                v[i * n + j] = s + bc;
                sp[i * n + j] = sa;
                old[i * n + j] = Math.abs(bc);
            }
        }
        return new Acc(v, sp, old);
    }

    // ------------------------------------------------------------------ activations

    static double exp(float x) {
        return Math.exp(x);
    }

    static double sigmoid(float x) {
        return sigmoidD(x);
    }

    static double tanh(float x) {
        return Math.tanh(x);
    }

    static double sigmoidD(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    static double relu(float x) {
        return Float.isNaN(x) ? Double.NaN : Math.max((double) x, 0.0);
    }

    /** dy·y(1−y); cond = |dy|·|y|·(1 + |y|). */
    static Vec sigmoidBackward(int n, float[] y, int yOff, float[] dy, int dyOff) {
        double[] v = new double[n], c = new double[n];
        for (int i = 0; i < n; i++) {
            double s = y[yOff + i], d = dy[dyOff + i];
            v[i] = d * (s * (1 - s));
            c[i] = Math.abs(d) * Math.abs(s) * (1 + Math.abs(s));
        }
        return new Vec(v, c);
    }

    /** dy·(1−y²); cond = |dy|·(1 + y²). */
    static Vec tanhBackward(int n, float[] y, int yOff, float[] dy, int dyOff) {
        double[] v = new double[n], c = new double[n];
        for (int i = 0; i < n; i++) {
            double t = y[yOff + i], d = dy[dyOff + i];
            v[i] = d * (1 - t * t);
            c[i] = Math.abs(d) * (1 + t * t);
        }
        return new Vec(v, c);
    }

    /** y > 0 ? dy : 0, with a NaN y passing dy through (PyTorch threshold_backward, docs/kernels.md). */
    static double[] reluBackward(int n, float[] y, int yOff, float[] dy, int dyOff) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            float t = y[yOff + i];
            v[i] = (t > 0 || Float.isNaN(t)) ? dy[dyOff + i] : 0.0;
        }
        return v;
    }

    /** Row-wise softmax or log-softmax, plus per row the spread max_j − min_j of the row. */
    record Rows(double[] value, double[] rowSpread, double[] logSum, double[] rowMax) {}

    static Rows softmaxRows(int rows, int cols, float[] x, int xOff, int ldx, boolean log) {
        double[] v = new double[rows * cols], spread = new double[rows], logSum = new double[rows];
        double[] rowMax = new double[rows];
        for (int r = 0; r < rows; r++) {
            int xr = xOff + r * ldx;
            double mx = Double.NEGATIVE_INFINITY, mn = Double.POSITIVE_INFINITY;
            boolean nan = false;
            for (int j = 0; j < cols; j++) {
                double t = x[xr + j];
                nan |= Double.isNaN(t);
                mx = Math.max(mx, t);
                mn = Math.min(mn, t);
            }
            double s = 0;
            for (int j = 0; j < cols; j++) {
                s += Math.exp(x[xr + j] - mx);
            }
            for (int j = 0; j < cols; j++) {
                double e = x[xr + j] - mx;
                v[r * cols + j] = nan ? Double.NaN : log ? e - Math.log(s) : Math.exp(e) / s;
            }
            spread[r] = mx - mn;
            logSum[r] = Math.log(s);
            rowMax[r] = mx;
        }
        return new Rows(v, spread, logSum, rowMax);
    }

    // ------------------------------------------------------------------ LSTM

    /** Forward results of one LSTM row: activated gates [i, f, g, o] (4H), c, tanh(c), h. */
    record LstmForward(double[] gates, double[] c, double[] tanhC, double[] h) {}

    static LstmForward lstmForward(int hidden, float[] a, int gOff, float[] cPrev, int cpOff) {
        int H = hidden;
        double[] gates = new double[4 * H], c = new double[H], tc = new double[H], h = new double[H];
        for (int j = 0; j < H; j++) {
            double i = sigmoidD(a[gOff + j]);
            double f = sigmoidD(a[gOff + H + j]);
            double g = Math.tanh(a[gOff + 2 * H + j]);
            double o = sigmoidD(a[gOff + 3 * H + j]);
            gates[j] = i;
            gates[H + j] = f;
            gates[2 * H + j] = g;
            gates[3 * H + j] = o;
            c[j] = f * cPrev[cpOff + j] + i * g;
            tc[j] = Math.tanh(c[j]);
            h[j] = o * tc[j];
        }
        return new LstmForward(gates, c, tc, h);
    }

    /** Backward results of one LSTM row: dGates (4H) and dc_prev (H), each with its condition. */
    record LstmBackward(double[] dGates, double[] dGatesCond, double[] dcPrev, double[] dcPrevCond) {}

    static LstmBackward lstmBackward(int hidden, float[] gates, int gOff, float[] cPrev, int cpOff,
                                     float[] tanhC, int tcOff, float[] dh, int dhOff, float[] dc, int dcOff) {
        int H = hidden;
        double[] dg = new double[4 * H], dgc = new double[4 * H], dcp = new double[H], dcpc = new double[H];
        for (int j = 0; j < H; j++) {
            double i = gates[gOff + j], f = gates[gOff + H + j], g = gates[gOff + 2 * H + j], o = gates[gOff + 3 * H + j];
            double cp = cPrev[cpOff + j], t = tanhC[tcOff + j], d = dh[dhOff + j], dcIn = dc[dcOff + j];
            double ai = Math.abs(i), af = Math.abs(f), ag = Math.abs(g), ao = Math.abs(o);
            // h = o·tanh(c): do = dh·tanh(c); dc = dc_in + dh·o·(1 − tanh²c)
            double dO = d * t, dOc = Math.abs(d * t);
            double dct = dcIn + d * o * (1 - t * t);
            double dctc = Math.abs(dcIn) + Math.abs(d) * ao * (1 + t * t);
            // c = f·c_prev + i·g
            double dI = dct * g, dF = dct * cp, dG = dct * i;
            dcp[j] = dct * f;
            dcpc[j] = dctc * af;
            dg[j] = dI * (i * (1 - i));
            dgc[j] = dctc * ag * ai * (1 + ai);
            dg[H + j] = dF * (f * (1 - f));
            dgc[H + j] = dctc * Math.abs(cp) * af * (1 + af);
            dg[2 * H + j] = dG * (1 - g * g);
            dgc[2 * H + j] = dctc * ai * (1 + g * g);
            dg[3 * H + j] = dO * (o * (1 - o));
            dgc[3 * H + j] = dOc * ao * (1 + ao);
        }
        return new LstmBackward(dg, dgc, dcp, dcpc);
    }

    // ------------------------------------------------------------------ GRU

    /** Forward results of one GRU row: activated gates [r, z, n] (3H), the pre-activations, and h. */
    record GruForward(double[] gates, double[] preAct, double[] h) {}

    static GruForward gruForward(int hidden, float[] gx, int gxOff, float[] gh, int ghOff, float[] hPrev, int hpOff) {
        int H = hidden;
        double[] gates = new double[3 * H], pre = new double[3 * H], h = new double[H];
        for (int j = 0; j < H; j++) {
            double ar = (double) gx[gxOff + j] + gh[ghOff + j];
            double az = (double) gx[gxOff + H + j] + gh[ghOff + H + j];
            double r = sigmoidD(ar);
            double z = sigmoidD(az);
            double an = gx[gxOff + 2 * H + j] + r * gh[ghOff + 2 * H + j];
            double nn = Math.tanh(an);
            gates[j] = r;
            gates[H + j] = z;
            gates[2 * H + j] = nn;
            pre[j] = ar;
            pre[H + j] = az;
            pre[2 * H + j] = an;
            h[j] = (1 - z) * nn + z * hPrev[hpOff + j];
        }
        return new GruForward(gates, pre, h);
    }

    /** Backward results of one GRU row: dGx (3H), dGh (3H), dh_prev (H), each with its condition. */
    record GruBackward(double[] dGx, double[] dGxCond, double[] dGh, double[] dGhCond,
                       double[] dhPrev, double[] dhPrevCond) {}

    static GruBackward gruBackward(int hidden, float[] gates, int gOff, float[] gh, int ghOff,
                                   float[] hPrev, int hpOff, float[] dh, int dhOff) {
        int H = hidden;
        double[] dgx = new double[3 * H], dgxc = new double[3 * H], dgh = new double[3 * H], dghc = new double[3 * H];
        double[] dhp = new double[H], dhpc = new double[H];
        for (int j = 0; j < H; j++) {
            double r = gates[gOff + j], z = gates[gOff + H + j], nn = gates[gOff + 2 * H + j];
            double hn = gh[ghOff + 2 * H + j], hp = hPrev[hpOff + j], d = dh[dhOff + j];
            double ar = Math.abs(r), az = Math.abs(z), an = Math.abs(nn), ad = Math.abs(d);
            // h = (1 − z)·n + z·h_prev
            double dn = d * (1 - z), dnc = ad * (1 + az);
            double dz = d * (hp - nn), dzc = ad * (Math.abs(hp) + an);
            dhp[j] = d * z;
            dhpc[j] = ad * az;
            // n = tanh(x_n + r·h_n)
            double dan = dn * (1 - nn * nn), danc = dnc * (1 + nn * nn);
            double dr = dan * hn, drc = danc * Math.abs(hn);
            double dar = dr * (r * (1 - r)), darc = drc * ar * (1 + ar);
            double daz = dz * (z * (1 - z)), dazc = dzc * az * (1 + az);
            dgx[j] = dar;
            dgxc[j] = darc;
            dgx[H + j] = daz;
            dgxc[H + j] = dazc;
            dgx[2 * H + j] = dan;
            dgxc[2 * H + j] = danc;
            dgh[j] = dar;
            dghc[j] = darc;
            dgh[H + j] = daz;
            dghc[H + j] = dazc;
            dgh[2 * H + j] = dan * r;
            dghc[2 * H + j] = danc * ar;
        }
        return new GruBackward(dgx, dgxc, dgh, dghc, dhp, dhpc);
    }
}
