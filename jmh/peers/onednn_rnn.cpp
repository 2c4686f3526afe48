// oneDNN peer for rnn4j's RnnBench: oneDNN's fused RNN primitive (what PyTorch 2.x runs for nn.LSTM
// on CPU) for the LSTM, the linear-before-reset GRU (= PyTorch's nn.GRU) and the tanh RNN; one layer,
// left to right, f32, CPU engine. Build and run through jmh/peers/onednn-peer; see jmh/peers/README.md.
//
//   onednn_rnn [--json FILE] [--seconds S] [--repeats N] [--warmup S] [--threads 1,2]
//              [--cells lstm,gru,rnn_tanh] [--shapes 100x32x256x256,...] [--modes forward,train] [--quick]
//   onednn_rnn --check FILE [--bound R]      agreement with rnn4j (file from org.rnn4j.bench.OneDnnCheck)
//
// Layouts and gate orders. The user-side tensors are PyTorch's: x and y (T, B, C) = tnc, states
// (L·D, B, H) = ldnc, weights (G·H, I) and (G·H, H) with PyTorch's gate blocks. oneDNN's canonical
// weights are ldigo = (L, D, I, G, O), the transpose, with its own gate order:
//   LSTM     i, f, c~, o      = PyTorch i, f, g, o            bias (G, H) = b_ih + b_hh
//   lbr_gru  u, r, o          = PyTorch z, r, n (reordered)   bias (G+1, H) = u, r, o, u' where
//                                                             u' = b_hn, applied inside r ⊙ (·)
//   vanilla  one gate (tanh)                                  bias = b_ih + b_hh
// The primitive picks its own weights layout (format_tag::any); the weights are reordered into it once,
// outside the timed loop, as PyTorch does with cached weights. What is timed per call: forward = one
// forward_inference execution; train = zeroing the weight gradients (oneDNN 2.6 accumulates into them
// and has no overwrite flag), one forward_training and one backward execution.
#include <dnnl.hpp>
#include <omp.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

namespace {

[[noreturn]] void die(const std::string &msg) {
    std::fprintf(stderr, "onednn_rnn: %s\n", msg.c_str());
    std::exit(1);
}

enum class Cell { lstm, gru, rnn_tanh };

struct CellInfo {
    Cell cell;
    const char *name;
    int gates;       // G
    int bias_gates;  // oneDNN bias blocks: G, or G + 1 for lbr_gru (the extra u' = b_hn)
    // For each oneDNN gate block, the PyTorch gate block it comes from.
    std::vector<int> torch_gate;
};

const CellInfo &cell_info(Cell c) {
    static const CellInfo lstm{Cell::lstm, "lstm", 4, 4, {0, 1, 2, 3}};
    // oneDNN u, r, o  <-  PyTorch z (block 1), r (block 0), n (block 2)
    static const CellInfo gru{Cell::gru, "gru", 3, 4, {1, 0, 2}};
    static const CellInfo rnn{Cell::rnn_tanh, "rnn_tanh", 1, 1, {0}};
    switch (c) {
        case Cell::lstm: return lstm;
        case Cell::gru: return gru;
        default: return rnn;
    }
}

Cell parse_cell(const std::string &s) {
    if (s == "lstm") return Cell::lstm;
    if (s == "gru") return Cell::gru;
    if (s == "rnn_tanh" || s == "rnn") return Cell::rnn_tanh;
    die("unknown cell '" + s + "' (known: lstm, gru, rnn_tanh)");
}

struct Shape {
    int T, B, I, H;
    std::string str() const {
        return std::to_string(T) + "x" + std::to_string(B) + "x" + std::to_string(I) + "x" + std::to_string(H);
    }
};

// Weights in PyTorch's layout and gate order (what rnn4j's RnnWeights holds for one unit).
struct TorchWeights {
    std::vector<float> w_ih, w_hh, b_ih, b_hh;  // (G·H, I), (G·H, H), (G·H), (G·H)
};

// PyTorch (G·H, K) with PyTorch gate blocks  <->  oneDNN ldigo (1, 1, K, G, H) with oneDNN gate blocks.
std::vector<float> torch_to_ldigo(const CellInfo &ci, const std::vector<float> &w, int K, int H,
                                  const std::vector<int> &gate_map) {
    int G = ci.gates;
    std::vector<float> out((size_t)K * G * H);
    for (int k = 0; k < K; k++)
        for (int g = 0; g < G; g++)
            for (int o = 0; o < H; o++)
                out[((size_t)k * G + g) * H + o] = w[((size_t)gate_map[g] * H + o) * K + k];
    return out;
}

std::vector<float> ldigo_to_torch(const CellInfo &ci, const std::vector<float> &w, int K, int H,
                                  const std::vector<int> &gate_map) {
    int G = ci.gates;
    std::vector<float> out((size_t)G * H * K);
    for (int k = 0; k < K; k++)
        for (int g = 0; g < G; g++)
            for (int o = 0; o < H; o++)
                out[((size_t)gate_map[g] * H + o) * K + k] = w[((size_t)k * G + g) * H + o];
    return out;
}

std::vector<float> torch_to_bias(const CellInfo &ci, const TorchWeights &tw, int H, const std::vector<int> &gate_map) {
    std::vector<float> out((size_t)ci.bias_gates * H);
    for (int g = 0; g < ci.gates; g++) {
        int pg = gate_map[g];
        // lbr_gru's o gate takes b_in outside the reset product and b_hn inside it (block u').
        bool split = ci.cell == Cell::gru && g == 2;
        for (int o = 0; o < H; o++)
            out[(size_t)g * H + o] = tw.b_ih[(size_t)pg * H + o] + (split ? 0.f : tw.b_hh[(size_t)pg * H + o]);
    }
    if (ci.cell == Cell::gru)
        for (int o = 0; o < H; o++) out[(size_t)3 * H + o] = tw.b_hh[(size_t)gate_map[2] * H + o];
    return out;
}

// One oneDNN diff_bias back to PyTorch's two: b_ih and b_hh enter every gate as a sum, so both get
// the same gradient, except lbr_gru's n gate, whose b_hn gradient is block u'.
void bias_to_torch(const CellInfo &ci, const std::vector<float> &db, int H, const std::vector<int> &gate_map,
                   std::vector<float> &d_ih, std::vector<float> &d_hh) {
    d_ih.assign((size_t)ci.gates * H, 0.f);
    d_hh.assign((size_t)ci.gates * H, 0.f);
    for (int g = 0; g < ci.gates; g++) {
        int pg = gate_map[g];
        bool split = ci.cell == Cell::gru && g == 2;
        for (int o = 0; o < H; o++) {
            d_ih[(size_t)pg * H + o] = db[(size_t)g * H + o];
            d_hh[(size_t)pg * H + o] = db[(size_t)(split ? 3 : g) * H + o];
        }
    }
}

// One layer of one cell at one shape: the primitives, their memories, and the user-side buffers.
// The benchmark and the check both go through this class, so the check validates what is timed.
class Runner {
  public:
    // User-side buffers, PyTorch's layouts. oneDNN memories wrap their storage at construction (no
    // copy per call): write their elements in place, never assign or resize the vectors.
    std::vector<float> x, h0, c0, y, hN, cN;     // tnc / ldnc
    std::vector<float> dy, dhN, dcN, dx, dh0, dc0;

    Runner(dnnl::engine &eng, dnnl::stream &strm, Cell cell, Shape s, bool train,
           std::vector<int> gate_map = {})
        : eng_(eng), strm_(strm), ci_(cell_info(cell)), s_(s), train_(train),
          gate_map_(gate_map.empty() ? cell_info(cell).torch_gate : gate_map) {
        bool lstm = cell == Cell::lstm;
        const int T = s.T, B = s.B, I = s.I, H = s.H, G = ci_.gates;
        x.assign((size_t)T * B * I, 0.f);
        y.assign((size_t)T * B * H, 0.f);
        h0.assign((size_t)B * H, 0.f);
        hN.assign((size_t)B * H, 0.f);
        if (lstm) {
            c0.assign((size_t)B * H, 0.f);
            cN.assign((size_t)B * H, 0.f);
        }
        memory::desc src_md({T, B, I}, dt::f32, tag::tnc);
        memory::desc dst_md({T, B, H}, dt::f32, tag::tnc);
        memory::desc iter_md({1, 1, B, H}, dt::f32, tag::ldnc);
        memory::desc none_md;
        memory::desc iter_c_md = lstm ? iter_md : none_md;
        wl_user_md_ = memory::desc({1, 1, I, G, H}, dt::f32, tag::ldigo);
        wi_user_md_ = memory::desc({1, 1, H, G, H}, dt::f32, tag::ldigo);
        bias_user_md_ = memory::desc({1, 1, ci_.bias_gates, H}, dt::f32, tag::ldgo);
        memory::desc wl_any({1, 1, I, G, H}, dt::f32, tag::any);
        memory::desc wi_any({1, 1, H, G, H}, dt::f32, tag::any);
        memory::desc bias_any({1, 1, ci_.bias_gates, H}, dt::f32, tag::any);

        auto prop = train ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
        auto dir = dnnl::rnn_direction::unidirectional_left2right;
        switch (cell) {
            case Cell::lstm: {
                dnnl::lstm_forward::desc fd(prop, dir, src_md, iter_md, iter_c_md, wl_any, wi_any, bias_any,
                                            dst_md, iter_md, iter_c_md);
                dnnl::lstm_forward::primitive_desc fpd(fd, eng);
                fwd_pd_ = fpd;
                fwd_ = dnnl::lstm_forward(fpd);
                if (train) {
                    dnnl::lstm_backward::desc bd(dnnl::prop_kind::backward, dir, src_md, iter_md, iter_c_md, wl_any,
                                                 wi_any, bias_any, dst_md, iter_md, iter_c_md, src_md, iter_md,
                                                 iter_c_md, wl_any, wi_any, bias_any, dst_md, iter_md, iter_c_md);
                    dnnl::lstm_backward::primitive_desc bpd(bd, eng, fpd);
                    bwd_pd_ = bpd;
                    bwd_ = dnnl::lstm_backward(bpd);
                }
                break;
            }
            case Cell::gru: {
                dnnl::lbr_gru_forward::desc fd(prop, dir, src_md, iter_md, wl_any, wi_any, bias_any, dst_md, iter_md);
                dnnl::lbr_gru_forward::primitive_desc fpd(fd, eng);
                fwd_pd_ = fpd;
                fwd_ = dnnl::lbr_gru_forward(fpd);
                if (train) {
                    dnnl::lbr_gru_backward::desc bd(dnnl::prop_kind::backward, dir, src_md, iter_md, wl_any, wi_any,
                                                    bias_any, dst_md, iter_md, src_md, iter_md, wl_any, wi_any,
                                                    bias_any, dst_md, iter_md);
                    dnnl::lbr_gru_backward::primitive_desc bpd(bd, eng, fpd);
                    bwd_pd_ = bpd;
                    bwd_ = dnnl::lbr_gru_backward(bpd);
                }
                break;
            }
            case Cell::rnn_tanh: {
                auto act = dnnl::algorithm::eltwise_tanh;
                dnnl::vanilla_rnn_forward::desc fd(prop, act, dir, src_md, iter_md, wl_any, wi_any, bias_any, dst_md,
                                                   iter_md);
                dnnl::vanilla_rnn_forward::primitive_desc fpd(fd, eng);
                fwd_pd_ = fpd;
                fwd_ = dnnl::vanilla_rnn_forward(fpd);
                if (train) {
                    dnnl::vanilla_rnn_backward::desc bd(dnnl::prop_kind::backward, act, dir, src_md, iter_md, wl_any,
                                                        wi_any, bias_any, dst_md, iter_md, src_md, iter_md, wl_any,
                                                        wi_any, bias_any, dst_md, iter_md);
                    dnnl::vanilla_rnn_backward::primitive_desc bpd(bd, eng, fpd);
                    bwd_pd_ = bpd;
                    bwd_ = dnnl::vanilla_rnn_backward(bpd);
                }
                break;
            }
        }
        // The data tensors were given explicit layouts; a primitive that changed them would read our
        // buffers wrongly, so insist.
        require_md(fwd_pd_, DNNL_ARG_SRC_LAYER, src_md, "src_layer");
        require_md(fwd_pd_, DNNL_ARG_DST_LAYER, dst_md, "dst_layer");

        fwd_args_[DNNL_ARG_SRC_LAYER] = wrap(src_md, x);
        fwd_args_[DNNL_ARG_SRC_ITER] = wrap(iter_md, h0);
        fwd_args_[DNNL_ARG_DST_LAYER] = wrap(dst_md, y);
        fwd_args_[DNNL_ARG_DST_ITER] = wrap(iter_md, hN);
        if (lstm) {
            fwd_args_[DNNL_ARG_SRC_ITER_C] = wrap(iter_md, c0);
            fwd_args_[DNNL_ARG_DST_ITER_C] = wrap(iter_md, cN);
        }
        if (train) {
            workspace_ = memory(fwd_pd_.query_md(dnnl::query::exec_arg_md, DNNL_ARG_WORKSPACE), eng);
            fwd_args_[DNNL_ARG_WORKSPACE] = workspace_;

            dy.assign(y.size(), 0.f);
            dhN.assign(hN.size(), 0.f);
            dx.assign(x.size(), 0.f);
            dh0.assign(h0.size(), 0.f);
            if (lstm) {
                dcN.assign(cN.size(), 0.f);
                dc0.assign(c0.size(), 0.f);
            }
            for (int a : {DNNL_ARG_SRC_LAYER, DNNL_ARG_SRC_ITER, DNNL_ARG_SRC_ITER_C, DNNL_ARG_DST_LAYER,
                          DNNL_ARG_DST_ITER, DNNL_ARG_DST_ITER_C, DNNL_ARG_WORKSPACE})
                if (fwd_args_.count(a)) bwd_args_[a] = fwd_args_[a];
            bwd_args_[DNNL_ARG_DIFF_DST_LAYER] = wrap(dst_md, dy);
            bwd_args_[DNNL_ARG_DIFF_DST_ITER] = wrap(iter_md, dhN);
            bwd_args_[DNNL_ARG_DIFF_SRC_LAYER] = wrap(src_md, dx);
            bwd_args_[DNNL_ARG_DIFF_SRC_ITER] = wrap(iter_md, dh0);
            if (lstm) {
                bwd_args_[DNNL_ARG_DIFF_DST_ITER_C] = wrap(iter_md, dcN);
                bwd_args_[DNNL_ARG_DIFF_SRC_ITER_C] = wrap(iter_md, dc0);
            }
            require_md(bwd_pd_, DNNL_ARG_DIFF_SRC_LAYER, src_md, "diff_src_layer");
            for (int a : {DNNL_ARG_DIFF_WEIGHTS_LAYER, DNNL_ARG_DIFF_WEIGHTS_ITER, DNNL_ARG_DIFF_BIAS}) {
                memory m(bwd_pd_.query_md(dnnl::query::exec_arg_md, a), eng);
                bwd_args_[a] = m;
                diff_weights_.push_back(m);
            }
        }
    }

    const CellInfo &info() const { return ci_; }
    std::string fwd_impl() const { return fwd_pd_.impl_info_str(); }
    std::string bwd_impl() const { return train_ ? bwd_pd_.impl_info_str() : std::string(); }
    std::string weights_layout() const {
        auto fmt = [](const memory::desc &d) {
            // ldigo / ldgoi are plain; anything else is a packed or blocked layout of the primitive's
            if (d == memory::desc(d.dims(), dt::f32, tag::ldigo)) return std::string("ldigo");
            if (d == memory::desc(d.dims(), dt::f32, tag::ldgoi)) return std::string("ldgoi");
            return std::string(d.data.format_kind == dnnl_format_kind_rnn_packed ? "rnn_packed" : "blocked");
        };
        std::string s = fmt(fwd_pd_.query_md(dnnl::query::exec_arg_md, DNNL_ARG_WEIGHTS_LAYER));
        if (train_) s += "/" + fmt(bwd_pd_.query_md(dnnl::query::exec_arg_md, DNNL_ARG_WEIGHTS_LAYER));
        return s;
    }

    // Converts PyTorch weights to ldigo and reorders them into each primitive's chosen layout, once.
    void set_weights(const TorchWeights &tw) {
        const int I = s_.I, H = s_.H;
        wl_user_ = torch_to_ldigo(ci_, tw.w_ih, I, H, gate_map_);
        wi_user_ = torch_to_ldigo(ci_, tw.w_hh, H, H, gate_map_);
        bias_user_ = torch_to_bias(ci_, tw, H, gate_map_);
        memory wl = wrap(wl_user_md_, wl_user_), wi = wrap(wi_user_md_, wi_user_), b = wrap(bias_user_md_, bias_user_);
        fwd_args_[DNNL_ARG_WEIGHTS_LAYER] = reordered(wl, fwd_pd_, DNNL_ARG_WEIGHTS_LAYER);
        fwd_args_[DNNL_ARG_WEIGHTS_ITER] = reordered(wi, fwd_pd_, DNNL_ARG_WEIGHTS_ITER);
        fwd_args_[DNNL_ARG_BIAS] = reordered(b, fwd_pd_, DNNL_ARG_BIAS);
        if (train_) {
            bwd_args_[DNNL_ARG_WEIGHTS_LAYER] = reordered(wl, bwd_pd_, DNNL_ARG_WEIGHTS_LAYER);
            bwd_args_[DNNL_ARG_WEIGHTS_ITER] = reordered(wi, bwd_pd_, DNNL_ARG_WEIGHTS_ITER);
            bwd_args_[DNNL_ARG_BIAS] = reordered(b, bwd_pd_, DNNL_ARG_BIAS);
        }
        strm_.wait();
        weights_set_ = true;
    }

    // forward_inference, or forward_training (filling the workspace) for a training runner.
    void forward() {
        if (!weights_set_) die("internal: forward before set_weights");
        fwd_.execute(strm_, fwd_args_);
        strm_.wait();
    }

    // Zeroes the weight gradients (the primitive adds into them), then runs the backward pass of the
    // last forward().
    void backward() {
        for (auto &m : diff_weights_) std::memset(m.get_data_handle(), 0, m.get_desc().get_size());
        bwd_.execute(strm_, bwd_args_);
        strm_.wait();
    }

    // The weight gradients of the last backward(), back in PyTorch's layout and gate order.
    TorchWeights diff_weights() {
        const int I = s_.I, H = s_.H, G = ci_.gates;
        std::vector<float> dwl((size_t)I * G * H), dwi((size_t)H * G * H), db((size_t)ci_.bias_gates * H);
        memory ul = wrap(wl_user_md_, dwl), ui = wrap(wi_user_md_, dwi), ub = wrap(bias_user_md_, db);
        dnnl::reorder(diff_weights_[0], ul).execute(strm_, diff_weights_[0], ul);
        dnnl::reorder(diff_weights_[1], ui).execute(strm_, diff_weights_[1], ui);
        dnnl::reorder(diff_weights_[2], ub).execute(strm_, diff_weights_[2], ub);
        strm_.wait();
        TorchWeights out;
        out.w_ih = ldigo_to_torch(ci_, dwl, I, H, gate_map_);
        out.w_hh = ldigo_to_torch(ci_, dwi, H, H, gate_map_);
        bias_to_torch(ci_, db, H, gate_map_, out.b_ih, out.b_hh);
        return out;
    }

  private:
    memory wrap(const memory::desc &md, std::vector<float> &buf) {
        if (buf.size() * sizeof(float) != md.get_size()) die("internal: buffer size does not match its descriptor");
        return memory(md, eng_, buf.data());
    }

    memory reordered(memory &user, const dnnl::primitive_desc &pd, int arg) {
        memory::desc want = pd.query_md(dnnl::query::exec_arg_md, arg);
        if (want == user.get_desc()) return user;
        memory m(want, eng_);
        dnnl::reorder(user, m).execute(strm_, user, m);
        return m;
    }

    static void require_md(const dnnl::primitive_desc &pd, int arg, const memory::desc &md, const char *what) {
        if (!(pd.query_md(dnnl::query::exec_arg_md, arg) == md))
            die(std::string("the primitive changed the layout of ") + what + "; expected the plain PyTorch layout");
    }

    dnnl::engine &eng_;
    dnnl::stream &strm_;
    const CellInfo &ci_;
    Shape s_;
    bool train_;
    std::vector<int> gate_map_;
    bool weights_set_ = false;
    dnnl::primitive_desc fwd_pd_, bwd_pd_;
    dnnl::primitive fwd_, bwd_;
    memory workspace_;
    memory::desc wl_user_md_, wi_user_md_, bias_user_md_;
    std::vector<float> wl_user_, wi_user_, bias_user_;
    std::unordered_map<int, memory> fwd_args_, bwd_args_;
    std::vector<memory> diff_weights_;  // diff_weights_layer, diff_weights_iter, diff_bias (primitive's layouts)
};

// The team size an OpenMP parallel region really gets now (what oneDNN's parallel regions get).
int omp_team_size() {
    int n = 0;
#pragma omp parallel
    {
#pragma omp single
        n = omp_get_num_threads();
    }
    return n;
}

// ------------------------------------------------------------------------------------------------ check

struct Tensor {
    std::vector<int> dims;
    std::vector<float> v;
};

struct CheckCase {
    Cell cell;
    Shape s;
    std::map<std::string, Tensor> t;
    const std::vector<float> &get(const std::string &name) const {
        auto it = t.find(name);
        if (it == t.end()) die(std::string("check file: case ") + cell_info(cell).name + " has no tensor " + name);
        return it->second.v;
    }
};

std::vector<CheckCase> read_check_file(const std::string &path, std::string &kernels) {
    std::ifstream in(path);
    if (!in) die("cannot read check file " + path + " (write it with org.rnn4j.bench.OneDnnCheck)");
    std::string word;
    int version = 0;
    in >> word >> version;
    if (word != "rnn4j-onednn-check" || version != 1)
        die(path + " is not a version-1 rnn4j-onednn-check file (first line: '" + word + "')");
    std::vector<CheckCase> cases;
    while (in >> word) {
        if (word == "kernels") {
            in >> kernels;
        } else if (word == "case") {
            std::string cell;
            CheckCase c;
            in >> cell >> c.s.T >> c.s.B >> c.s.I >> c.s.H;
            c.cell = parse_cell(cell);
            cases.push_back(c);
        } else if (word == "tensor") {
            if (cases.empty()) die("check file: tensor before any case");
            std::string name;
            int rank = 0;
            in >> name >> rank;
            Tensor t;
            size_t n = 1;
            for (int i = 0; i < rank; i++) {
                int d = 0;
                in >> d;
                t.dims.push_back(d);
                n *= (size_t)d;
            }
            t.v.resize(n);
            for (size_t i = 0; i < n; i++) {
                std::string tok;
                if (!(in >> tok)) die("check file: truncated tensor " + name);
                char *end = nullptr;
                t.v[i] = std::strtof(tok.c_str(), &end);
                if (*end != '\0') die("check file: bad number '" + tok + "' in tensor " + name);
            }
            cases.back().t[name] = std::move(t);
        } else if (word == "end") {
            // a case's tensors are complete
        } else {
            die("check file: unexpected token '" + word + "'");
        }
    }
    if (cases.empty()) die("check file " + path + " holds no case");
    return cases;
}

struct Err {
    double abs, rel;
    bool finite;
};

// Normwise error: max |a − b| over max |b|. Element-wise relative error would blow up at the entries
// that are near zero by accident; the scale of the tensor is what float rounding is relative to.
Err compare(const std::vector<float> &got, const std::vector<float> &want) {
    if (got.size() != want.size()) die("internal: compared tensors differ in size");
    double m = 0, scale = 0;
    bool finite = true;
    for (size_t i = 0; i < got.size(); i++) {
        if (!std::isfinite(got[i])) finite = false;
        m = std::max(m, std::fabs((double)got[i] - want[i]));
        scale = std::max(scale, std::fabs((double)want[i]));
    }
    return {m, scale > 0 ? m / scale : m, finite};
}

int run_check(const std::string &path, double bound) {
    std::string kernels = "?";
    std::vector<CheckCase> cases = read_check_file(path, kernels);
    dnnl::engine eng(dnnl::engine::kind::cpu, 0);
    dnnl::stream strm(eng);
    int failures = 0;
    double worst = 0;
    std::string worst_at;
    std::printf("oneDNN %d.%d.%d against rnn4j (%s kernels), %d OpenMP thread(s), T,B,I,H = %d,%d,%d,%d; "
                "normwise error max|a-b|/max|rnn4j|, bound %.2g\n",
                dnnl_version()->major, dnnl_version()->minor, dnnl_version()->patch, kernels.c_str(),
                omp_team_size(), cases[0].s.T, cases[0].s.B, cases[0].s.I, cases[0].s.H, bound);
    std::printf("%-9s %-8s %-12s %10s %10s\n", "cell", "mode", "tensor", "max abs", "rel");
    for (const CheckCase &c : cases) {
        for (bool train : {false, true}) {
            // The vector members are wrapped by oneDNN memories at construction: assign element-wise
            // (same size), never replace them, so the wrapped pointers stay valid.
            Runner r(eng, strm, c.cell, c.s, train);
            auto fill = [](std::vector<float> &dst, const std::vector<float> &src) {
                if (dst.size() != src.size()) die("check file: tensor of the wrong size");
                std::copy(src.begin(), src.end(), dst.begin());
            };
            fill(r.x, c.get("x"));
            fill(r.h0, c.get("h0"));
            if (c.cell == Cell::lstm) fill(r.c0, c.get("c0"));
            if (train) {
                fill(r.dy, c.get("dy"));
                fill(r.dhN, c.get("dhN"));
                if (c.cell == Cell::lstm) fill(r.dcN, c.get("dcN"));
            }
            r.set_weights({c.get("weight_ih"), c.get("weight_hh"), c.get("bias_ih"), c.get("bias_hh")});
            r.forward();
            std::vector<std::pair<std::string, Err>> errs;
            errs.push_back({"y", compare(r.y, c.get("y"))});
            errs.push_back({"hN", compare(r.hN, c.get("hN"))});
            if (c.cell == Cell::lstm) errs.push_back({"cN", compare(r.cN, c.get("cN"))});
            if (train) {
                r.backward();
                TorchWeights d = r.diff_weights();
                errs.push_back({"dx", compare(r.dx, c.get("dx"))});
                errs.push_back({"dh0", compare(r.dh0, c.get("dh0"))});
                if (c.cell == Cell::lstm) errs.push_back({"dc0", compare(r.dc0, c.get("dc0"))});
                errs.push_back({"d_weight_ih", compare(d.w_ih, c.get("d_weight_ih"))});
                errs.push_back({"d_weight_hh", compare(d.w_hh, c.get("d_weight_hh"))});
                errs.push_back({"d_bias_ih", compare(d.b_ih, c.get("d_bias_ih"))});
                errs.push_back({"d_bias_hh", compare(d.b_hh, c.get("d_bias_hh"))});
            }
            for (auto &e : errs) {
                if (e.second.rel > worst) {
                    worst = e.second.rel;
                    worst_at = std::string(cell_info(c.cell).name) + " " + (train ? "train " : "forward ") + e.first;
                }
                bool bad = !e.second.finite || !(e.second.rel <= bound);
                failures += bad;
                std::printf("%-9s %-8s %-12s %10.2e %10.2e%s\n", cell_info(c.cell).name, train ? "train" : "forward",
                            e.first.c_str(), e.second.abs, e.second.rel, bad ? "  FAIL" : "");
            }
        }
    }
    // Negative control: the GRU with PyTorch's gate blocks passed through unreordered must fail, or
    // the check could not tell a gate-order mistake from agreement.
    for (const CheckCase &c : cases) {
        if (c.cell != Cell::gru) continue;
        Runner r(eng, strm, c.cell, c.s, false, {0, 1, 2});
        std::copy(c.get("x").begin(), c.get("x").end(), r.x.begin());
        std::copy(c.get("h0").begin(), c.get("h0").end(), r.h0.begin());
        r.set_weights({c.get("weight_ih"), c.get("weight_hh"), c.get("bias_ih"), c.get("bias_hh")});
        r.forward();
        Err e = compare(r.y, c.get("y"));
        bool caught = e.rel > 100 * bound;
        std::printf("negative control: gru with PyTorch's r,z,n fed as oneDNN's u,r,o: y rel %.2e (%s)\n", e.rel,
                    caught ? "caught, as it must be" : "NOT caught: the check is too weak");
        failures += !caught;
    }
    if (failures) {
        std::printf("FAIL: %d check(s) outside the bound %.2g (worst rel %.2e, %s)\n", failures, bound, worst,
                    worst_at.c_str());
        return 1;
    }
    std::printf("oneDNN and rnn4j agree on every tensor (lstm, gru, rnn_tanh; forward and train): "
                "worst rel %.2e (%s), bound %.2g\n", worst, worst_at.c_str(), bound);
    return 0;
}

// ------------------------------------------------------------------------------------------------ bench

struct Args {
    std::string json, check;
    double seconds = 2.0, warmup = 0.5, bound = 1e-5;
    int repeats = 5;
    bool quick = false;
    std::vector<int> threads{1, 2};
    std::vector<Cell> cells{Cell::lstm, Cell::gru, Cell::rnn_tanh};
    std::vector<Shape> shapes{{100, 32, 256, 256}, {50, 64, 512, 512}, {100, 1, 128, 128}, {35, 20, 650, 650}};
    std::vector<std::string> modes{"forward", "train"};
};

std::vector<std::string> split(const std::string &s, char sep) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, sep))
        if (!item.empty()) out.push_back(item);
    return out;
}

int parse_int(const std::string &s, const char *what) {
    char *end = nullptr;
    long v = std::strtol(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0' || v < 1 || v > 1000000) die(std::string("bad ") + what + ": '" + s + "'");
    return (int)v;
}

double parse_double(const std::string &s, const char *what) {
    char *end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0' || !(v >= 0)) die(std::string("bad ") + what + ": '" + s + "'");
    return v;
}

Args parse_args(int argc, char **argv) {
    Args a;
    bool seconds_set = false, repeats_set = false, warmup_set = false;
    for (int i = 1; i < argc; i++) {
        std::string k = argv[i];
        auto val = [&]() -> std::string {
            if (i + 1 >= argc) die("option " + k + " needs a value");
            return argv[++i];
        };
        if (k == "--json") a.json = val();
        else if (k == "--check") a.check = val();
        else if (k == "--bound") a.bound = parse_double(val(), "--bound");
        else if (k == "--seconds") a.seconds = parse_double(val(), "--seconds"), seconds_set = true;
        else if (k == "--warmup") a.warmup = parse_double(val(), "--warmup"), warmup_set = true;
        else if (k == "--repeats") a.repeats = parse_int(val(), "--repeats"), repeats_set = true;
        else if (k == "--quick") a.quick = true;
        else if (k == "--threads") {
            a.threads.clear();
            for (auto &t : split(val(), ',')) a.threads.push_back(parse_int(t, "--threads"));
        } else if (k == "--cells") {
            a.cells.clear();
            for (auto &c : split(val(), ',')) a.cells.push_back(parse_cell(c));
        } else if (k == "--shapes") {
            a.shapes.clear();
            for (auto &s : split(val(), ',')) {
                auto p = split(s, 'x');
                if (p.size() != 4) die("bad shape '" + s + "': expected TxBxIxH, e.g. 100x32x256x256");
                a.shapes.push_back({parse_int(p[0], "T"), parse_int(p[1], "B"), parse_int(p[2], "I"),
                                    parse_int(p[3], "H")});
            }
        } else if (k == "--modes") {
            a.modes = split(val(), ',');
            for (auto &m : a.modes)
                if (m != "forward" && m != "train") die("bad mode '" + m + "' (forward, train)");
        } else if (k == "-h" || k == "--help") {
            std::printf("usage: onednn_rnn [--json FILE] [--seconds S] [--repeats N] [--warmup S] [--threads 1,2]\n"
                        "                  [--cells lstm,gru,rnn_tanh] [--shapes TxBxIxH,...] [--modes forward,train]"
                        " [--quick]\n       onednn_rnn --check FILE [--bound R]\n");
            std::exit(0);
        } else die("unknown option '" + k + "' (see --help)");
    }
    if (a.quick) {  // smoke run: figures meaningless; explicit options still win
        if (!seconds_set) a.seconds = 0.05;
        if (!repeats_set) a.repeats = 3;
        if (!warmup_set) a.warmup = 0.01;
    }
    return a;
}

const char *isa_name(dnnl::cpu_isa isa) {
    switch (isa) {
        case dnnl::cpu_isa::all: return "all";
        case dnnl::cpu_isa::sse41: return "sse41";
        case dnnl::cpu_isa::avx: return "avx";
        case dnnl::cpu_isa::avx2: return "avx2";
        case dnnl::cpu_isa::avx512_mic: return "avx512_mic";
        case dnnl::cpu_isa::avx512_mic_4ops: return "avx512_mic_4ops";
        case dnnl::cpu_isa::avx512_core: return "avx512_core";
        case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
        case dnnl::cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
        case dnnl::cpu_isa::avx512_core_amx: return "avx512_core_amx";
        case dnnl::cpu_isa::avx2_vnni: return "avx2_vnni";
    }
    return "unknown";
}

std::string json_str(const std::string &s) {
    std::string o = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') o += '\\', o += c;
        else if ((unsigned char)c < 0x20) {
            char b[8];
            std::snprintf(b, sizeof b, "\\u%04x", c);
            o += b;
        } else o += c;
    }
    return o + "\"";
}

std::string env_json(const char *name) {
    const char *v = std::getenv(name);
    return v ? json_str(v) : "null";
}

std::string cpu_model() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("model name", 0) == 0) {
            auto p = line.find(':');
            return p == std::string::npos ? line : line.substr(p + 2);
        }
    return "unknown";
}

double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + 1e-6 * (u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

struct Timing {
    double median_ns, min_ns, cpu_per_wall;
    long calls;
};

// torch_cell_step.py's scheme: warm up for `warmup` s and at least 3 calls (doubling the batch while
// a batch takes under 1 ms), estimate the per-call time, then `repeats` repeats of n calls with n
// chosen so that they total `seconds`; per-call ns of each repeat.
Timing time_point(const std::function<void()> &call, const Args &a) {
    using clk = std::chrono::steady_clock;
    auto ns = [](clk::duration d) { return (double)std::chrono::duration_cast<std::chrono::nanoseconds>(d).count(); };
    long n = 1, total_calls = 0;
    double total_ns = 0;
    auto t_end = clk::now() + std::chrono::nanoseconds((long long)(a.warmup * 1e9));
    while (true) {
        auto s = clk::now();
        for (long i = 0; i < n; i++) call();
        double spent = ns(clk::now() - s);
        total_calls += n;
        total_ns += spent;
        if (clk::now() >= t_end && total_calls >= 3) break;
        if (spent < 1e6) n *= 2;
    }
    double per_call = std::max(1.0, total_ns / total_calls);
    long calls = std::max(1L, (long)(a.seconds * 1e9 / a.repeats / per_call));
    std::vector<double> samples;
    double cpu0 = cpu_seconds(), wall = 0;
    for (int r = 0; r < a.repeats; r++) {
        auto s = clk::now();
        for (long i = 0; i < calls; i++) call();
        double d = ns(clk::now() - s);
        wall += d;
        samples.push_back(d / calls);
    }
    double cpu = cpu_seconds() - cpu0;
    std::vector<double> sorted = samples;
    std::sort(sorted.begin(), sorted.end());
    size_t m = sorted.size();
    double median = m % 2 ? sorted[m / 2] : 0.5 * (sorted[m / 2 - 1] + sorted[m / 2]);
    return {median, sorted.front(), wall > 0 ? cpu * 1e9 / wall : 0, calls};
}

void fill_uniform(std::vector<float> &v, std::mt19937 &g, float lo, float hi) {
    std::uniform_real_distribution<float> d(lo, hi);
    for (auto &x : v) x = d(g);
}

int run_bench(const Args &a) {
    const dnnl_version_t *ver = dnnl_version();
    std::string version = std::to_string(ver->major) + "." + std::to_string(ver->minor) + "." + std::to_string(ver->patch);
    dnnl::engine eng(dnnl::engine::kind::cpu, 0);
    dnnl::stream strm(eng);
    std::string isa = isa_name(dnnl::get_effective_cpu_isa());
    int omp_at_start = omp_get_max_threads();
    FILE *out = nullptr;
    if (!a.json.empty()) {
        out = std::fopen(a.json.c_str(), "w");
        if (!out) die("cannot write " + a.json);
    }
    std::ostringstream h;
    h << "{\"kind\": \"header\", \"peer\": \"onednn\", \"dnnl_version\": " << json_str(version)
      << ", \"dnnl_hash\": " << json_str(ver->hash ? ver->hash : "") << ", \"cpu_runtime\": "
      << json_str(ver->cpu_runtime == DNNL_RUNTIME_OMP ? "omp" : std::to_string(ver->cpu_runtime))
      << ", \"isa\": " << json_str(isa) << ", \"cpu\": " << json_str(cpu_model())
      << ", \"nproc\": " << omp_get_num_procs() << ", \"omp_max_threads_at_start\": " << omp_at_start
      << ", \"env_OMP_NUM_THREADS\": " << env_json("OMP_NUM_THREADS")
      << ", \"env_OMP_WAIT_POLICY\": " << env_json("OMP_WAIT_POLICY")
      << ", \"env_OMP_PROC_BIND\": " << env_json("OMP_PROC_BIND")
      << ", \"env_GOMP_SPINCOUNT\": " << env_json("GOMP_SPINCOUNT")
      << ", \"env_ONEDNN_MAX_CPU_ISA\": " << env_json("ONEDNN_MAX_CPU_ISA")
      << ", \"env_DNNL_MAX_CPU_ISA\": " << env_json("DNNL_MAX_CPU_ISA")
      << ", \"compiler\": " << json_str(__VERSION__)
      << ", \"weights_reorder\": \"once, outside the timed loop\""
      << ", \"train_timed\": \"zero diff weights + forward_training + backward\""
      << ", \"forward_timed\": \"forward_inference\""
      << ", \"seconds_per_point\": " << a.seconds << ", \"repeats\": " << a.repeats << ", \"warmup\": " << a.warmup
      << ", \"quick\": " << (a.quick ? "true" : "false") << "}";
    if (out) std::fprintf(out, "%s\n", h.str().c_str()), std::fflush(out);
    std::printf("oneDNN %s (%s runtime), ISA %s, %s\n", version.c_str(),
                ver->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP" : "other", isa.c_str(), cpu_model().c_str());
    if (a.quick) std::printf("--quick: smoke run, figures meaningless\n");
    std::printf("%-9s %-16s %3s %5s %11s %8s %10s %8s  %s\n", "cell", "T,B,I,H", "thr", "omp", "forward ms", "GFLOP/s",
                "train ms", "GFLOP/s", "impl (weights layout)");
    for (int threads : a.threads) {
        if (threads > omp_get_num_procs())
            std::fprintf(stderr, "warning: %d threads on %d processors\n", threads, omp_get_num_procs());
        // GNU OpenMP applies the new count to the next parallel region of this thread; oneDNN reads it
        // when a primitive is created and run, so every primitive below is created after this call.
        omp_set_num_threads(threads);
        int team = omp_team_size();
        if (omp_get_max_threads() != threads || team != threads)
            die("asked OpenMP for " + std::to_string(threads) + " threads, got max " +
                std::to_string(omp_get_max_threads()) + ", team " + std::to_string(team) +
                " (OMP_THREAD_LIMIT or OMP_DYNAMIC?)");
        for (Cell cell : a.cells) {
            const CellInfo &ci = cell_info(cell);
            for (const Shape &s : a.shapes) {
                double flops = 2.0 * s.T * s.B * ci.gates * s.H * (double)(s.I + s.H);
                std::map<std::string, double> ms;
                std::string impl;
                for (const std::string &mode : a.modes) {
                    bool train = mode == "train";
                    Runner r(eng, strm, cell, s, train);
                    std::mt19937 g(1);
                    TorchWeights tw;
                    int GH = ci.gates * s.H;
                    float bound = 1.f / std::sqrt((float)s.H);  // PyTorch's default init range
                    tw.w_ih.resize((size_t)GH * s.I);
                    tw.w_hh.resize((size_t)GH * s.H);
                    tw.b_ih.resize(GH);
                    tw.b_hh.resize(GH);
                    for (auto *v : {&tw.w_ih, &tw.w_hh, &tw.b_ih, &tw.b_hh}) fill_uniform(*v, g, -bound, bound);
                    // x and dy as torch_rnn_step.py's (rand − 0.5); zero initial state and zero
                    // final-state gradients, as nn.LSTM(x) and sum(y·dY).backward() give
                    fill_uniform(r.x, g, -0.5f, 0.5f);
                    if (train) fill_uniform(r.dy, g, -0.5f, 0.5f);
                    r.set_weights(tw);
                    std::function<void()> call;
                    if (train) call = [&r]() { r.forward(); r.backward(); };
                    else call = [&r]() { r.forward(); };
                    Timing tm = time_point(call, a);
                    // Spinning OpenMP threads keep CPU time / wall time at the thread count; far below
                    // it, a thread was descheduled at a barrier, which says nothing about oneDNN.
                    const char *wp = std::getenv("OMP_WAIT_POLICY");
                    bool passive = wp && (std::string(wp) == "PASSIVE" || std::string(wp) == "passive");
                    if (threads > 1 && !passive && tm.cpu_per_wall < 0.75 * threads)
                        std::fprintf(stderr, "warning: %s %s %s on %d threads: cpu/wall %.2f, the machine is not idle\n",
                                     ci.name, s.str().c_str(), mode.c_str(), threads, tm.cpu_per_wall);
                    double mult = train ? 3 : 1;
                    ms[mode] = tm.median_ns / 1e6;
                    impl += (impl.empty() ? "" : "; ") + mode + " " + r.fwd_impl() + (train ? "+" + r.bwd_impl() : "") +
                            " (" + r.weights_layout() + ")";
                    if (out) {
                        std::fprintf(out,
                                     "{\"kind\": \"seq\", \"cell\": \"%s\", \"T\": %d, \"B\": %d, \"I\": %d, \"H\": %d, "
                                     "\"threads\": %d, \"mode\": \"%s\", \"ms\": %.6g, \"ms_min\": %.6g, \"gflops\": %.6g, "
                                     "\"omp_threads\": %d, \"cpu_per_wall\": %.3f, \"calls_per_repeat\": %ld, "
                                     "\"impl\": %s, \"weights_layout\": %s, \"onednn\": \"%s\"}\n",
                                     ci.name, s.T, s.B, s.I, s.H, threads, mode.c_str(), tm.median_ns / 1e6,
                                     tm.min_ns / 1e6, mult * flops / tm.median_ns, team, tm.cpu_per_wall, tm.calls,
                                     json_str(r.fwd_impl() + (train ? "+" + r.bwd_impl() : "")).c_str(),
                                     json_str(r.weights_layout()).c_str(), version.c_str());
                        std::fflush(out);
                    }
                }
                auto col = [&](const char *m, double mult) {
                    char b[48];
                    if (ms.count(m)) std::snprintf(b, sizeof b, "%11.2f %8.1f", ms[m], mult * flops / (ms[m] * 1e6));
                    else std::snprintf(b, sizeof b, "%11s %8s", "-", "-");
                    return std::string(b);
                };
                std::printf("%-9s %-16s %3d %5d %s %s  %s\n", ci.name,
                            (std::to_string(s.T) + "," + std::to_string(s.B) + "," + std::to_string(s.I) + "," +
                             std::to_string(s.H)).c_str(),
                            threads, team, col("forward", 1).c_str(), col("train", 3).c_str(), impl.c_str());
                std::fflush(stdout);
            }
        }
    }
    if (out) std::fclose(out);
    return 0;
}

}  // namespace

int main(int argc, char **argv) {
    Args a = parse_args(argc, argv);
    try {
        if (!a.check.empty()) return run_check(a.check, a.bound);
        return run_bench(a);
    } catch (const dnnl::error &e) {
        die(std::string("oneDNN error (status ") + std::to_string((int)e.status) + "): " + e.what());
    } catch (const std::exception &e) {
        die(e.what());
    }
}
