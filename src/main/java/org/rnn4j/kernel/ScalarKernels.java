package org.rnn4j.kernel;

/**
 * Plain-Java twin of every kernel: the reference the SIMD path is tested against and the path used
 * when the Vector API is not available. Written for clarity first and cache-friendly loop order
 * second; HotSpot may auto-vectorize some of its element-wise loops, which is fine.
 */
final class ScalarKernels extends Kernels {
    static final ScalarKernels INSTANCE = new ScalarKernels();

    private ScalarKernels() {}

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    float dot0(int n, float[] x, int xOff, float[] y, int yOff) {
        double total = 0;
        for (int b = 0; b < n; b += BLOCK) {
            int end = Math.min(n, b + BLOCK);
            float s = 0f;
            for (int i = b; i < end; i++) {
                s += x[xOff + i] * y[yOff + i];
            }
            total += s;
        }
        return (float) total;
    }

    @Override
    void axpy0(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    @Override
    void scale0(int n, float alpha, float[] x, int xOff) {
        for (int i = 0; i < n; i++) {
            x[xOff + i] *= alpha;
        }
    }

    @Override
    void add0(int n, float[] a, int aOff, float[] b, int bOff, float[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = a[aOff + i] + b[bOff + i];
        }
    }

    @Override
    void mul0(int n, float[] a, int aOff, float[] b, int bOff, float[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = a[aOff + i] * b[bOff + i];
        }
    }

    @Override
    void mulAdd0(int n, float[] a, int aOff, float[] b, int bOff, float[] y, int yOff) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = Math.fma(a[aOff + i], b[bOff + i], y[yOff + i]);
        }
    }

    @Override
    double sum0(int n, float[] x, int xOff) {
        double total = 0;
        for (int b = 0; b < n; b += BLOCK) {
            int end = Math.min(n, b + BLOCK);
            float s = 0f;
            for (int i = b; i < end; i++) {
                s += x[xOff + i];
            }
            total += s;
        }
        return total;
    }

    @Override
    double sumSquares0(int n, float[] x, int xOff) {
        double total = 0;
        for (int b = 0; b < n; b += BLOCK) {
            int end = Math.min(n, b + BLOCK);
            float s = 0f;
            for (int i = b; i < end; i++) {
                float v = x[xOff + i];
                s += v * v;
            }
            total += s;
        }
        return total;
    }

    @Override
    float max0(int n, float[] x, int xOff) {
        float m = x[xOff];
        for (int i = 1; i < n; i++) {
            m = Math.max(m, x[xOff + i]);
        }
        return m;
    }

    @Override
    int argmax0(int n, float[] x, int xOff) {
        int best = 0;
        float m = x[xOff];
        if (m != m) {
            return 0;
        }
        for (int i = 1; i < n; i++) {
            float v = x[xOff + i];
            if (v != v) {
                return i;
            }
            if (v > m) {
                m = v;
                best = i;
            }
        }
        return best;
    }

    @Override
    void multAddVec0(int m, int n, float[] a, int aOff, int lda, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < m; i++) {
            y[yOff + i] += dot0(n, a, aOff + i * lda, x, xOff);
        }
    }

    /** The scalar twin's "packing" is op(B) as a (k, n) row-major copy. */
    @Override
    float[] packGemmB0(boolean transB, int k, int n, float[] b, int bOff, int ldb, float[] dst) {
        float[] d = dst != null ? dst : new float[k * n];
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < n; j++) {
                d[p * n + j] = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
            }
        }
        return d;
    }

    @Override
    void multAddPacked0(int m, int n, int k, float alpha, float[] a, int aOff, int lda, float[] pb,
                        float[] c, int cOff, int ldc, int j0, int j1) {
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                axpy0(j1 - j0, alpha * a[aOff + i * lda + p], pb, p * n + j0, c, cOff + i * ldc + j0);
            }
        }
    }

    @Override
    void multAddVecBf16_0(int m, int n, int[] a, int aOff, float[] x, int xOff, float[] y, int yOff) {
        int stride = Bf16.rowInts(n);
        for (int i = 0; i < m; i++) {
            int row = aOff + i * stride;
            float s = 0f;
            for (int j = 0; j < n; j++) {
                int word = a[row + (j / Bf16.BLOCK_COLUMNS) * Bf16.BLOCK_INTS + (j % Bf16.BLOCK_INTS)];
                int half = (j % Bf16.BLOCK_COLUMNS) < Bf16.BLOCK_INTS ? word << 16 : word & 0xFFFF0000;
                s = Math.fma(Float.intBitsToFloat(half), x[xOff + j], s);
            }
            y[yOff + i] += s;
        }
    }

    @Override
    void multAddTransVec0(int m, int n, float[] a, int aOff, int lda, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < m; i++) {
            axpy0(n, x[xOff + i], a, aOff + i * lda, y, yOff);
        }
    }

    @Override
    void gemm0(boolean transA, boolean transB, int m, int n, int k, float alpha,
               float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
               float beta, float[] c, int cOff, int ldc, int mTotal) {
        GemmDriver.applyBeta(m, n, beta, c, cOff, ldc);
        if (k == 0 || alpha == 0f) {
            return;
        }
        if (transB) {
            // C[i,j] += alpha · Σ_p op(A)[i,p]·B[j,p]: both operands run along p contiguously when A is
            // not transposed, so this is a row-by-row dot form.
            for (int i = 0; i < m; i++) {
                int cRow = cOff + i * ldc;
                for (int j = 0; j < n; j++) {
                    int bRow = bOff + j * ldb;
                    float s = 0f;
                    for (int p = 0; p < k; p++) {
                        float aip = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                        s += aip * b[bRow + p];
                    }
                    c[cRow + j] += alpha * s;
                }
            }
            return;
        }
        // i-p-j order: the innermost loop is an axpy over a row of B into a row of C.
        for (int i = 0; i < m; i++) {
            int cRow = cOff + i * ldc;
            for (int p = 0; p < k; p++) {
                float aip = alpha * (transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p]);
                int bRow = bOff + p * ldb;
                for (int j = 0; j < n; j++) {
                    c[cRow + j] += aip * b[bRow + j];
                }
            }
        }
    }

    @Override
    void exp0(int n, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = FloatMath.exp(x[xOff + i]);
        }
    }

    @Override
    void sigmoid0(int n, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = FloatMath.sigmoid(x[xOff + i]);
        }
    }

    @Override
    void tanh0(int n, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = FloatMath.tanh(x[xOff + i]);
        }
    }

    @Override
    void relu0(int n, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = Math.max(x[xOff + i], 0f);
        }
    }

    @Override
    void sigmoidBackward0(int n, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        for (int i = 0; i < n; i++) {
            float s = y[yOff + i];
            dx[dxOff + i] = dy[dyOff + i] * (s * (1f - s));
        }
    }

    @Override
    void tanhBackward0(int n, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        for (int i = 0; i < n; i++) {
            float t = y[yOff + i];
            dx[dxOff + i] = dy[dyOff + i] * Math.fma(-t, t, 1f);
        }
    }

    @Override
    void reluBackward0(int n, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        for (int i = 0; i < n; i++) {
            // As PyTorch's threshold_backward: zero where the output is <= 0, so NaN passes the gradient.
            dx[dxOff + i] = y[yOff + i] <= 0f ? 0f : dy[dyOff + i];
        }
    }

    @Override
    void softmaxRows0(int rows, int cols, float[] x, int xOff, int ldx, float[] y, int yOff, int ldy, boolean log) {
        for (int r = 0; r < rows; r++) {
            int xr = xOff + r * ldx;
            int yr = yOff + r * ldy;
            float mx = max0(cols, x, xr);
            // y = exp(x − max); the shift makes every exponent ≤ 0, so nothing overflows.
            float s = 0f;
            for (int j = 0; j < cols; j++) {
                float e = FloatMath.exp(x[xr + j] - mx);
                s += e;
                if (!log) {
                    y[yr + j] = e;
                }
            }
            if (log) {
                // (x − max) − ln s, not x − (max + ln s): the latter loses ln s next to a large max.
                float logS = (float) Math.log(s);
                for (int j = 0; j < cols; j++) {
                    y[yr + j] = (x[xr + j] - mx) - logS;
                }
            } else {
                float inv = 1f / s;
                for (int j = 0; j < cols; j++) {
                    y[yr + j] *= inv;
                }
            }
        }
    }

    @Override
    void lstmCellForward0(int hidden, float[] gates, int gOff, float[] cPrev, int cpOff,
                          float[] c, int cOff, float[] tanhC, int tcOff, float[] h, int hOff) {
        int iOff = gOff, fOff = gOff + hidden, gg = gOff + 2 * hidden, oOff = gOff + 3 * hidden;
        for (int j = 0; j < hidden; j++) {
            // i = σ(a_i)  f = σ(a_f)  g = tanh(a_g)  o = σ(a_o)
            float i = FloatMath.sigmoid(gates[iOff + j]);
            float f = FloatMath.sigmoid(gates[fOff + j]);
            float g = FloatMath.tanh(gates[gg + j]);
            float o = FloatMath.sigmoid(gates[oOff + j]);
            gates[iOff + j] = i;
            gates[fOff + j] = f;
            gates[gg + j] = g;
            gates[oOff + j] = o;
            // c = f⊙c_prev + i⊙g ;  h = o⊙tanh(c)
            float ct = Math.fma(f, cPrev[cpOff + j], i * g);
            float tc = FloatMath.tanh(ct);
            c[cOff + j] = ct;
            tanhC[tcOff + j] = tc;
            h[hOff + j] = o * tc;
        }
    }

    @Override
    void lstmCellBackward0(int hidden, float[] gates, int gOff, float[] cPrev, int cpOff,
                           float[] tanhC, int tcOff, float[] dh, int dhOff, float[] dc, int dcOff,
                           float[] dGates, int dgOff) {
        lstmBackward(hidden, 0, gates, gOff, cPrev, cpOff, tanhC, tcOff, dh, dhOff, dc, dcOff, dGates, dgOff);
    }

    /** Scalar LSTM backward for units {@code j0 .. hidden) of one row; also the SIMD path's tail. */
    static void lstmBackward(int hidden, int j0, float[] gates, int gOff, float[] cPrev, int cpOff,
                             float[] tanhC, int tcOff, float[] dh, int dhOff, float[] dc, int dcOff,
                             float[] dGates, int dgOff) {
        int iOff = gOff, fOff = gOff + hidden, gg = gOff + 2 * hidden, oOff = gOff + 3 * hidden;
        for (int j = j0; j < hidden; j++) {
            float i = gates[iOff + j], f = gates[fOff + j], g = gates[gg + j], o = gates[oOff + j];
            float tc = tanhC[tcOff + j];
            float dhj = dh[dhOff + j];
            // h = o⊙tanh(c):  do = dh⊙tanh(c);  dc += dh⊙o⊙(1 − tanh²c)
            float dO = dhj * tc;
            float dct = Math.fma(dhj * o, Math.fma(-tc, tc, 1f), dc[dcOff + j]);
            // c = f⊙c_prev + i⊙g:  di = dc⊙g, df = dc⊙c_prev, dg = dc⊙i, dc_prev = dc⊙f
            float dI = dct * g;
            float dF = dct * cPrev[cpOff + j];
            float dG = dct * i;
            dc[dcOff + j] = dct * f;
            // σ' = s(1 − s), tanh' = 1 − g²
            dGates[dgOff + j] = dI * (i * (1f - i));
            dGates[dgOff + hidden + j] = dF * (f * (1f - f));
            dGates[dgOff + 2 * hidden + j] = dG * Math.fma(-g, g, 1f);
            dGates[dgOff + 3 * hidden + j] = dO * (o * (1f - o));
        }
    }

    @Override
    void gruCellForward0(int hidden, float[] gx, int gxOff, float[] gh, int ghOff,
                         float[] hPrev, int hpOff, float[] h, int hOff) {
        for (int j = 0; j < hidden; j++) {
            // r = σ(x_r + h_r)  z = σ(x_z + h_z)  n = tanh(x_n + r⊙h_n)  h = (1−z)⊙n + z⊙h_prev
            float r = FloatMath.sigmoid(gx[gxOff + j] + gh[ghOff + j]);
            float z = FloatMath.sigmoid(gx[gxOff + hidden + j] + gh[ghOff + hidden + j]);
            float nn = FloatMath.tanh(Math.fma(r, gh[ghOff + 2 * hidden + j], gx[gxOff + 2 * hidden + j]));
            gx[gxOff + j] = r;
            gx[gxOff + hidden + j] = z;
            gx[gxOff + 2 * hidden + j] = nn;
            // (1−z)⊙n + z⊙h_prev = n + z⊙(h_prev − n)
            h[hOff + j] = Math.fma(z, hPrev[hpOff + j] - nn, nn);
        }
    }

    @Override
    void gruCellBackward0(int hidden, float[] gates, int gOff, float[] gh, int ghOff,
                          float[] hPrev, int hpOff, float[] dh, int dhOff,
                          float[] dGx, int dgxOff, float[] dGh, int dghOff, float[] dhPrev, int dhpOff) {
        gruBackward(hidden, 0, gates, gOff, gh, ghOff, hPrev, hpOff, dh, dhOff, dGx, dgxOff, dGh, dghOff, dhPrev, dhpOff);
    }

    /** Scalar GRU backward for units {@code j0 .. hidden) of one row; also the SIMD path's tail. */
    static void gruBackward(int hidden, int j0, float[] gates, int gOff, float[] gh, int ghOff,
                            float[] hPrev, int hpOff, float[] dh, int dhOff,
                            float[] dGx, int dgxOff, float[] dGh, int dghOff, float[] dhPrev, int dhpOff) {
        for (int j = j0; j < hidden; j++) {
            float r = gates[gOff + j], z = gates[gOff + hidden + j], nn = gates[gOff + 2 * hidden + j];
            float hn = gh[ghOff + 2 * hidden + j];
            float dhj = dh[dhOff + j];
            // h = (1−z)⊙n + z⊙h_prev:  dn = dh⊙(1−z), dz = dh⊙(h_prev − n), dh_prev = dh⊙z
            float dn = dhj * (1f - z);
            float dz = dhj * (hPrev[hpOff + j] - nn);
            dhPrev[dhpOff + j] = dhj * z;
            // n = tanh(x_n + r⊙h_n):  da_n = dn⊙(1 − n²), dr = da_n⊙h_n, d(h_n) = da_n⊙r
            float dan = dn * Math.fma(-nn, nn, 1f);
            float dr = dan * hn;
            float dar = dr * (r * (1f - r));
            float daz = dz * (z * (1f - z));
            dGx[dgxOff + j] = dar;
            dGx[dgxOff + hidden + j] = daz;
            dGx[dgxOff + 2 * hidden + j] = dan;
            dGh[dghOff + j] = dar;
            dGh[dghOff + hidden + j] = daz;
            dGh[dghOff + 2 * hidden + j] = dan * r;
        }
    }

    @Override
    void lstmPeepholeCellForward0(int hidden, float[] gates, int gOff, float[] peep, int pOff,
                                  float[] cPrev, int cpOff, float[] c, int cOff, float[] tanhC, int tcOff,
                                  float[] h, int hOff) {
        int iOff = gOff, fOff = gOff + hidden, gg = gOff + 2 * hidden, oOff = gOff + 3 * hidden;
        for (int j = 0; j < hidden; j++) {
            float cp = cPrev[cpOff + j];
            // i = σ(a_i + p_i⊙c_prev)  f = σ(a_f + p_f⊙c_prev)  g = tanh(a_g)
            float i = FloatMath.sigmoid(Math.fma(peep[pOff + j], cp, gates[iOff + j]));
            float f = FloatMath.sigmoid(Math.fma(peep[pOff + hidden + j], cp, gates[fOff + j]));
            float g = FloatMath.tanh(gates[gg + j]);
            // c = f⊙c_prev + i⊙g ;  o = σ(a_o + p_o⊙c) ;  h = o⊙tanh(c)
            float ct = Math.fma(f, cp, i * g);
            float tc = FloatMath.tanh(ct);
            float o = FloatMath.sigmoid(Math.fma(peep[pOff + 2 * hidden + j], ct, gates[oOff + j]));
            gates[iOff + j] = i;
            gates[fOff + j] = f;
            gates[gg + j] = g;
            gates[oOff + j] = o;
            c[cOff + j] = ct;
            tanhC[tcOff + j] = tc;
            h[hOff + j] = o * tc;
        }
    }

    @Override
    void lstmPeepholeCellBackward0(int hidden, float[] gates, int gOff, float[] peep, int pOff,
                                   float[] cPrev, int cpOff, float[] tanhC, int tcOff, float[] dh, int dhOff,
                                   float[] dc, int dcOff, float[] dGates, int dgOff) {
        lstmPeepholeBackward(hidden, 0, gates, gOff, peep, pOff, cPrev, cpOff, tanhC, tcOff, dh, dhOff, dc, dcOff,
                dGates, dgOff);
    }

    /** Scalar peephole LSTM backward for units {@code j0 .. hidden) of one row; also the SIMD path's tail. */
    static void lstmPeepholeBackward(int hidden, int j0, float[] gates, int gOff, float[] peep, int pOff,
                                     float[] cPrev, int cpOff, float[] tanhC, int tcOff, float[] dh, int dhOff,
                                     float[] dc, int dcOff, float[] dGates, int dgOff) {
        for (int j = j0; j < hidden; j++) {
            // o = σ(a_o + p_o⊙c):  da_o = dh⊙tanh(c)⊙o(1 − o),  dc += p_o⊙da_o
            float o = gates[gOff + 3 * hidden + j];
            float daO = (dh[dhOff + j] * tanhC[tcOff + j]) * (o * (1f - o));
            dc[dcOff + j] = Math.fma(peep[pOff + 2 * hidden + j], daO, dc[dcOff + j]);
        }
        lstmBackward(hidden, j0, gates, gOff, cPrev, cpOff, tanhC, tcOff, dh, dhOff, dc, dcOff, dGates, dgOff);
        for (int j = j0; j < hidden; j++) {
            // a_i, a_f += p_{i,f}⊙c_prev:  dc_prev += p_i⊙da_i + p_f⊙da_f
            float d = Math.fma(peep[pOff + j], dGates[dgOff + j], dc[dcOff + j]);
            dc[dcOff + j] = Math.fma(peep[pOff + hidden + j], dGates[dgOff + hidden + j], d);
        }
    }

    @Override
    void gruResetGateForward0(int hidden, float[] gates, int gOff, float[] hPrev, int hpOff, float[] rh, int rhOff) {
        for (int j = 0; j < hidden; j++) {
            // r = σ(a_r)  z = σ(a_z)  rh = r⊙h_prev
            float r = FloatMath.sigmoid(gates[gOff + j]);
            gates[gOff + j] = r;
            gates[gOff + hidden + j] = FloatMath.sigmoid(gates[gOff + hidden + j]);
            rh[rhOff + j] = r * hPrev[hpOff + j];
        }
    }

    @Override
    void gruResetBeforeCellForward0(int hidden, float[] gx, int gxOff, float[] gh, int ghOff,
                                    float[] hPrev, int hpOff, float[] h, int hOff) {
        int zOff = gxOff + hidden, nOff = gxOff + 2 * hidden, hnOff = ghOff + 2 * hidden;
        for (int j = 0; j < hidden; j++) {
            // n = tanh(x_n + h_n) ;  h = n + z⊙(h_prev − n), product and sum rounded apart
            float nn = FloatMath.tanh(gx[nOff + j] + gh[hnOff + j]);
            gx[nOff + j] = nn;
            h[hOff + j] = gx[zOff + j] * (hPrev[hpOff + j] - nn) + nn;
        }
    }

    @Override
    void gruResetBeforeCellBackward0(int hidden, float[] gates, int gOff, float[] hPrev, int hpOff,
                                     float[] dh, int dhOff, float[] dGates, int dgOff, float[] dhPrev, int dhpOff) {
        gruResetBeforeBackward(hidden, 0, gates, gOff, hPrev, hpOff, dh, dhOff, dGates, dgOff, dhPrev, dhpOff);
    }

    /** Scalar {@link #gruResetBeforeCellBackward0} for units {@code j0 .. hidden); also the SIMD path's tail. */
    static void gruResetBeforeBackward(int hidden, int j0, float[] gates, int gOff, float[] hPrev, int hpOff,
                                       float[] dh, int dhOff, float[] dGates, int dgOff, float[] dhPrev, int dhpOff) {
        for (int j = j0; j < hidden; j++) {
            float z = gates[gOff + hidden + j], nn = gates[gOff + 2 * hidden + j];
            float dhj = dh[dhOff + j];
            // h = n + z⊙(h_prev − n):  dn = dh⊙(1 − z), dz = dh⊙(h_prev − n), dh_prev = dh⊙z
            float dn = dhj * (1f - z);
            float dz = dhj * (hPrev[hpOff + j] - nn);
            dhPrev[dhpOff + j] = dhj * z;
            // n = tanh(·): da_n = dn⊙(1 − n²) ;  z = σ(·): da_z = dz⊙z(1 − z)
            dGates[dgOff + hidden + j] = dz * (z * (1f - z));
            dGates[dgOff + 2 * hidden + j] = dn * Math.fma(-nn, nn, 1f);
        }
    }

    @Override
    void gruResetGateBackward0(int hidden, float[] gates, int gOff, float[] hPrev, int hpOff,
                               float[] drh, int drhOff, float[] dGates, int dgOff, float[] dhPrev, int dhpOff) {
        gruResetGateBackward(hidden, 0, gates, gOff, hPrev, hpOff, drh, drhOff, dGates, dgOff, dhPrev, dhpOff);
    }

    /** Scalar {@link #gruResetGateBackward0} for units {@code j0 .. hidden); also the SIMD path's tail. */
    static void gruResetGateBackward(int hidden, int j0, float[] gates, int gOff, float[] hPrev, int hpOff,
                                     float[] drh, int drhOff, float[] dGates, int dgOff, float[] dhPrev, int dhpOff) {
        for (int j = j0; j < hidden; j++) {
            // rh = r⊙h_prev, r = σ(a_r):  da_r = drh⊙h_prev⊙r(1 − r),  dh_prev += drh⊙r
            float r = gates[gOff + j], d = drh[drhOff + j];
            dGates[dgOff + j] = (d * hPrev[hpOff + j]) * (r * (1f - r));
            dhPrev[dhpOff + j] = Math.fma(d, r, dhPrev[dhpOff + j]);
        }
    }
}
