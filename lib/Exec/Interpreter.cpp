//===- Interpreter.cpp - reference executor for bnq functions -------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "bnbert/Exec/Interpreter.h"
#include "bnq/BnqOps.h"
#include "bnq/ElementsAccess.h"
#include "bnq/WeightValues.h"
#include "bnrt/integer_nonlinear.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <numeric>
#include <optional>

using namespace mlir;
using namespace bnbert::bnq;

namespace bnbert::exec {

Tensor Tensor::f32(std::vector<int64_t> shape, std::vector<float> data) {
  Tensor t;
  t.shape = std::move(shape);
  t.floats = std::move(data);
  return t;
}

Tensor Tensor::i64(std::vector<int64_t> shape, std::vector<int64_t> data) {
  Tensor t;
  t.shape = std::move(shape);
  t.ints = std::move(data);
  t.isInteger = true;
  return t;
}

int64_t Tensor::numElements() const {
  return std::accumulate(shape.begin(), shape.end(), int64_t{1},
                         std::multiplies<int64_t>());
}

namespace {

/// Symmetric per-tensor quantizer of docs/dialect.md: scale = c / qmax with
/// c the static clip or max|x| (scale 1 when c = 0).
float quantScale(const std::vector<float> &x, int bits,
                 std::optional<float> clip) {
  float qmax = static_cast<float>((1 << (bits - 1)) - 1);
  float c = 0;
  if (clip) {
    c = *clip;
  } else {
    for (float v : x)
      c = std::max(c, std::fabs(v));
  }
  return c == 0 ? 1.0f : c / qmax;
}

int64_t quantizeValue(float x, float scale, int bits) {
  float qmax = static_cast<float>((1 << (bits - 1)) - 1);
  float q = std::nearbyint(x / scale); // round half to even
  return static_cast<int64_t>(std::min(std::max(q, -qmax), qmax));
}

float geluErf(float x) {
  return static_cast<float>(0.5 * x * (1 + std::erf(x / std::sqrt(2.0))));
}

float geluTanh(float x) {
  double c = std::sqrt(2.0 / M_PI);
  return static_cast<float>(0.5 * x *
                            (1 + std::tanh(c * (x + 0.044715 * x * x * x))));
}

float geluInteger(float x) {
  static const bnrt::integer::GeluConstants c = bnrt::integer::geluConstants();
  return bnrt::integer::gelu(x, c);
}

/// The GELU a gelu op, or a quantize's folded input_gelu, computes.
float (*geluOf(GeluApproximation approximation, bool integer))(float) {
  if (integer)
    return geluInteger;
  return approximation == GeluApproximation::erf ? geluErf : geluTanh;
}

/// BiT's elastic binarization of docs/dialect.md, "1-bit activations":
/// v = (x - beta) / alpha in f32, then the code.
int64_t binarizedCode(float x, float alpha, float beta, bool signedCodes) {
  float v = (x - beta) / alpha;
  return signedCodes ? (v < 0.0f ? -1 : 1) : v > 0.5f;
}

/// Row-major strides of a shape.
std::vector<int64_t> strides(const std::vector<int64_t> &shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    s[i] = s[i + 1] * shape[i + 1];
  return s;
}

class Interpreter {
public:
  FailureOr<std::vector<Tensor>> run(func::FuncOp func,
                                     ArrayRef<Tensor> arguments);

private:
  LogicalResult execute(Operation *op);
  const Tensor &get(Value v) { return values.find(v)->second; }
  LogicalResult set(Operation *op, Value v, Tensor t);

  LogicalResult constant(arith::ConstantOp op);
  LogicalResult embedding(EmbeddingOp op);
  LogicalResult layerNorm(LayerNormOp op);
  LogicalResult linear(LinearOp op);
  LogicalResult batchMatmul(BatchMatmulOp op);
  LogicalResult softmax(SoftmaxOp op);
  LogicalResult unary(Operation *op, float (*fn)(float));
  LogicalResult binary(Operation *op, float (*fn)(float, float));
  LogicalResult transpose(TransposeOp op);
  LogicalResult slice(SliceOp op);
  LogicalResult attention(AttentionOp op);
  LogicalResult quantize(QuantizeOp op);

  llvm::DenseMap<Value, Tensor> values;
  std::vector<Tensor> results;
};

/// The static shape of `v`'s type, or failure with a diagnostic at `op`.
FailureOr<std::vector<int64_t>> staticShape(Operation *op, Value v) {
  auto type = llvm::dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape()) {
    op->emitOpError("reference executor needs static shapes, got ")
        << v.getType();
    return failure();
  }
  return std::vector<int64_t>(type.getShape().begin(), type.getShape().end());
}

LogicalResult Interpreter::set(Operation *op, Value v, Tensor t) {
  auto shape = staticShape(op, v);
  if (failed(shape))
    return failure();
  if (*shape != t.shape)
    return op->emitOpError("reference executor computed a result of another "
                           "shape than the result type");
  values[v] = std::move(t);
  return success();
}

FailureOr<std::vector<Tensor>> Interpreter::run(func::FuncOp func,
                                                ArrayRef<Tensor> arguments) {
  if (!func.getBody().hasOneBlock())
    return func.emitOpError("reference executor needs a single-block body");
  Block &body = func.getBody().front();
  if (arguments.size() != body.getNumArguments())
    return func.emitOpError("expects ")
           << body.getNumArguments() << " arguments, got " << arguments.size();
  for (auto [arg, tensor] : llvm::zip(body.getArguments(), arguments)) {
    auto shape = staticShape(func, arg);
    if (failed(shape))
      return failure();
    bool isFloat =
        llvm::cast<TensorType>(arg.getType()).getElementType().isF32();
    if (*shape != tensor.shape || isFloat == tensor.isInteger ||
        static_cast<int64_t>(isFloat
                                 ? tensor.floats.size()
                                 : tensor.ints.size()) != tensor.numElements())
      return func.emitOpError("argument #")
             << arg.getArgNumber() << " does not match its type "
             << arg.getType();
    values[arg] = tensor;
  }
  for (Operation &op : body)
    if (failed(execute(&op)))
      return failure();
  return results;
}

LogicalResult Interpreter::execute(Operation *op) {
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](func::ReturnOp ret) {
        for (Value v : ret.getOperands())
          results.push_back(get(v));
        return success();
      })
      .Case([&](arith::ConstantOp c) { return constant(c); })
      .Case<QuantWeightOp, BitplaneWeightOp, PackedWeightOp>(
          [&](Operation *w) -> LogicalResult {
            auto values = weightValues(w);
            auto shape = staticShape(w, w->getResult(0));
            if (failed(values) || failed(shape))
              return w->emitOpError("cannot read the weight's data");
            return set(w, w->getResult(0),
                       Tensor::f32(*shape, std::move(*values)));
          })
      .Case([&](EmbeddingOp e) { return embedding(e); })
      .Case([&](LayerNormOp l) { return layerNorm(l); })
      .Case([&](LinearOp l) { return linear(l); })
      .Case([&](BatchMatmulOp m) { return batchMatmul(m); })
      .Case([&](SoftmaxOp s) { return softmax(s); })
      .Case([&](GeluOp g) {
        return unary(g, geluOf(g.getApproximation(), g.getInteger()));
      })
      .Case([&](TanhOp t) {
        return unary(t, [](float x) { return std::tanh(x); });
      })
      .Case([&](AddOp o) {
        return binary(o, [](float a, float b) { return a + b; });
      })
      .Case([&](SubOp o) {
        return binary(o, [](float a, float b) { return a - b; });
      })
      .Case([&](MulOp o) {
        return binary(o, [](float a, float b) { return a * b; });
      })
      .Case([&](DivOp o) {
        return binary(o, [](float a, float b) { return a / b; });
      })
      .Case([&](ReshapeOp r) {
        Tensor t = get(r.getInput());
        auto shape = staticShape(r, r.getResult());
        if (failed(shape))
          return failure();
        t.shape = *shape;
        return set(r, r.getResult(), std::move(t));
      })
      .Case([&](TransposeOp t) { return transpose(t); })
      .Case([&](SliceOp s) { return slice(s); })
      .Case([&](CastOp c) {
        const Tensor &x = get(c.getInput());
        if (getElementTypeOrSelf(c.getType()).isF32()) {
          std::vector<float> out(x.numElements());
          for (size_t i = 0; i < out.size(); ++i)
            out[i] = x.isInteger ? static_cast<float>(x.ints[i]) : x.floats[i];
          return set(c, c.getResult(), Tensor::f32(x.shape, std::move(out)));
        }
        std::vector<int64_t> out(x.numElements());
        for (size_t i = 0; i < out.size(); ++i)
          out[i] = x.isInteger ? x.ints[i] : static_cast<int64_t>(x.floats[i]);
        return set(c, c.getResult(), Tensor::i64(x.shape, std::move(out)));
      })
      .Case([&](UnaryOp u) {
        switch (u.getFunction()) {
        case UnaryFunction::erf:
          return unary(u, [](float x) { return std::erf(x); });
        case UnaryFunction::sqrt:
          return unary(u, [](float x) { return std::sqrt(x); });
        case UnaryFunction::exp:
          return unary(u, [](float x) { return std::exp(x); });
        case UnaryFunction::neg:
          return unary(u, [](float x) { return -x; });
        case UnaryFunction::relu:
          return unary(u, [](float x) { return x > 0 ? x : 0.0f; });
        case UnaryFunction::sigmoid:
          return unary(u, [](float x) { return 1.0f / (1.0f + std::exp(-x)); });
        }
        return failure();
      })
      .Case([&](PowOp o) {
        return binary(o, [](float a, float b) { return std::pow(a, b); });
      })
      .Case([&](ReduceMeanOp r) -> LogicalResult {
        const Tensor &x = get(r.getInput());
        auto shape = staticShape(r, r.getResult());
        if (failed(shape))
          return failure();
        std::vector<int64_t> inStrides = strides(x.shape),
                             outStrides = strides(*shape);
        int64_t outCount = 1;
        for (int64_t d : *shape)
          outCount *= d;
        std::vector<double> sums(outCount, 0.0);
        for (int64_t i = 0; i < x.numElements(); ++i) {
          int64_t out = 0;
          for (size_t d = 0; d < x.shape.size(); ++d) {
            int64_t coord = (i / inStrides[d]) % x.shape[d];
            if ((*shape)[d] != 1)
              out += coord * outStrides[d];
          }
          sums[out] += x.floats[i];
        }
        double count = double(x.numElements()) / double(outCount);
        std::vector<float> out(outCount);
        for (int64_t i = 0; i < outCount; ++i)
          out[i] = static_cast<float>(sums[i] / count);
        return set(r, r.getResult(), Tensor::f32(*shape, std::move(out)));
      })
      .Case([&](ClampOp c) {
        float lo = c.getMin().convertToFloat(),
              hi = c.getMax().convertToFloat();
        Tensor t = get(c.getInput());
        for (float &v : t.floats)
          v = std::min(std::max(v, lo), hi);
        return set(c, c.getResult(), std::move(t));
      })
      .Case([&](ReduceSumOp r) {
        const Tensor &x = get(r.getInput());
        int64_t inner = x.shape.back(), outer = x.numElements() / inner;
        std::vector<float> out(outer, 0.0f);
        for (int64_t i = 0; i < outer; ++i)
          for (int64_t j = 0; j < inner; ++j)
            out[i] += x.floats[i * inner + j];
        std::vector<int64_t> shape(x.shape.begin(), x.shape.end() - 1);
        return set(r, r.getResult(), Tensor::f32(shape, std::move(out)));
      })
      .Case([&](PositionIdsOp p) {
        const Tensor &ids = get(p.getIds());
        int64_t batch = ids.shape[0], seq = ids.shape[1];
        int64_t pad = p.getPaddingIdxAttr().getInt();
        std::vector<int64_t> out(batch * seq);
        for (int64_t b = 0; b < batch; ++b) {
          int64_t count = 0;
          for (int64_t j = 0; j < seq; ++j) {
            bool padding = ids.ints[b * seq + j] == pad;
            count += padding ? 0 : 1;
            out[b * seq + j] = padding ? pad : pad + count;
          }
        }
        return set(p, p.getResult(), Tensor::i64(ids.shape, std::move(out)));
      })
      .Case([&](LengthMaskOp m) {
        const Tensor &lengths = get(m.getLengths());
        auto shape = staticShape(m, m.getResult());
        if (failed(shape))
          return failure();
        int64_t batch = (*shape)[0], seq = (*shape)[1];
        float filter = m.getFilterValue().convertToFloat();
        std::vector<float> out(batch * seq);
        for (int64_t b = 0; b < batch; ++b) {
          double length = lengths.isInteger ? double(lengths.ints[b])
                                            : double(lengths.floats[b]);
          for (int64_t j = 0; j < seq; ++j)
            out[b * seq + j] = double(j) < length ? 0.0f : filter;
        }
        return set(m, m.getResult(), Tensor::f32(*shape, std::move(out)));
      })
      .Case([&](AttentionOp a) { return attention(a); })
      .Case([&](QuantizeOp q) { return quantize(q); })
      .Case([&](BinarizeOp b) -> LogicalResult {
        const Tensor &x = get(b.getInput());
        float alpha = b.getAlpha().convertToFloat();
        float beta = b.getBeta().convertToFloat();
        std::vector<int64_t> codes(x.floats.size());
        for (size_t i = 0; i < codes.size(); ++i)
          codes[i] =
              binarizedCode(x.floats[i], alpha, beta, b.getSignedCodes());
        if (failed(
                set(b, b.getResult(), Tensor::i64(x.shape, std::move(codes)))))
          return failure();
        return set(b, b.getScale(), Tensor::f32({}, {alpha}));
      })
      .Case([&](DequantizeOp d) {
        const Tensor &q = get(d.getInput());
        const std::vector<float> &scales = get(d.getScale()).floats;
        size_t per = q.ints.size() / scales.size(); // per-sequence scales
        std::vector<float> out(q.ints.size());
        for (size_t i = 0; i < out.size(); ++i)
          out[i] = scales[i / per] * static_cast<float>(q.ints[i]);
        return set(d, d.getResult(), Tensor::f32(q.shape, std::move(out)));
      })
      .Default([](Operation *op) {
        return op->emitOpError("is not supported by the reference executor");
      });
}

LogicalResult Interpreter::constant(arith::ConstantOp op) {
  auto elements = llvm::dyn_cast<ElementsAttr>(op.getValue());
  auto shape = staticShape(op, op.getResult());
  if (!elements || failed(shape))
    return op.emitOpError("reference executor supports tensor constants only");
  Type type = elements.getElementType();
  int64_t size = elements.getNumElements();
  auto read = [&](auto tag, auto &out) -> LogicalResult {
    using T = decltype(tag);
    auto values = getElementValues<T>(elements);
    if (failed(values))
      return op.emitOpError("cannot read the constant's data");
    out.resize(size);
    for (int64_t i = 0; i < size; ++i)
      out[i] = (*values)[i];
    return success();
  };
  Tensor t;
  t.shape = *shape;
  LogicalResult ok = failure();
  if (type.isF32()) {
    ok = read(float{}, t.floats);
  } else if (type.isSignlessInteger(64)) {
    t.isInteger = true;
    ok = read(int64_t{}, t.ints);
  } else if (type.isSignlessInteger(32)) {
    t.isInteger = true;
    ok = read(int32_t{}, t.ints);
  } else if (type.isSignlessInteger(8)) {
    t.isInteger = true;
    ok = read(int8_t{}, t.ints);
  } else {
    return op.emitOpError("reference executor does not support element type ")
           << type;
  }
  if (failed(ok))
    return failure();
  return set(op, op.getResult(), std::move(t));
}

LogicalResult Interpreter::embedding(EmbeddingOp op) {
  const Tensor &table = get(op.getTable());
  const Tensor &ids = get(op.getIds());
  int64_t vocab = table.shape[0], width = table.shape[1];
  std::vector<float> out;
  out.reserve(ids.ints.size() * width);
  for (int64_t id : ids.ints) {
    if (id < 0 || id >= vocab)
      return op.emitOpError("id ")
             << id << " is outside the table [0, " << vocab << ")";
    out.insert(out.end(), table.floats.begin() + id * width,
               table.floats.begin() + (id + 1) * width);
  }
  std::vector<int64_t> shape = ids.shape;
  shape.push_back(width);
  return set(op, op.getResult(), Tensor::f32(shape, std::move(out)));
}

LogicalResult Interpreter::layerNorm(LayerNormOp op) {
  Tensor x = get(op.getInput());
  if (op.getResidual()) {
    const Tensor &residual = get(op.getResidual());
    if (residual.shape != x.shape)
      return op.emitOpError("residual shape differs from the input's");
    for (size_t i = 0; i < x.floats.size(); ++i)
      x.floats[i] += residual.floats[i];
  }
  const Tensor &gamma = get(op.getGamma()), &beta = get(op.getBeta());
  double eps = op.getEpsilon().convertToDouble();
  int64_t width = x.shape.back(), rows = x.numElements() / width;
  std::vector<float> out(x.floats.size());
  if (op.getInteger()) {
    std::vector<int32_t> work(width);
    int64_t epsilon =
        bnrt::integer::varianceEpsilon(op.getEpsilon().convertToFloat());
    for (int64_t r = 0; r < rows; ++r)
      bnrt::integer::layerNorm(x.floats.data() + r * width, gamma.floats.data(),
                               beta.floats.data(), out.data() + r * width,
                               width, epsilon, work.data());
    return set(op, op.getResult(), Tensor::f32(x.shape, std::move(out)));
  }
  for (int64_t r = 0; r < rows; ++r) {
    const float *row = x.floats.data() + r * width;
    double mean = 0, var = 0;
    for (int64_t i = 0; i < width; ++i)
      mean += row[i];
    mean /= width;
    for (int64_t i = 0; i < width; ++i)
      var += (row[i] - mean) * (row[i] - mean);
    var /= width;
    double inv = 1.0 / std::sqrt(var + eps);
    for (int64_t i = 0; i < width; ++i)
      out[r * width + i] = static_cast<float>(
          (row[i] - mean) * inv * gamma.floats[i] + beta.floats[i]);
  }
  return set(op, op.getResult(), Tensor::f32(x.shape, std::move(out)));
}

LogicalResult Interpreter::linear(LinearOp op) {
  const Tensor &x = get(op.getInput()), &w = get(op.getWeight());
  const Tensor *bias = op.getBias() ? &get(op.getBias()) : nullptr;
  int64_t n = w.shape[0], k = w.shape[1], m = x.numElements() / k;
  std::vector<float> out(m * n);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double acc = bias ? bias->floats[j] : 0.0;
      for (int64_t l = 0; l < k; ++l)
        acc += static_cast<double>(x.floats[i * k + l]) * w.floats[j * k + l];
      out[i * n + j] = static_cast<float>(acc);
    }
  std::vector<int64_t> shape = x.shape;
  shape.back() = n;
  return set(op, op.getResult(), Tensor::f32(shape, std::move(out)));
}

LogicalResult Interpreter::batchMatmul(BatchMatmulOp op) {
  const Tensor &a = get(op.getLhs()), &b = get(op.getRhs());
  size_t rank = a.shape.size();
  bool tr = op.getTransposeRhs();
  int64_t m = a.shape[rank - 2], k = a.shape[rank - 1];
  int64_t n = tr ? b.shape[rank - 2] : b.shape[rank - 1];
  int64_t batch = a.numElements() / (m * k);
  std::vector<float> out(batch * m * n);
  for (int64_t p = 0; p < batch; ++p)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double acc = 0;
        for (int64_t l = 0; l < k; ++l) {
          float bv = tr ? b.floats[(p * n + j) * k + l]
                        : b.floats[(p * k + l) * n + j];
          acc += static_cast<double>(a.floats[(p * m + i) * k + l]) * bv;
        }
        out[(p * m + i) * n + j] = static_cast<float>(acc);
      }
  std::vector<int64_t> shape = a.shape;
  shape[rank - 1] = n;
  return set(op, op.getResult(), Tensor::f32(shape, std::move(out)));
}

/// Softmax over `len` elements spaced `stride` apart, in place (integer:
/// bnrt/integer_nonlinear.h's).
void softmaxInPlace(float *x, int64_t len, int64_t stride, bool integer) {
  if (integer) {
    static const bnrt::integer::ExpConstants c = bnrt::integer::expConstants();
    std::vector<int32_t> work(len);
    bnrt::integer::softmax(x, x, len, stride, work.data(), c);
    return;
  }
  float max = -INFINITY;
  for (int64_t i = 0; i < len; ++i)
    max = std::max(max, x[i * stride]);
  double sum = 0;
  for (int64_t i = 0; i < len; ++i)
    sum += std::exp(static_cast<double>(x[i * stride]) - max);
  for (int64_t i = 0; i < len; ++i)
    x[i * stride] = static_cast<float>(
        std::exp(static_cast<double>(x[i * stride]) - max) / sum);
}

LogicalResult Interpreter::softmax(SoftmaxOp op) {
  Tensor t = get(op.getInput());
  int64_t rank = t.shape.size();
  int64_t axis = op.getAxis(); // the I64Attr getter is unsigned
  if (axis < 0)
    axis += rank;
  int64_t len = t.shape[axis];
  int64_t inner = strides(t.shape)[axis];
  int64_t outer = t.numElements() / (len * inner);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i)
      softmaxInPlace(t.floats.data() + o * len * inner + i, len, inner,
                     op.getInteger());
  return set(op, op.getResult(), std::move(t));
}

LogicalResult Interpreter::unary(Operation *op, float (*fn)(float)) {
  Tensor t = get(op->getOperand(0));
  for (float &v : t.floats)
    v = fn(v);
  return set(op, op->getResult(0), std::move(t));
}

LogicalResult Interpreter::binary(Operation *op, float (*fn)(float, float)) {
  const Tensor &a = get(op->getOperand(0)), &b = get(op->getOperand(1));
  auto shape = staticShape(op, op->getResult(0));
  if (failed(shape))
    return failure();
  size_t rank = shape->size();
  // Broadcast strides: 0 along dimensions an operand does not have or has 1.
  auto broadcastStrides = [&](const Tensor &t) {
    std::vector<int64_t> s(rank, 0), own = strides(t.shape);
    size_t offset = rank - t.shape.size();
    for (size_t i = 0; i < t.shape.size(); ++i)
      s[offset + i] = t.shape[i] == 1 ? 0 : own[i];
    return s;
  };
  std::vector<int64_t> sa = broadcastStrides(a), sb = broadcastStrides(b);
  std::vector<int64_t> so = strides(*shape);
  int64_t total = std::accumulate(shape->begin(), shape->end(), int64_t{1},
                                  std::multiplies<int64_t>());
  std::vector<float> out(total);
  for (int64_t i = 0; i < total; ++i) {
    int64_t ia = 0, ib = 0, rest = i;
    for (size_t d = 0; d < rank; ++d) {
      int64_t idx = rest / so[d];
      rest %= so[d];
      ia += idx * sa[d];
      ib += idx * sb[d];
    }
    out[i] = fn(a.floats[ia], b.floats[ib]);
  }
  return set(op, op->getResult(0), Tensor::f32(*shape, std::move(out)));
}

LogicalResult Interpreter::transpose(TransposeOp op) {
  const Tensor &x = get(op.getInput());
  ArrayRef<int64_t> perm = op.getPermutation();
  std::vector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(x.shape[p]);
  std::vector<int64_t> in = strides(x.shape), outStrides = strides(shape);
  std::vector<float> out(x.floats.size());
  for (int64_t i = 0; i < static_cast<int64_t>(out.size()); ++i) {
    int64_t src = 0, rest = i;
    for (size_t d = 0; d < shape.size(); ++d) {
      src += (rest / outStrides[d]) * in[perm[d]];
      rest %= outStrides[d];
    }
    out[i] = x.floats[src];
  }
  return set(op, op.getResult(), Tensor::f32(shape, std::move(out)));
}

LogicalResult Interpreter::slice(SliceOp op) {
  const Tensor &x = get(op.getInput());
  auto shape = staticShape(op, op.getResult());
  if (failed(shape))
    return failure();
  ArrayRef<int64_t> offsets = op.getOffsets();
  std::vector<int64_t> in = strides(x.shape), out = strides(*shape);
  int64_t total = std::accumulate(shape->begin(), shape->end(), int64_t{1},
                                  std::multiplies<int64_t>());
  std::vector<float> result(total);
  for (int64_t i = 0; i < total; ++i) {
    int64_t src = 0, rest = i;
    for (size_t d = 0; d < shape->size(); ++d) {
      src += (rest / out[d] + offsets[d]) * in[d];
      rest %= out[d];
    }
    result[i] = x.floats[src];
  }
  return set(op, op.getResult(), Tensor::f32(*shape, std::move(result)));
}

LogicalResult Interpreter::attention(AttentionOp op) {
  const Tensor &q = get(op.getQuery()), &k = get(op.getKey()),
               &v = get(op.getValue());
  const Tensor *mask = op.getMaskBias() ? &get(op.getMaskBias()) : nullptr;
  int64_t batch = q.shape[0], sq = q.shape[1], embed = q.shape[2];
  int64_t sk = k.shape[1], heads = op.getNumHeads(), d = embed / heads;
  float scale = op.getScale().convertToFloat();
  std::optional<int> probBits = op.getProbBits();
  float probClip = op.getProbClip() ? op.getProbClip()->convertToFloat() : 1.0f;
  std::optional<float> probAlpha;
  float probBeta = op.getProbBeta() ? op.getProbBeta()->convertToFloat() : 0.0f;
  if (op.getProbAlpha())
    probAlpha = op.getProbAlpha()->convertToFloat();
  std::vector<float> out(q.floats.size());
  std::vector<float> probs(sk);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t i = 0; i < sq; ++i) {
        const float *qi = q.floats.data() + (b * sq + i) * embed + h * d;
        for (int64_t j = 0; j < sk; ++j) {
          const float *kj = k.floats.data() + (b * sk + j) * embed + h * d;
          double dot = 0;
          for (int64_t c = 0; c < d; ++c)
            dot += static_cast<double>(qi[c]) * kj[c];
          probs[j] = static_cast<float>(scale * dot) +
                     (mask ? mask->floats[b * sk + j] : 0.0f);
        }
        softmaxInPlace(probs.data(), sk, 1, op.getInteger());
        if (probBits) {
          float s = quantScale(probs, *probBits, probClip);
          for (float &p : probs)
            p = s * static_cast<float>(quantizeValue(p, s, *probBits));
        } else if (probAlpha) {
          for (float &p : probs)
            p = *probAlpha *
                static_cast<float>(binarizedCode(p, *probAlpha, probBeta,
                                                 /*signedCodes=*/false));
        }
        for (int64_t c = 0; c < d; ++c) {
          double acc = 0;
          for (int64_t j = 0; j < sk; ++j)
            acc += static_cast<double>(probs[j]) *
                   v.floats[(b * sk + j) * embed + h * d + c];
          out[(b * sq + i) * embed + h * d + c] = static_cast<float>(acc);
        }
      }
  return set(op, op.getResult(), Tensor::f32(q.shape, std::move(out)));
}

LogicalResult Interpreter::quantize(QuantizeOp op) {
  const Tensor &x = get(op.getInput());
  int bits = op.getBits();
  std::optional<float> clip;
  if (op.getClip())
    clip = op.getClip()->convertToFloat();
  // One scale, or one per sequence b over the rows s the mask keeps.
  auto scaleType = llvm::cast<RankedTensorType>(op.getScale().getType());
  int64_t sequences = scaleType.getRank() ? x.shape[0] : 1;
  int64_t per = x.numElements() / sequences;
  int64_t rows = sequences > 1 || op.getMaskBias() ? x.shape[1] : 1;
  int64_t width = per / rows;
  const Tensor *mask = op.getMaskBias() ? &get(op.getMaskBias()) : nullptr;
  std::vector<int64_t> codes(x.floats.size());
  std::vector<float> scales(sequences);
  std::vector<float> input = x.floats;
  if (auto gelu = op.getInputGelu()) { // the quantized value is gelu(input)
    float (*fn)(float) = geluOf(*gelu, op.getInputGeluInteger());
    for (float &v : input)
      v = fn(v);
  }
  for (int64_t b = 0; b < sequences; ++b) {
    std::vector<float> kept;
    for (int64_t r = 0; r < rows; ++r)
      if (!mask || mask->floats[b * rows + r] == 0.0f)
        kept.insert(kept.end(), input.begin() + b * per + r * width,
                    input.begin() + b * per + (r + 1) * width);
    scales[b] = quantScale(kept, bits, clip);
    for (int64_t i = b * per; i < (b + 1) * per; ++i)
      codes[i] = quantizeValue(input[i], scales[b], bits);
  }
  if (failed(set(op, op.getResult(), Tensor::i64(x.shape, std::move(codes)))))
    return failure();
  return set(op, op.getScale(),
             Tensor::f32(scaleType.getRank() ? std::vector<int64_t>{sequences}
                                             : std::vector<int64_t>{},
                         std::move(scales)));
}

} // namespace

FailureOr<std::vector<Tensor>> evaluate(func::FuncOp func,
                                        ArrayRef<Tensor> arguments) {
  return Interpreter().run(func, arguments);
}

} // namespace bnbert::exec
