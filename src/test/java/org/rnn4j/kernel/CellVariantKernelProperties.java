package org.rnn4j.kernel;

import static org.rnn4j.kernel.KernelProperties.EPS;
import static org.rnn4j.kernel.KernelProperties.gamma;
import static org.rnn4j.kernel.KernelProperties.impls;
import static org.rnn4j.kernel.KernelProperties.near;
import static org.rnn4j.kernel.KernelProperties.onlyRangeWritten;
import static org.rnn4j.kernel.KernelProperties.twinActivationsBitwise;
import static org.rnn4j.kernel.KernelProperties.twinBitwise;
import static org.rnn4j.kernel.KernelProperties.unchanged;

import java.util.Arrays;
import java.util.function.IntFunction;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.rnn4j.kernel.KernelProperties.Dist;
import org.rnn4j.kernel.KernelProperties.Gen;

/**
 * Properties of the fused kernels of the two cell variants beside the plain LSTM and GRU: the
 * peephole LSTM and the GRU with the reset gate before the recurrent matmul, plus
 * {@link Kernels#broadcastRows}. Same method as {@link KernelProperties} (whose generators,
 * assertions and tolerance conventions these reuse): each implementation against a double-precision
 * reference written here from the equations, with a bound derived from the operation count next to
 * each property, the NaN sentinels around every range, and the two implementations bitwise against
 * each other.
 */
class CellVariantKernelProperties {

    static final double AS = Tolerances.SIGMOID_MAX_ABS;
    static final double AT = Tolerances.TANH_MAX_ABS;

    @Provide
    Arbitrary<Integer> size() {
        return new KernelProperties().size();
    }

    @Provide
    Arbitrary<Integer> offset() {
        return Arbitraries.integers().between(0, 9);
    }

    @Provide
    Arbitrary<Boolean> inPlace() {
        return Arbitraries.of(false, false, true);
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    // ================================================================== peephole LSTM

    /*
     * Per unit, in double: a'_i = a_i + p_i·c_prev, a'_f likewise; i = σ(a'_i), f = σ(a'_f),
     * g = tanh(a_g); c = f·c_prev + i·g; a'_o = a_o + p_o·c; o = σ(a'_o); h = o·tanh(c).
     * Bounds (σ' ≤ 1/4, tanh 1-Lipschitz, computed i, f, o ∈ [0, 1] and g, tanh c ∈ [−1, 1]):
     *   i: the fma rounds a'_i by ε|a'_i|:  tol_i = Aσ + ε|a'_i|/4; f likewise; g: At.
     *   c = fma(f, c_prev, i·g): tol_f·|c_prev| + tol_i·(|g| + At) + At·|i| from the gates, and
     *       ε|i·g| + ε|c| ≤ ε(|c_prev| + 2) from the two roundings.
     *   tanh c: tol_tc = tol_c + At.
     *   o: the argument's error is |p_o|·tol_c plus the fma's ε|a'_o|: tol_o = Aσ + (|p_o|·tol_c + ε|a'_o|)/4.
     *   h = o·tanh c: tol_h = tol_o·|tanh c| + tol_tc·(|o| + tol_o) + ε.
     * A peephole on the wrong gate or the wrong c changes an output by far more. Twins bitwise.
     */
    @Property(tries = 500)
    void lstmPeepholeCellForward(@ForAll("size") int hidden, @ForAll("offset") int gOff, @ForAll("offset") int pOff,
                                 @ForAll("offset") int cpOff, @ForAll("offset") int cOff, @ForAll("offset") int tcOff,
                                 @ForAll("offset") int hOff, @ForAll("inPlace") boolean inPlace, @ForAll long seed) {
        int H = hidden;
        Gen g = new Gen(seed);
        float[] gates = g.vec(Dist.ACT, gOff, 4 * H), peep = g.vec(Dist.ACT, pOff, 3 * H);
        float[] cPrev = g.vec(Dist.ACT, cpOff, H);
        float[] c = g.vec(Dist.WIDE, cOff, H), tanhC = g.vec(Dist.WIDE, tcOff, H), h = g.vec(Dist.WIDE, hOff, H);
        int cO = inPlace ? cpOff : cOff;
        float[][][] out = new float[2][][];
        for (int t = 0; t < impls().size(); t++) {
            Kernels k = impls().get(t);
            float[] gc = gates.clone(), pc = peep.clone(), cpc = cPrev.clone(), cc = inPlace ? cpc : c.clone();
            float[] tcc = tanhC.clone(), hc = h.clone();
            k.lstmPeepholeCellForward(H, gc, gOff, pc, pOff, cpc, cpOff, cc, cO, tcc, tcOff, hc, hOff);
            String op = k.name() + " lstmPeepholeCellForward H=" + H + (inPlace ? " c=cPrev" : "");
            for (int j = 0; j < H; j++) {
                double cp = cPrev[cpOff + j];
                double pi = peep[pOff + j], pf = peep[pOff + H + j], po = peep[pOff + 2 * H + j];
                double ai = gates[gOff + j] + pi * cp, af = gates[gOff + H + j] + pf * cp;
                double i = sigmoid(ai), f = sigmoid(af), gg = Math.tanh(gates[gOff + 2 * H + j]);
                double cr = f * cp + i * gg, tc = Math.tanh(cr);
                double ao = gates[gOff + 3 * H + j] + po * cr, o = sigmoid(ao), hr = o * tc;
                double tolI = AS + EPS * Math.abs(ai) / 4, tolF = AS + EPS * Math.abs(af) / 4;
                double tolC = tolF * Math.abs(cp) + tolI * (Math.abs(gg) + AT) + AT * Math.abs(i)
                        + EPS * (Math.abs(cp) + 2);
                double tolTc = tolC + AT;
                double tolO = AS + (Math.abs(po) * tolC + EPS * Math.abs(ao)) / 4;
                double tolH = tolO * Math.abs(tc) + tolTc * (Math.abs(o) + tolO) + EPS;
                int u = j;
                IntFunction<String> unit = x -> "(a_ifgo=" + gates[gOff + u] + ", " + gates[gOff + H + u] + ", "
                        + gates[gOff + 2 * H + u] + ", " + gates[gOff + 3 * H + u] + " p_ifo=" + peep[pOff + u] + ", "
                        + peep[pOff + H + u] + ", " + peep[pOff + 2 * H + u] + " c_prev=" + cp + ")";
                near(op + " i", j, unit, gc[gOff + j], i, tolI);
                near(op + " f", j, unit, gc[gOff + H + j], f, tolF);
                near(op + " g", j, unit, gc[gOff + 2 * H + j], gg, AT);
                near(op + " o", j, unit, gc[gOff + 3 * H + j], o, tolO);
                near(op + " c", j, unit, cc[cO + j], cr, tolC);
                near(op + " tanhC", j, unit, tcc[tcOff + j], tc, tolTc);
                near(op + " h", j, unit, hc[hOff + j], hr, tolH);
            }
            onlyRangeWritten(op + " gates", gates, gc, gOff, 4 * H);
            unchanged(op + " peep", peep, pc);
            onlyRangeWritten(op + " c", inPlace ? cPrev : c, cc, cO, H);
            if (!inPlace) {
                unchanged(op + " cPrev", cPrev, cpc);
            }
            onlyRangeWritten(op + " tanhC", tanhC, tcc, tcOff, H);
            onlyRangeWritten(op + " h", h, hc, hOff, H);
            out[t] = new float[][] {gc, cc, tcc, hc};
        }
        if (out[1] != null && twinActivationsBitwise()) {
            int[] offs = {gOff, cO, tcOff, hOff};
            int[] lens = {4 * H, H, H, H};
            String[] names = {"gates", "c", "tanhC", "h"};
            for (int q = 0; q < 4; q++) {
                twinBitwise("lstmPeepholeCellForward " + names[q], new float[][] {out[0][q], out[1][q]}, offs[q], lens[q]);
            }
        }
    }

    /*
     * Backward in double, from the equations:
     *   da_o = dh·tanh c·o(1 − o);  dc_t = dc + p_o·da_o + dh·o·(1 − tanh²c)
     *   da_i = dc_t·g·i(1 − i)   da_f = dc_t·c_prev·f(1 − f)   da_g = dc_t·i·(1 − g²)
     *   dc_prev = dc_t·f + p_i·da_i + p_f·da_f
     * Only +, −, × and fma; the longest chain (dc_prev through da_f) has 10 roundings, so every output is
     * within γ(12)·cond, cond being the same formula on absolute values. Twins bitwise.
     */
    @Property(tries = 500)
    void lstmPeepholeCellBackward(@ForAll("size") int hidden, @ForAll("offset") int gOff, @ForAll("offset") int pOff,
                                  @ForAll("offset") int cpOff, @ForAll("offset") int tcOff, @ForAll("offset") int dhOff,
                                  @ForAll("offset") int dcOff, @ForAll("offset") int dgOff, @ForAll long seed) {
        int H = hidden;
        Gen g = new Gen(seed);
        float[] gates = g.vec(Dist.UNIT, gOff, 4 * H);
        for (int j = 0; j < H; j++) {
            gates[gOff + 2 * H + j] = g.value(Dist.SIGNED_UNIT);   // g = tanh(a_g)
        }
        float[] peep = g.vec(Dist.ACT, pOff, 3 * H), cPrev = g.vec(Dist.ACT, cpOff, H);
        float[] tanhC = g.vec(Dist.SIGNED_UNIT, tcOff, H), dh = g.vec(Dist.ACT, dhOff, H), dc = g.vec(Dist.ACT, dcOff, H);
        float[] dGates = g.vec(Dist.WIDE, dgOff, 4 * H);
        double tol = gamma(12);
        float[][][] out = new float[2][][];
        for (int t = 0; t < impls().size(); t++) {
            Kernels k = impls().get(t);
            float[] gc = gates.clone(), pc = peep.clone(), cpc = cPrev.clone(), tcc = tanhC.clone(), dhc = dh.clone();
            float[] dcc = dc.clone(), dgc = dGates.clone();
            k.lstmPeepholeCellBackward(H, gc, gOff, pc, pOff, cpc, cpOff, tcc, tcOff, dhc, dhOff, dcc, dcOff, dgc, dgOff);
            String op = k.name() + " lstmPeepholeCellBackward H=" + H;
            for (int j = 0; j < H; j++) {
                double i = gates[gOff + j], f = gates[gOff + H + j], gg = gates[gOff + 2 * H + j], o = gates[gOff + 3 * H + j];
                double pi = peep[pOff + j], pf = peep[pOff + H + j], po = peep[pOff + 2 * H + j];
                double cp = cPrev[cpOff + j], tc = tanhC[tcOff + j], d = dh[dhOff + j], dcIn = dc[dcOff + j];
                double daO = d * tc * (o * (1 - o)), daOc = Math.abs(d * tc) * Math.abs(o) * (1 + Math.abs(o));
                double dct = dcIn + po * daO + d * o * (1 - tc * tc);
                double dctc = Math.abs(dcIn) + Math.abs(po) * daOc + Math.abs(d * o) * (1 + tc * tc);
                double daI = dct * gg * (i * (1 - i)), daIc = dctc * Math.abs(gg) * Math.abs(i) * (1 + Math.abs(i));
                double daF = dct * cp * (f * (1 - f)), daFc = dctc * Math.abs(cp) * Math.abs(f) * (1 + Math.abs(f));
                double daG = dct * i * (1 - gg * gg), daGc = dctc * Math.abs(i) * (1 + gg * gg);
                double dcp = dct * f + pi * daI + pf * daF;
                double dcpc = dctc * Math.abs(f) + Math.abs(pi) * daIc + Math.abs(pf) * daFc;
                near(op + " da_i", j, null, dgc[dgOff + j], daI, tol * daIc);
                near(op + " da_f", j, null, dgc[dgOff + H + j], daF, tol * daFc);
                near(op + " da_g", j, null, dgc[dgOff + 2 * H + j], daG, tol * daGc);
                near(op + " da_o", j, null, dgc[dgOff + 3 * H + j], daO, tol * daOc);
                near(op + " dc_prev", j, null, dcc[dcOff + j], dcp, tol * dcpc);
            }
            unchanged(op + " gates", gates, gc);
            unchanged(op + " peep", peep, pc);
            unchanged(op + " cPrev", cPrev, cpc);
            unchanged(op + " tanhC", tanhC, tcc);
            unchanged(op + " dh", dh, dhc);
            onlyRangeWritten(op + " dc", dc, dcc, dcOff, H);
            onlyRangeWritten(op + " dGates", dGates, dgc, dgOff, 4 * H);
            out[t] = new float[][] {dgc, dcc};
        }
        if (out[1] != null) {
            twinBitwise("lstmPeepholeCellBackward dGates", new float[][] {out[0][0], out[1][0]}, dgOff, 4 * H);
            twinBitwise("lstmPeepholeCellBackward dc", new float[][] {out[0][1], out[1][1]}, dcOff, H);
        }
    }

    // ================================================================== GRU, reset before the matmul

    /*
     * r = σ(a_r), z = σ(a_z): within Aσ. rh = r·h_prev: Aσ·|h_prev| from r, ε|rh| ≤ ε|h_prev| from the
     * product. The n block is NaN on entry: it must be neither read (the outputs would be NaN) nor
     * written (its bits must survive). Twins bitwise.
     */
    @Property(tries = 500)
    void gruResetGateForward(@ForAll("size") int hidden, @ForAll("offset") int gOff, @ForAll("offset") int hpOff,
                             @ForAll("offset") int rhOff, @ForAll long seed) {
        int H = hidden;
        Gen g = new Gen(seed);
        float[] gates = g.vec(Dist.ACT, gOff, 3 * H);
        Arrays.fill(gates, gOff + 2 * H, gOff + 3 * H, Float.NaN);
        float[] hPrev = g.vec(Dist.ACT, hpOff, H), rh = g.vec(Dist.WIDE, rhOff, H);
        float[][][] out = new float[2][][];
        for (int t = 0; t < impls().size(); t++) {
            Kernels k = impls().get(t);
            float[] gc = gates.clone(), hpc = hPrev.clone(), rhc = rh.clone();
            k.gruResetGateForward(H, gc, gOff, hpc, hpOff, rhc, rhOff);
            String op = k.name() + " gruResetGateForward H=" + H;
            for (int j = 0; j < H; j++) {
                double r = sigmoid(gates[gOff + j]), z = sigmoid(gates[gOff + H + j]), hp = hPrev[hpOff + j];
                near(op + " r", j, null, gc[gOff + j], r, AS);
                near(op + " z", j, null, gc[gOff + H + j], z, AS);
                near(op + " rh", j, null, rhc[rhOff + j], r * hp, (AS + EPS) * Math.abs(hp));
            }
            onlyRangeWritten(op + " gates", gates, gc, gOff, 2 * H);
            unchanged(op + " hPrev", hPrev, hpc);
            onlyRangeWritten(op + " rh", rh, rhc, rhOff, H);
            out[t] = new float[][] {gc, rhc};
        }
        if (out[1] != null && twinActivationsBitwise()) {
            twinBitwise("gruResetGateForward gates", new float[][] {out[0][0], out[1][0]}, gOff, 2 * H);
            twinBitwise("gruResetGateForward rh", new float[][] {out[0][1], out[1][1]}, rhOff, H);
        }
    }

    /*
     * n = tanh(x_n + h_n): the sum rounds by ε|x_n + h_n|, tanh is 1-Lipschitz: tol_n = At + ε|x_n + h_n|.
     * h = fl(fl(z·fl(h_prev − n)) + n): ∂h/∂n = 1 − z carries tol_n; the subtraction and the product
     * round by at most 2ε·|z|·(|h_prev| + 1)·(1 + ε), the sum by ε|h| ≤ ε(|h_prev| + 1):
     * tol_h = |1 − z|·tol_n + 2ε(1 + ε)|z|(|h_prev| + 1) + ε(|h_prev| + 1).
     * gh's r and z blocks are NaN: only h_n may be read. Twins bitwise.
     */
    @Property(tries = 500)
    void gruResetBeforeCellForward(@ForAll("size") int hidden, @ForAll("offset") int gxOff, @ForAll("offset") int ghOff,
                                   @ForAll("offset") int hpOff, @ForAll("offset") int hOff,
                                   @ForAll("inPlace") boolean inPlace, @ForAll long seed) {
        int H = hidden;
        Gen g = new Gen(seed);
        float[] gx = g.vec(Dist.UNIT, gxOff, 3 * H);
        for (int j = 0; j < H; j++) {
            gx[gxOff + 2 * H + j] = g.value(Dist.ACT);   // x_n
        }
        float[] gh = g.vec(Dist.ACT, ghOff, 3 * H);
        Arrays.fill(gh, ghOff, ghOff + 2 * H, Float.NaN);
        float[] hPrev = g.vec(Dist.ACT, hpOff, H), h = g.vec(Dist.WIDE, hOff, H);
        int hO = inPlace ? hpOff : hOff;
        float[][][] out = new float[2][][];
        for (int t = 0; t < impls().size(); t++) {
            Kernels k = impls().get(t);
            float[] gxc = gx.clone(), ghc = gh.clone(), hpc = hPrev.clone(), hc = inPlace ? hpc : h.clone();
            k.gruResetBeforeCellForward(H, gxc, gxOff, ghc, ghOff, hpc, hpOff, hc, hO);
            String op = k.name() + " gruResetBeforeCellForward H=" + H + (inPlace ? " h=hPrev" : "");
            for (int j = 0; j < H; j++) {
                double z = gx[gxOff + H + j], hp = hPrev[hpOff + j];
                double an = (double) gx[gxOff + 2 * H + j] + gh[ghOff + 2 * H + j];
                double nn = Math.tanh(an), hr = nn + z * (hp - nn);
                double tolN = AT + EPS * Math.abs(an);
                double tolH = Math.abs(1 - z) * tolN + 2 * EPS * (1 + EPS) * Math.abs(z) * (Math.abs(hp) + 1)
                        + EPS * (Math.abs(hp) + 1);
                near(op + " n", j, null, gxc[gxOff + 2 * H + j], nn, tolN);
                near(op + " h", j, null, hc[hO + j], hr, tolH);
            }
            onlyRangeWritten(op + " gx", gx, gxc, gxOff + 2 * H, H);
            unchanged(op + " gh", gh, ghc);
            if (!inPlace) {
                unchanged(op + " hPrev", hPrev, hpc);
            }
            onlyRangeWritten(op + " h", inPlace ? hPrev : h, hc, hO, H);
            out[t] = new float[][] {gxc, hc};
        }
        if (out[1] != null && twinActivationsBitwise()) {
            twinBitwise("gruResetBeforeCellForward gx", new float[][] {out[0][0], out[1][0]}, gxOff, 3 * H);
            twinBitwise("gruResetBeforeCellForward h", new float[][] {out[0][1], out[1][1]}, hO, H);
        }
    }

    /*
     * da_z = dh·(h_prev − n)·z(1 − z), da_n = dh·(1 − z)·(1 − n²), dh_prev = dh·z, in double. At most
     * 4 roundings on a chain: γ(4)·cond (cond: the formula on absolute values). The r block of dGates
     * must keep its bits. Twins bitwise.
     */
    @Property(tries = 500)
    void gruResetBeforeCellBackward(@ForAll("size") int hidden, @ForAll("offset") int gOff, @ForAll("offset") int hpOff,
                                    @ForAll("offset") int dhOff, @ForAll("offset") int dgOff,
                                    @ForAll("offset") int dhpOff, @ForAll long seed) {
        int H = hidden;
        Gen g = new Gen(seed);
        float[] gates = g.vec(Dist.UNIT, gOff, 3 * H);
        for (int j = 0; j < H; j++) {
            gates[gOff + 2 * H + j] = g.value(Dist.SIGNED_UNIT);   // n = tanh(·)
        }
        float[] hPrev = g.vec(Dist.ACT, hpOff, H), dh = g.vec(Dist.ACT, dhOff, H);
        float[] dGates = g.vec(Dist.WIDE, dgOff, 3 * H), dhPrev = g.vec(Dist.WIDE, dhpOff, H);
        float[][][] out = new float[2][][];
        for (int t = 0; t < impls().size(); t++) {
            Kernels k = impls().get(t);
            float[] gc = gates.clone(), hpc = hPrev.clone(), dhc = dh.clone(), dgc = dGates.clone(), dhpc = dhPrev.clone();
            k.gruResetBeforeCellBackward(H, gc, gOff, hpc, hpOff, dhc, dhOff, dgc, dgOff, dhpc, dhpOff);
            String op = k.name() + " gruResetBeforeCellBackward H=" + H;
            for (int j = 0; j < H; j++) {
                double z = gates[gOff + H + j], nn = gates[gOff + 2 * H + j], hp = hPrev[hpOff + j], d = dh[dhOff + j];
                double az = Math.abs(z), ad = Math.abs(d);
                near(op + " da_z", j, null, dgc[dgOff + H + j], d * (hp - nn) * (z * (1 - z)),
                        gamma(4) * ad * (Math.abs(hp) + Math.abs(nn)) * az * (1 + az));
                near(op + " da_n", j, null, dgc[dgOff + 2 * H + j], d * (1 - z) * (1 - nn * nn),
                        gamma(4) * ad * (1 + az) * (1 + nn * nn));
                near(op + " dhPrev", j, null, dhpc[dhpOff + j], d * z, gamma(1) * ad * az);
            }
            unchanged(op + " gates", gates, gc);
            unchanged(op + " hPrev", hPrev, hpc);
            unchanged(op + " dh", dh, dhc);
            onlyRangeWritten(op + " dGates", dGates, dgc, dgOff + H, 2 * H);
            onlyRangeWritten(op + " dhPrev", dhPrev, dhpc, dhpOff, H);
            out[t] = new float[][] {dgc, dhpc};
        }
        if (out[1] != null) {
            twinBitwise("gruResetBeforeCellBackward dGates", new float[][] {out[0][0], out[1][0]}, dgOff, 3 * H);
            twinBitwise("gruResetBeforeCellBackward dhPrev", new float[][] {out[0][1], out[1][1]}, dhpOff, H);
        }
    }

    /*
     * da_r = drh·h_prev·r(1 − r) (4 roundings: γ(4)·cond) and dh_prev += drh·r (one fma: γ(1)·cond).
     * The z and n blocks of dGates, and z, n of gates, are NaN: neither read nor written. Twins bitwise.
     */
    @Property(tries = 500)
    void gruResetGateBackward(@ForAll("size") int hidden, @ForAll("offset") int gOff, @ForAll("offset") int hpOff,
                              @ForAll("offset") int drhOff, @ForAll("offset") int dgOff, @ForAll("offset") int dhpOff,
                              @ForAll long seed) {
        int H = hidden;
        Gen g = new Gen(seed);
        float[] gates = g.vec(Dist.UNIT, gOff, 3 * H);
        Arrays.fill(gates, gOff + H, gOff + 3 * H, Float.NaN);
        float[] hPrev = g.vec(Dist.ACT, hpOff, H), drh = g.vec(Dist.ACT, drhOff, H);
        float[] dGates = g.vec(Dist.WIDE, dgOff, 3 * H), dhPrev = g.vec(Dist.ACT, dhpOff, H);
        float[][][] out = new float[2][][];
        for (int t = 0; t < impls().size(); t++) {
            Kernels k = impls().get(t);
            float[] gc = gates.clone(), hpc = hPrev.clone(), drc = drh.clone(), dgc = dGates.clone(), dhpc = dhPrev.clone();
            k.gruResetGateBackward(H, gc, gOff, hpc, hpOff, drc, drhOff, dgc, dgOff, dhpc, dhpOff);
            String op = k.name() + " gruResetGateBackward H=" + H;
            for (int j = 0; j < H; j++) {
                double r = gates[gOff + j], hp = hPrev[hpOff + j], d = drh[drhOff + j], old = dhPrev[dhpOff + j];
                double ar = Math.abs(r), ad = Math.abs(d);
                near(op + " da_r", j, null, dgc[dgOff + j], d * hp * (r * (1 - r)),
                        gamma(4) * ad * Math.abs(hp) * ar * (1 + ar));
                near(op + " dhPrev", j, null, dhpc[dhpOff + j], old + d * r, gamma(1) * (Math.abs(old) + ad * ar));
            }
            unchanged(op + " gates", gates, gc);
            unchanged(op + " hPrev", hPrev, hpc);
            unchanged(op + " drh", drh, drc);
            onlyRangeWritten(op + " dGates", dGates, dgc, dgOff, H);
            onlyRangeWritten(op + " dhPrev", dhPrev, dhpc, dhpOff, H);
            out[t] = new float[][] {dgc, dhpc};
        }
        if (out[1] != null) {
            twinBitwise("gruResetGateBackward dGates", new float[][] {out[0][0], out[1][0]}, dgOff, 3 * H);
            twinBitwise("gruResetGateBackward dhPrev", new float[][] {out[0][1], out[1][1]}, dhpOff, H);
        }
    }

    // ================================================================== broadcastRows

    /** Exact copies: every row of the window equals x, and nothing else of y changes. */
    @Property(tries = 300)
    void broadcastRows(@ForAll("size") int n, @ForAll("offset") int xOff, @ForAll("offset") int yOff,
                       @ForAll("offset") int ldPad, @ForAll long seed) {
        Gen g = new Gen(seed);
        int rows = (int) Math.floorMod(seed, 5L);
        int ldy = Math.max(1, n + ldPad);
        float[] x = g.vec(Dist.WIDE, xOff, n), y = g.mat(Dist.WIDE, yOff, rows, ldy, ldy);
        for (Kernels k : impls()) {
            float[] xc = x.clone(), yc = y.clone();
            k.broadcastRows(rows, n, xc, xOff, yc, yOff, ldy);
            String op = k.name() + " broadcastRows rows=" + rows + " n=" + n;
            unchanged(op + " x", x, xc);
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < n; j++) {
                    if (Float.floatToRawIntBits(yc[yOff + r * ldy + j]) != Float.floatToRawIntBits(x[xOff + j])) {
                        throw new AssertionError(op + ": y[" + r + "][" + j + "] = " + yc[yOff + r * ldy + j]
                                + ", expected x[" + j + "] = " + x[xOff + j]);
                    }
                }
                // columns [n, ldy) of each row keep their bits
                for (int j = n; j < ldy && r < rows - 1; j++) {
                    int at = yOff + r * ldy + j;
                    if (Float.floatToRawIntBits(yc[at]) != Float.floatToRawIntBits(y[at])) {
                        throw new AssertionError(op + ": padding y[" + r + "][" + j + "] was written");
                    }
                }
            }
            if (rows == 0) {
                unchanged(op + " y", y, yc);
            }
        }
    }
}
