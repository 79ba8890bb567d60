//===- ops.cpp - the runtime's non-GEMM kernels (portable C++) ------------===//
#include "ops.h"
#include "bnrt/bitpack.h"
#include "bnrt/bundle_format.h"
#include "bnrt/kernels.h"
#include "quantizer.h"
#include "scratch.h"
#include "thread_pool.h"
#include "vec_kernels.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>

namespace bnrt {

int64_t View::intAt(int64_t i) const {
  switch (dtype) {
  case fb::DType::I64:
    return static_cast<const int64_t *>(data)[i];
  case fb::DType::I32:
    return static_cast<const int32_t *>(data)[i];
  case fb::DType::I8:
    return static_cast<const int8_t *>(data)[i];
  default:
    return static_cast<int64_t>(static_cast<const float *>(data)[i]);
  }
}

double View::numberAt(int64_t i) const {
  return dtype == fb::DType::F32 ? static_cast<const float *>(data)[i]
                                 : static_cast<double>(intAt(i));
}

namespace {

/// Row-major strides of a shape of rank <= kMaxRank (checked by runOp), in
/// a fixed array: runs must not allocate.
struct Strides {
  int64_t at[kMaxRank] = {};
  int64_t operator[](size_t d) const { return at[d]; }
};

Strides stridesOf(const std::vector<int64_t> &shape) {
  Strides s;
  int64_t stride = 1;
  for (int64_t i = int64_t(shape.size()) - 1; i >= 0; --i) {
    s.at[i] = stride;
    stride *= shape[i];
  }
  return s;
}

/// out = f(a, b) with NumPy broadcasting (shapes validated at load).
template <typename F>
void broadcast(const View &a, const View &b, const View &out, F f) {
  int64_t rank = out.shape.size(), n = out.numElements();
  const float *pa = a.f32(), *pb = b.f32();
  float *po = out.f32();
  if (a.shape == out.shape && b.shape == out.shape) {
    for (int64_t i = 0; i < n; ++i)
      po[i] = f(pa[i], pb[i]);
    return;
  }
  // Strides of a and b in the output's index space (0 on broadcast dims).
  auto aligned = [&](const View &v) {
    Strides st, own = stridesOf(v.shape);
    int64_t off = rank - int64_t(v.shape.size());
    for (int64_t d = 0; d < int64_t(v.shape.size()); ++d)
      st.at[off + d] = v.shape[d] == 1 ? 0 : own[d];
    return st;
  };
  Strides sa = aligned(a), sb = aligned(b), so = stridesOf(out.shape);
  int64_t inner = rank ? out.shape[rank - 1] : 1;
  for (int64_t base = 0; base < n; base += inner) {
    int64_t ia = 0, ib = 0;
    for (int64_t d = 0; d + 1 < rank; ++d) {
      int64_t c = (base / so[d]) % out.shape[d];
      ia += c * sa[d];
      ib += c * sb[d];
    }
    int64_t da = rank ? sa[rank - 1] : 0, db = rank ? sb[rank - 1] : 0;
    for (int64_t j = 0; j < inner; ++j)
      po[base + j] = f(pa[ia + j * da], pb[ib + j * db]);
  }
}

/// The float GEMM (vec_kernels' lane-summed dots), split over weight rows.
void linearF32(const View &x, const View &w, const View *bias, const View &out,
               OpContext &ctx) {
  int64_t k = x.shape.back(), n = w.shape[0], m = x.numElements() / k;
  const VecKernels &vec = vecKernels(ctx.isa);
  constexpr int64_t kTile = 64;
  parallelFor(ctx.pool, (n + kTile - 1) / kTile, [&](int64_t t) {
    vec.linear(x.f32(), w.f32(), bias ? bias->f32() : nullptr, out.f32(), m, k,
               t * kTile, std::min(n, (t + 1) * kTile), n);
  });
}

void batchMatmul(const View &a, const View &b, const View &out,
                 bool transposeRhs) {
  size_t r = a.shape.size();
  int64_t m = a.shape[r - 2], k = a.shape[r - 1];
  int64_t n = transposeRhs ? b.shape[r - 2] : b.shape[r - 1];
  int64_t batch = a.numElements() / (m * k);
  for (int64_t p = 0; p < batch; ++p) {
    const float *A = a.f32() + p * m * k, *B = b.f32() + p * k * n;
    float *C = out.f32() + p * m * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        float acc = 0;
        for (int64_t t = 0; t < k; ++t)
          acc += A[i * k + t] * (transposeRhs ? B[j * k + t] : B[t * n + j]);
        C[i * n + j] = acc;
      }
  }
}

void softmax(const View &x, const View &out, int64_t axis) {
  const auto &shape = x.shape;
  int64_t len = shape[axis], inner = 1, outer = 1;
  for (size_t d = axis + 1; d < shape.size(); ++d)
    inner *= shape[d];
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const float *in = x.f32() + o * len * inner + i;
      float *res = out.f32() + o * len * inner + i;
      float mx = -INFINITY;
      for (int64_t j = 0; j < len; ++j)
        mx = std::max(mx, in[j * inner]);
      double sum = 0;
      for (int64_t j = 0; j < len; ++j)
        sum += std::exp(double(in[j * inner] - mx));
      for (int64_t j = 0; j < len; ++j)
        res[j * inner] =
            static_cast<float>(std::exp(double(in[j * inner] - mx)) / sum);
    }
}

/// The m rows of k codes at `x` with row stride lda >= k, zero-padded in
/// `scratch` when lda > k (the GEMM kernels read whole padded rows).
const int8_t *paddedRows(const int8_t *x, int64_t m, int64_t k, int64_t lda,
                         std::vector<int8_t> &scratch) {
  if (lda == k)
    return x;
  scratch.assign(m * lda, 0);
  for (int64_t i = 0; i < m; ++i)
    std::memcpy(scratch.data() + i * lda, x + i * k, k);
  return scratch.data();
}

/// The bit-plane GEMM on int8 codes: pads K to whole 64-column words when
/// needed (the kernels' contract), then runs the ISA's kernel.
void linearBits(const std::vector<View> &in, const View &out, const OpAttrs &op,
                OpContext &ctx) {
  const View &codes = in[0], &scale = in[1], &bits = in[2], &alpha = in[3];
  const View *bias = in.size() > 4 ? &in[4] : nullptr;
  int64_t k = codes.shape.back(), m = codes.numElements() / k;
  int64_t n = bits.shape[1], lda = bnrt_bitpack_row_words(k) * 64;
  const int8_t *x = paddedRows(codes.i8(), m, k, lda, *ctx.scratch);
  // One scale per sequence (dynamic per-sequence quantization): each
  // sequence's rows are their own GEMM with their own scale.
  int64_t sequences = scale.numElements(), rows = m / sequences;
  for (int64_t s = 0; s < sequences; ++s) {
    bnrt_bgemm_args args{rows,
                         n,
                         k,
                         x + s * rows * lda,
                         lda,
                         scale.f32()[s],
                         static_cast<const uint64_t *>(bits.data),
                         static_cast<int32_t>(op.ints[0]),
                         alpha.f32(),
                         static_cast<int32_t>(op.ints[1]),
                         bias ? bias->f32() : nullptr,
                         out.f32() + s * rows * n,
                         n,
                         ctx.packedWeights,
                         static_cast<int32_t>(op.numInts > 2 ? op.ints[2] : 0)};
    bnrt_bgemm_a8_parallel(&args, static_cast<bnrt_isa>(ctx.isa), ctx.pool);
  }
}

constexpr int64_t kMinChunk = 16384;
constexpr int kMaxChunks = 256;

/// fn(begin, end) over [0, n) units of `unit` elements, in chunks across
/// the pool (elementwise or per-row work: any split gives the same bits).
/// Work under kMinChunk elements per chunk runs inline; element chunks
/// start on multiples of 64 (whole vectors).
void chunked(::bnrt_threads *pool, int64_t n,
             FunctionRef<void(int64_t, int64_t)> fn, int64_t unit = 1) {
  int64_t grain = std::max<int64_t>(1, kMinChunk / unit);
  int64_t align = unit == 1 ? 64 : 1;
  int64_t chunks =
      std::min<int64_t>(std::min(4 * bnrt_threads_count(pool), kMaxChunks),
                        (n + grain - 1) / grain);
  if (chunks <= 1) {
    fn(0, n);
    return;
  }
  parallelFor(pool, chunks, [&](int64_t c) {
    int64_t begin = n * c / chunks / align * align;
    int64_t end = c + 1 == chunks ? n : n * (c + 1) / chunks / align * align;
    fn(begin, end);
  });
}

/// y = x_scale * (w_scale(n) * sum_k codes[m, k] W[n, k]) + bias[n], the
/// sums exact on igemm; row tiles across the pool.
void linearI8(const std::vector<View> &in, const View &out, bool perRow,
              OpContext &ctx) {
  const View &codes = in[0], &weight = in[2];
  const float *xScales = in[1].f32(), *wScale = in[3].f32();
  const float *bias = in.size() > 4 ? in[4].f32() : nullptr;
  int64_t k = codes.shape.back(), m = codes.numElements() / k;
  int64_t n = weight.shape[0], lda = (k + 3) / 4 * 4;
  // One x scale, or one per sequence of m / sequences rows.
  int64_t rowsPerScale = m / in[1].numElements();
  // igemm reads rows in whole 4-byte pieces.
  const int8_t *x = paddedRows(codes.i8(), m, k, lda, *ctx.scratch);
  constexpr int64_t kTile = 16;
  auto isa = static_cast<bnrt_isa>(ctx.isa);
  parallelFor(ctx.pool, (m + kTile - 1) / kTile, [&](int64_t t) {
    int64_t m0 = t * kTile, rows = std::min(kTile, m - m0);
    int32_t *dots =
        threadScratch<int32_t>(ScratchSlot::LinearI8Dots, kTile * n);
    bnrt_igemm_args args{rows, n, k, x + m0 * lda, lda, ctx.packedWeights,
                         dots, n};
    bnrt_igemm(&args, isa, 0, rows);
    for (int64_t i = 0; i < rows; ++i) {
      float *y = out.f32() + (m0 + i) * n;
      float xScale = xScales[(m0 + i) / rowsPerScale];
      for (int64_t j = 0; j < n; ++j) {
        float v = xScale * (wScale[perRow ? j : 0] *
                            static_cast<float>(dots[i * n + j]));
        y[j] = bias ? v + bias[j] : v;
      }
    }
  });
}

/// f(x) in double, rounded once to float: the float functions of glibc
/// differ between x86-64 and AArch64 in the last bit (tanhf does), the
/// double ones agree after the rounding, so every target computes the same
/// bits.
float viaDouble(double (*f)(double), float x) {
  return static_cast<float>(f(static_cast<double>(x)));
}

/// The message for an id outside a table of `vocab` rows.
std::string idError(int64_t id, int64_t position, int64_t vocab) {
  return "id " + std::to_string(id) + " at position " +
         std::to_string(position) + " is outside the table's " +
         std::to_string(vocab) + " rows";
}

} // namespace

const char *opCodeName(fb::OpCode code) {
  const char *name = fb::EnumNameOpCode(code);
  return name && *name ? name : "unknown";
}

void packOpWeights(fb::OpCode code, const std::vector<View> &in, int isa,
                   std::vector<uint64_t> &packed) {
  packed.clear();
  if (code == fb::OpCode::LinearBits) {
    const View &codes = in[0], &bits = in[2];
    int64_t n = bits.shape[1], k = codes.shape.back();
    auto planes = static_cast<int32_t>(bits.shape[0]);
    auto target = static_cast<bnrt_isa>(isa);
    packed.assign(bnrt_bgemm_packed_bytes(n, k, planes, target) / 8, 0);
    if (!packed.empty())
      bnrt_bgemm_pack(static_cast<const uint64_t *>(bits.data), n, k, planes,
                      target, packed.data());
  } else if (code == fb::OpCode::LinearI8) {
    const View &weight = in[2];
    int64_t n = weight.shape[0], k = weight.shape[1];
    // igemm's right-hand side b[k][n] = W[n][k]; the same for every ISA.
    packed.assign((bnrt_igemm_packed_bytes(k, n) + 7) / 8, 0);
    bnrt_igemm_pack(weight.i8(), k, n, 1, k, packed.data());
  }
}

bool runOp(const OpAttrs &op, const std::vector<View> &in,
           const std::vector<View> &out, OpContext &ctx, std::string &error) {
  for (const std::vector<View> *views : {&in, &out})
    for (const View &v : *views)
      if (v.shape.size() > kMaxRank) { // bundles are checked at load
        error = "rank " + std::to_string(v.shape.size()) + " exceeds " +
                std::to_string(kMaxRank);
        return false;
      }
  auto ints = [&](int i) { return op.ints[i]; };
  auto floats = [&](int i) { return op.floats[i]; };
  const VecKernels &vec = vecKernels(ctx.isa);
  auto unary = [&](auto f) {
    int64_t n = out[0].numElements();
    const float *x = in[0].f32();
    float *y = out[0].f32();
    for (int64_t i = 0; i < n; ++i)
      y[i] = f(x[i]);
  };
  switch (op.code) {
  case fb::OpCode::Embedding: {
    const View &table = in[0], &ids = in[1];
    int64_t vocab = table.shape[0], h = table.shape[1];
    for (int64_t i = 0, n = ids.numElements(); i < n; ++i) {
      int64_t id = ids.intAt(i);
      if (id < 0 || id >= vocab) {
        error = idError(id, i, vocab);
        return false;
      }
      std::memcpy(out[0].f32() + i * h, table.f32() + id * h, h * 4);
    }
    return true;
  }
  case fb::OpCode::EmbeddingBits: {
    // Row id of W = sum_p alpha_p(id) B_p, decoded from the packed planes.
    const View &bits = in[0], &alpha = in[1], &ids = in[2];
    int64_t planes = ints(0), perRow = ints(1);
    int64_t vocab = bits.shape[1], h = out[0].shape.back();
    int64_t words = bits.shape[2];
    const uint64_t *planeBits = static_cast<const uint64_t *>(bits.data);
    for (int64_t i = 0, n = ids.numElements(); i < n; ++i) {
      int64_t id = ids.intAt(i);
      if (id < 0 || id >= vocab) {
        error = idError(id, i, vocab);
        return false;
      }
      float *row = out[0].f32() + i * h;
      std::fill(row, row + h, 0.0f);
      for (int64_t p = 0; p < planes; ++p) {
        float a = alpha.f32()[p * (perRow ? vocab : 1) + (perRow ? id : 0)];
        const uint64_t *r = planeBits + (p * vocab + id) * words;
        for (int64_t j = 0; j < h; ++j)
          row[j] += a * bnrt_bitpack_sign(r, j);
      }
    }
    return true;
  }
  case fb::OpCode::LayerNorm: {
    int64_t h = in[0].shape.back();
    chunked(
        ctx.pool, in[0].numElements() / h,
        [&](int64_t r0, int64_t r1) {
          vec.layerNorm(in[0].f32() + r0 * h, in[1].f32(), in[2].f32(),
                        out[0].f32() + r0 * h, r1 - r0, h, floats(0));
        },
        h);
    return true;
  }
  case fb::OpCode::LinearF32:
    linearF32(in[0], in[1], in.size() > 2 ? &in[2] : nullptr, out[0], ctx);
    return true;
  case fb::OpCode::LinearBits:
    linearBits(in, out[0], op, ctx);
    return true;
  case fb::OpCode::LinearI8:
    linearI8(in, out[0], ints(0) != 0, ctx);
    return true;
  case fb::OpCode::BatchMatmul:
    batchMatmul(in[0], in[1], out[0], ints(0) != 0);
    return true;
  case fb::OpCode::Softmax:
    softmax(in[0], out[0], ints(0));
    return true;
  case fb::OpCode::Gelu:
    chunked(ctx.pool, out[0].numElements(), [&](int64_t i0, int64_t i1) {
      vec.gelu(in[0].f32() + i0, out[0].f32() + i0, i1 - i0, ints(0) != 0);
    });
    return true;
  case fb::OpCode::Tanh:
    unary([](float x) { return viaDouble(std::tanh, x); });
    return true;
  case fb::OpCode::Add:
    if (in[0].shape == in[1].shape) {
      chunked(ctx.pool, out[0].numElements(), [&](int64_t i0, int64_t i1) {
        vec.add(in[0].f32() + i0, in[1].f32() + i0, out[0].f32() + i0, i1 - i0);
      });
      return true;
    }
    broadcast(in[0], in[1], out[0], [](float a, float b) { return a + b; });
    return true;
  case fb::OpCode::Sub:
    broadcast(in[0], in[1], out[0], [](float a, float b) { return a - b; });
    return true;
  case fb::OpCode::Mul:
    broadcast(in[0], in[1], out[0], [](float a, float b) { return a * b; });
    return true;
  case fb::OpCode::Div:
    broadcast(in[0], in[1], out[0], [](float a, float b) { return a / b; });
    return true;
  case fb::OpCode::Pow:
    broadcast(in[0], in[1], out[0],
              [](float a, float b) { return std::pow(a, b); });
    return true;
  case fb::OpCode::Copy: {
    int64_t bytes = in[0].numElements() * (in[0].dtype == fb::DType::I64  ? 8
                                           : in[0].dtype == fb::DType::I8 ? 1
                                                                          : 4);
    if (out[0].data != in[0].data)
      std::memmove(out[0].data, in[0].data, bytes);
    return true;
  }
  case fb::OpCode::Transpose: {
    const View &x = in[0];
    size_t rank = x.shape.size();
    Strides is = stridesOf(x.shape), os = stridesOf(out[0].shape);
    int64_t n = x.numElements();
    for (int64_t o = 0; o < n; ++o) {
      int64_t src = 0;
      for (size_t d = 0; d < rank; ++d)
        src += ((o / os[d]) % out[0].shape[d]) * is[ints(d)];
      out[0].f32()[o] = x.f32()[src];
    }
    return true;
  }
  case fb::OpCode::Slice: {
    const View &x = in[0];
    size_t rank = x.shape.size();
    Strides is = stridesOf(x.shape), os = stridesOf(out[0].shape);
    int64_t n = out[0].numElements();
    for (int64_t o = 0; o < n; ++o) {
      int64_t src = 0;
      for (size_t d = 0; d < rank; ++d)
        src += ((o / os[d]) % out[0].shape[d] + ints(d)) * is[d];
      out[0].f32()[o] = x.f32()[src];
    }
    return true;
  }
  case fb::OpCode::Cast: {
    int64_t n = in[0].numElements();
    for (int64_t i = 0; i < n; ++i) {
      switch (out[0].dtype) {
      case fb::DType::F32:
        out[0].f32()[i] = static_cast<float>(in[0].numberAt(i));
        break;
      case fb::DType::I64:
        static_cast<int64_t *>(out[0].data)[i] = in[0].intAt(i);
        break;
      case fb::DType::I32:
        static_cast<int32_t *>(out[0].data)[i] =
            static_cast<int32_t>(in[0].intAt(i));
        break;
      default:
        out[0].i8()[i] = static_cast<int8_t>(in[0].intAt(i));
      }
    }
    return true;
  }
  case fb::OpCode::Clamp: {
    float lo = floats(0), hi = floats(1);
    unary([&](float x) { return std::min(std::max(x, lo), hi); });
    return true;
  }
  case fb::OpCode::ReduceSum: {
    int64_t inner = in[0].shape.back(), rows = in[0].numElements() / inner;
    for (int64_t r = 0; r < rows; ++r) {
      float acc = 0;
      for (int64_t j = 0; j < inner; ++j)
        acc += in[0].f32()[r * inner + j];
      out[0].f32()[r] = acc;
    }
    return true;
  }
  case fb::OpCode::ReduceMean: {
    const View &x = in[0];
    Strides is = stridesOf(x.shape), os = stridesOf(out[0].shape);
    int64_t outCount = out[0].numElements();
    double *sums = threadScratch<double>(ScratchSlot::ReduceMeanSums, outCount);
    std::fill(sums, sums + outCount, 0.0);
    int64_t n = x.numElements();
    for (int64_t i = 0; i < n; ++i) {
      int64_t o = 0;
      for (size_t d = 0; d < x.shape.size(); ++d)
        if (out[0].shape[d] != 1)
          o += ((i / is[d]) % x.shape[d]) * os[d];
      sums[o] += x.f32()[i];
    }
    double count = double(x.numElements()) / double(outCount);
    for (int64_t o = 0; o < outCount; ++o)
      out[0].f32()[o] = static_cast<float>(sums[o] / count);
    return true;
  }
  case fb::OpCode::PositionIds: {
    int64_t batch = out[0].shape[0], seq = out[0].shape[1], pad = ints(0);
    for (int64_t b = 0; b < batch; ++b) {
      int64_t count = 0;
      for (int64_t j = 0; j < seq; ++j) {
        bool padding = in[0].intAt(b * seq + j) == pad;
        count += padding ? 0 : 1;
        static_cast<int64_t *>(out[0].data)[b * seq + j] =
            padding ? pad : pad + count;
      }
    }
    return true;
  }
  case fb::OpCode::LengthMask: {
    int64_t batch = out[0].shape[0], seq = out[0].shape[1];
    float filter = floats(0);
    for (int64_t b = 0; b < batch; ++b) {
      double length = in[0].numberAt(b);
      for (int64_t j = 0; j < seq; ++j)
        out[0].f32()[b * seq + j] = double(j) < length ? 0.0f : filter;
    }
    return true;
  }
  case fb::OpCode::Attention:
    attention(in, out[0], ints(0), static_cast<int>(ints(1)), floats(0),
              floats(1), ctx);
    return true;
  case fb::OpCode::AttentionI8:
    attentionI8(in, out[0], ints(0), static_cast<int>(ints(1)), floats(0),
                floats(1), ctx);
    return true;
  case fb::OpCode::Quantize: {
    int64_t n = in[0].numElements(), sequences = out[1].numElements();
    int bits = static_cast<int>(ints(0));
    if (sequences > 1 || in.size() > 1) {
      // Dynamic, one scale per sequence (index of the leading axis), its max
      // over the rows the optional mask [B, S] keeps: padding never sets a
      // sequence's scale.
      int64_t per = n / sequences, rows = in[0].shape[1], width = per / rows;
      const float *mask = in.size() > 1 ? in[1].f32() : nullptr;
      parallelFor(ctx.pool, sequences, [&](int64_t b) {
        const float *x = in[0].f32() + b * per;
        float clip = 0;
        for (int64_t r = 0; r < rows; ++r)
          if (!mask || mask[b * rows + r] == 0.0f)
            clip = std::max(clip, vec.absMax(x + r * width, width));
        out[1].f32()[b] = quantScaleOf(clip, bits);
      });
      // The codes in chunks across the pool (batch 1 too).
      for (int64_t b = 0; b < sequences; ++b)
        chunked(ctx.pool, per, [&](int64_t i0, int64_t i1) {
          vec.quantize(in[0].f32() + b * per + i0, out[0].i8() + b * per + i0,
                       i1 - i0, out[1].f32()[b], bits);
        });
      return true;
    }
    float clip = op.numFloats ? floats(0) : 0.0f;
    if (!op.numFloats) { // max is order-independent: chunk maxima
      float maxima[kMaxChunks] = {};
      std::atomic<int> slot{0};
      chunked(ctx.pool, n, [&](int64_t i0, int64_t i1) {
        maxima[slot++] = vec.absMax(in[0].f32() + i0, i1 - i0);
      });
      clip = vec.absMax(maxima, kMaxChunks);
    }
    float s = quantScaleOf(clip, bits);
    chunked(ctx.pool, n, [&](int64_t i0, int64_t i1) {
      vec.quantize(in[0].f32() + i0, out[0].i8() + i0, i1 - i0, s, bits);
    });
    out[1].f32()[0] = s;
    return true;
  }
  case fb::OpCode::Dequantize: {
    int64_t sequences = in[1].numElements();
    int64_t per = out[0].numElements() / sequences;
    for (int64_t b = 0; b < sequences; ++b)
      chunked(ctx.pool, per, [&](int64_t i0, int64_t i1) {
        vec.dequantize(in[0].i8() + b * per + i0, out[0].f32() + b * per + i0,
                       i1 - i0, in[1].f32()[b]);
      });
    return true;
  }
  case fb::OpCode::Unary: {
    switch (ints(0)) {
    case 0:
      unary([](float x) { return viaDouble(std::erf, x); });
      break;
    case 1:
      unary([](float x) { return std::sqrt(x); });
      break;
    case 2:
      unary([](float x) { return viaDouble(std::exp, x); });
      break;
    case 3:
      unary([](float x) { return -x; });
      break;
    case 4:
      unary([](float x) { return x > 0 ? x : 0.0f; });
      break;
    default:
      unary([](float x) { return 1.0f / (1.0f + viaDouble(std::exp, -x)); });
    }
    return true;
  }
  }
  error = "unknown op code";
  return false;
}

} // namespace bnrt
