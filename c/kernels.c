// Distance kernels (src/math/native-kernels.ts). For the index build, batch calls only: one call
// computes the distances from one stored row to a list of stored rows, so the FFI cost (~10 ns) is
// paid once per graph expansion or prune step, not once per pair. For the search, a float32 query
// against a list of stored rows (rk_*_query: the entry graph) or one row (rk_*_query1: an expanded
// node; ~50 ns at 784-d with the call, vs ~380 ns in TypeScript). See src/math/query-distance.ts.
//
// Each kernel has an AVX2+FMA body and a portable body; rk_kernels_init() picks one at run time
// (__builtin_cpu_supports), so the library needs no -march flag and runs on any x86-64.
// Results: out[i] = d(base[q], base[ids[i]]), smaller is closer: squared L2 or negative dot.
// Bench: bench/build/distance-batch.bench.ts
#include <stdint.h>
#include <string.h>
#include <stddef.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define RK_X86 1
#endif

static int rk_use_avx2 = 0;

int rk_kernels_init(void) {
#ifdef RK_X86
  __builtin_cpu_init();
  rk_use_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  return rk_use_avx2;
}

// ---- portable bodies -------------------------------------------------------------------------
static float l2_f32_scalar(const float *a, const float *b, uint32_t dim) {
  float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  uint32_t i = 0;
  for (; i + 4 <= dim; i += 4) {
    float d0 = a[i] - b[i], d1 = a[i + 1] - b[i + 1], d2 = a[i + 2] - b[i + 2], d3 = a[i + 3] - b[i + 3];
    s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
  }
  for (; i < dim; i++) { float d = a[i] - b[i]; s0 += d * d; }
  return (s0 + s1) + (s2 + s3);
}

static float dot_f32_scalar(const float *a, const float *b, uint32_t dim) {
  float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  uint32_t i = 0;
  for (; i + 4 <= dim; i += 4) {
    s0 += a[i] * b[i]; s1 += a[i + 1] * b[i + 1]; s2 += a[i + 2] * b[i + 2]; s3 += a[i + 3] * b[i + 3];
  }
  for (; i < dim; i++) s0 += a[i] * b[i];
  return (s0 + s1) + (s2 + s3);
}

static float l2_u8_scalar(const uint8_t *a, const uint8_t *b, uint32_t dim) {
  int32_t s = 0;
  for (uint32_t i = 0; i < dim; i++) { int32_t d = (int32_t)a[i] - (int32_t)b[i]; s += d * d; }
  return (float)s;
}

static float l2_i8_scalar(const int8_t *a, const int8_t *b, uint32_t dim) {
  int32_t s = 0;
  for (uint32_t i = 0; i < dim; i++) { int32_t d = (int32_t)a[i] - (int32_t)b[i]; s += d * d; }
  return (float)s;
}

static float dot_u8_scalar(const uint8_t *a, const uint8_t *b, uint32_t dim) {
  int32_t s = 0;
  for (uint32_t i = 0; i < dim; i++) s += (int32_t)a[i] * (int32_t)b[i];
  return (float)s;
}

static float dot_i8_scalar(const int8_t *a, const int8_t *b, uint32_t dim) {
  int32_t s = 0;
  for (uint32_t i = 0; i < dim; i++) s += (int32_t)a[i] * (int32_t)b[i];
  return (float)s;
}

// ---- AVX2 bodies -----------------------------------------------------------------------------
#ifdef RK_X86
__attribute__((target("avx2,fma"))) static inline float hsum256(__m256 v) {
  __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
  lo = _mm_add_ps(lo, hi);
  lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
  lo = _mm_add_ss(lo, _mm_shuffle_ps(lo, lo, 1));
  return _mm_cvtss_f32(lo);
}

__attribute__((target("avx2,fma"))) static inline int32_t hsum256i(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
  return _mm_cvtsi128_si32(s);
}

__attribute__((target("avx2,fma"))) static float l2_f32_avx2(const float *a, const float *b, uint32_t dim) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  uint32_t i = 0;
  for (; i + 16 <= dim; i += 16) {
    __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
    __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
    acc0 = _mm256_fmadd_ps(d0, d0, acc0);
    acc1 = _mm256_fmadd_ps(d1, d1, acc1);
  }
  for (; i + 8 <= dim; i += 8) {
    __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
    acc0 = _mm256_fmadd_ps(d0, d0, acc0);
  }
  float s = hsum256(_mm256_add_ps(acc0, acc1));
  for (; i < dim; i++) { float d = a[i] - b[i]; s += d * d; }
  return s;
}

__attribute__((target("avx2,fma"))) static float dot_f32_avx2(const float *a, const float *b, uint32_t dim) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  uint32_t i = 0;
  for (; i + 16 <= dim; i += 16) {
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
  }
  for (; i + 8 <= dim; i += 8) acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
  float s = hsum256(_mm256_add_ps(acc0, acc1));
  for (; i < dim; i++) s += a[i] * b[i];
  return s;
}

// Widen 16 bytes to int16, subtract, square-and-pair-add into int32 lanes (exact for any dim < 2^15).
__attribute__((target("avx2,fma"))) static float l2_u8_avx2(const uint8_t *a, const uint8_t *b, uint32_t dim) {
  __m256i acc = _mm256_setzero_si256();
  uint32_t i = 0;
  for (; i + 16 <= dim; i += 16) {
    __m256i va = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(a + i)));
    __m256i vb = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(b + i)));
    __m256i d = _mm256_sub_epi16(va, vb);
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(d, d));
  }
  int32_t s = hsum256i(acc);
  for (; i < dim; i++) { int32_t d = (int32_t)a[i] - (int32_t)b[i]; s += d * d; }
  return (float)s;
}

__attribute__((target("avx2,fma"))) static float l2_i8_avx2(const int8_t *a, const int8_t *b, uint32_t dim) {
  __m256i acc = _mm256_setzero_si256();
  uint32_t i = 0;
  for (; i + 16 <= dim; i += 16) {
    __m256i va = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(a + i)));
    __m256i vb = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(b + i)));
    __m256i d = _mm256_sub_epi16(va, vb);
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(d, d));
  }
  int32_t s = hsum256i(acc);
  for (; i < dim; i++) { int32_t d = (int32_t)a[i] - (int32_t)b[i]; s += d * d; }
  return (float)s;
}

__attribute__((target("avx2,fma"))) static float dot_u8_avx2(const uint8_t *a, const uint8_t *b, uint32_t dim) {
  __m256i acc = _mm256_setzero_si256();
  uint32_t i = 0;
  for (; i + 16 <= dim; i += 16) {
    __m256i va = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(a + i)));
    __m256i vb = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(b + i)));
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(va, vb));
  }
  int32_t s = hsum256i(acc);
  for (; i < dim; i++) s += (int32_t)a[i] * (int32_t)b[i];
  return (float)s;
}

__attribute__((target("avx2,fma"))) static float dot_i8_avx2(const int8_t *a, const int8_t *b, uint32_t dim) {
  __m256i acc = _mm256_setzero_si256();
  uint32_t i = 0;
  for (; i + 16 <= dim; i += 16) {
    __m256i va = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(a + i)));
    __m256i vb = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(b + i)));
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(va, vb));
  }
  int32_t s = hsum256i(acc);
  for (; i < dim; i++) s += (int32_t)a[i] * (int32_t)b[i];
  return (float)s;
}
#endif

// ---- batch entry points ----------------------------------------------------------------------
// Rows are random, so memory latency, not arithmetic, dominates: every cache line of the row
// RK_PREFETCH_AHEAD positions ahead is prefetched while the current one is computed.
#define RK_PREFETCH_AHEAD 4

static inline void prefetch_row(const void *row, size_t bytes) {
  const char *p = (const char *)row;
  for (size_t off = 0; off < bytes; off += 64) __builtin_prefetch(p + off);
}

#define RK_BATCH(NAME, T, AVX, SCALAR, SIGN)                                                          \
  void NAME(const T *base, uint32_t dim, uint32_t q, const uint32_t *ids, uint32_t n, float *out) {   \
    const T *qa = base + (size_t)q * dim;                                                             \
    const size_t row_bytes = (size_t)dim * sizeof(T);                                                 \
    for (uint32_t i = 0; i < n && i < RK_PREFETCH_AHEAD; i++) prefetch_row(base + (size_t)ids[i] * dim, row_bytes); \
    for (uint32_t i = 0; i < n; i++) {                                                                \
      if (i + RK_PREFETCH_AHEAD < n) prefetch_row(base + (size_t)ids[i + RK_PREFETCH_AHEAD] * dim, row_bytes); \
      const T *row = base + (size_t)ids[i] * dim;                                                     \
      out[i] = SIGN (rk_use_avx2 ? AVX(qa, row, dim) : SCALAR(qa, row, dim));                         \
    }                                                                                                 \
  }

#ifdef RK_X86
RK_BATCH(rk_l2_f32_rows, float, l2_f32_avx2, l2_f32_scalar, +)
RK_BATCH(rk_l2_u8_rows, uint8_t, l2_u8_avx2, l2_u8_scalar, +)
RK_BATCH(rk_l2_i8_rows, int8_t, l2_i8_avx2, l2_i8_scalar, +)
RK_BATCH(rk_negdot_f32_rows, float, dot_f32_avx2, dot_f32_scalar, -)
RK_BATCH(rk_negdot_u8_rows, uint8_t, dot_u8_avx2, dot_u8_scalar, -)
RK_BATCH(rk_negdot_i8_rows, int8_t, dot_i8_avx2, dot_i8_scalar, -)
#else
RK_BATCH(rk_l2_f32_rows, float, l2_f32_scalar, l2_f32_scalar, +)
RK_BATCH(rk_l2_u8_rows, uint8_t, l2_u8_scalar, l2_u8_scalar, +)
RK_BATCH(rk_l2_i8_rows, int8_t, l2_i8_scalar, l2_i8_scalar, +)
RK_BATCH(rk_negdot_f32_rows, float, dot_f32_scalar, dot_f32_scalar, -)
RK_BATCH(rk_negdot_u8_rows, uint8_t, dot_u8_scalar, dot_u8_scalar, -)
RK_BATCH(rk_negdot_i8_rows, int8_t, dot_i8_scalar, dot_i8_scalar, -)
#endif

// ---- query-vs-rows: a float32 query against stored rows of any type ----------------------------
// The search holds its query as float32 (normalised for cosine), while the stored vectors may be
// f32/u8/i8: out[i] = d(query, base[ids[i]]). The portable bodies accumulate in double like the
// TypeScript loops (distance.ts); the AVX2 bodies accumulate in float32 lanes and add the lanes in
// double, so integer-valued queries on u8/i8 rows give exactly the TypeScript result (each lane's
// sum stays below 2^24 for dim ≤ ~4000), and f32 rows agree to float rounding.
// rk_*_query1: the same for one row (no ids), for per-hop exact distances.
#define RK_QSCALAR(NAME, T, DOT)                                                                      \
  static float NAME(const float *q, const T *b, uint32_t dim) {                                       \
    double s = 0;                                                                                     \
    for (uint32_t i = 0; i < dim; i++) {                                                              \
      double x = (double)q[i], y = (double)b[i];                                                      \
      s += DOT ? x * y : (x - y) * (x - y);                                                           \
    }                                                                                                 \
    return (float)s;                                                                                  \
  }
RK_QSCALAR(ql2_f32_scalar, float, 0)
RK_QSCALAR(ql2_u8_scalar, uint8_t, 0)
RK_QSCALAR(ql2_i8_scalar, int8_t, 0)
RK_QSCALAR(qdot_f32_scalar, float, 1)
RK_QSCALAR(qdot_u8_scalar, uint8_t, 1)
RK_QSCALAR(qdot_i8_scalar, int8_t, 1)

#ifdef RK_X86
__attribute__((target("avx2,fma"))) static inline double hsum256_pd(__m256 v) {
  __m256d d = _mm256_add_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)), _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
  __m128d s = _mm_add_pd(_mm256_castpd256_pd128(d), _mm256_extractf128_pd(d, 1));
  s = _mm_add_sd(s, _mm_unpackhi_pd(s, s));
  return _mm_cvtsd_f64(s);
}

// 8 stored values of type T as float32 lanes.
#define RK_LOAD8_F32(p) _mm256_loadu_ps(p)
#define RK_LOAD8_U8(p) _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(p))))
#define RK_LOAD8_I8(p) _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(p))))

#define RK_QAVX(NAME, T, LOAD, DOT)                                                                   \
  __attribute__((target("avx2,fma"))) static float NAME(const float *q, const T *b, uint32_t dim) {   \
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();                                    \
    uint32_t i = 0;                                                                                   \
    for (; i + 16 <= dim; i += 16) {                                                                  \
      __m256 q0 = _mm256_loadu_ps(q + i), q1 = _mm256_loadu_ps(q + i + 8);                            \
      __m256 b0 = LOAD(b + i), b1 = LOAD(b + i + 8);                                                  \
      if (DOT) {                                                                                      \
        acc0 = _mm256_fmadd_ps(q0, b0, acc0);                                                         \
        acc1 = _mm256_fmadd_ps(q1, b1, acc1);                                                         \
      } else {                                                                                        \
        __m256 d0 = _mm256_sub_ps(q0, b0), d1 = _mm256_sub_ps(q1, b1);                                \
        acc0 = _mm256_fmadd_ps(d0, d0, acc0);                                                         \
        acc1 = _mm256_fmadd_ps(d1, d1, acc1);                                                         \
      }                                                                                               \
    }                                                                                                 \
    if (i + 8 <= dim) {                                                                               \
      __m256 q0 = _mm256_loadu_ps(q + i), b0 = LOAD(b + i);                                           \
      if (DOT) acc0 = _mm256_fmadd_ps(q0, b0, acc0);                                                  \
      else { __m256 d0 = _mm256_sub_ps(q0, b0); acc0 = _mm256_fmadd_ps(d0, d0, acc0); }               \
      i += 8;                                                                                         \
    }                                                                                                 \
    double s = hsum256_pd(acc0) + hsum256_pd(acc1);                                                   \
    for (; i < dim; i++) {                                                                            \
      double x = (double)q[i], y = (double)b[i];                                                      \
      s += DOT ? x * y : (x - y) * (x - y);                                                           \
    }                                                                                                 \
    return (float)s;                                                                                  \
  }
RK_QAVX(ql2_f32_avx2, float, RK_LOAD8_F32, 0)
RK_QAVX(ql2_u8_avx2, uint8_t, RK_LOAD8_U8, 0)
RK_QAVX(ql2_i8_avx2, int8_t, RK_LOAD8_I8, 0)
RK_QAVX(qdot_f32_avx2, float, RK_LOAD8_F32, 1)
RK_QAVX(qdot_u8_avx2, uint8_t, RK_LOAD8_U8, 1)
RK_QAVX(qdot_i8_avx2, int8_t, RK_LOAD8_I8, 1)
#define RK_QPICK(AVX, SCALAR) (rk_use_avx2 ? AVX : SCALAR)
#else
#define RK_QPICK(AVX, SCALAR) (SCALAR)
#endif

#define RK_QUERY_ROWS(NAME, NAME1, T, AVX, SCALAR, SIGN)                                              \
  void NAME(const float *query, const T *base, uint32_t dim, const uint32_t *ids, uint32_t n, float *out) { \
    float (*f)(const float *, const T *, uint32_t) = RK_QPICK(AVX, SCALAR);                           \
    const size_t row_bytes = (size_t)dim * sizeof(T);                                                 \
    for (uint32_t i = 0; i < n && i < RK_PREFETCH_AHEAD; i++) prefetch_row(base + (size_t)ids[i] * dim, row_bytes); \
    for (uint32_t i = 0; i < n; i++) {                                                                \
      if (i + RK_PREFETCH_AHEAD < n) prefetch_row(base + (size_t)ids[i + RK_PREFETCH_AHEAD] * dim, row_bytes); \
      out[i] = SIGN f(query, base + (size_t)ids[i] * dim, dim);                                       \
    }                                                                                                 \
  }                                                                                                   \
  float NAME1(const float *query, const T *row, uint32_t dim) {                                       \
    return SIGN (RK_QPICK(AVX, SCALAR))(query, row, dim);                                             \
  }

RK_QUERY_ROWS(rk_l2_f32_query, rk_l2_f32_query1, float, ql2_f32_avx2, ql2_f32_scalar, +)
RK_QUERY_ROWS(rk_l2_u8_query, rk_l2_u8_query1, uint8_t, ql2_u8_avx2, ql2_u8_scalar, +)
RK_QUERY_ROWS(rk_l2_i8_query, rk_l2_i8_query1, int8_t, ql2_i8_avx2, ql2_i8_scalar, +)
RK_QUERY_ROWS(rk_negdot_f32_query, rk_negdot_f32_query1, float, qdot_f32_avx2, qdot_f32_scalar, -)
RK_QUERY_ROWS(rk_negdot_u8_query, rk_negdot_u8_query1, uint8_t, qdot_u8_avx2, qdot_u8_scalar, -)
RK_QUERY_ROWS(rk_negdot_i8_query, rk_negdot_i8_query1, int8_t, qdot_i8_avx2, qdot_i8_scalar, -)

// ---- query-vs-records of one sector: page search scores every node a read brought -------------
// A sector holds n records `stride` bytes apart, each starting with its dim coordinates of type T:
// out[i] = d(query, record i), the same values as rk_*_query1 on each record. One call per sector
// instead of one per record, and every record's coordinates are prefetched before the first is
// scored: a sector that O_DIRECT just wrote by DMA is not in any cache, and the loads of n records
// then overlap instead of each record waiting for its own cache misses.
#define RK_QUERY_STRIDED(NAME, T, AVX, SCALAR, SIGN)                                                  \
  void NAME(const float *query, const uint8_t *first, uint32_t dim, uint32_t stride, uint32_t n, float *out) { \
    float (*f)(const float *, const T *, uint32_t) = RK_QPICK(AVX, SCALAR);                           \
    const size_t row_bytes = (size_t)dim * sizeof(T);                                                 \
    for (uint32_t i = 0; i < n; i++) prefetch_row(first + (size_t)i * stride, row_bytes);             \
    for (uint32_t i = 0; i < n; i++) out[i] = SIGN f(query, (const T *)(first + (size_t)i * stride), dim); \
  }

RK_QUERY_STRIDED(rk_l2_f32_strided, float, ql2_f32_avx2, ql2_f32_scalar, +)
RK_QUERY_STRIDED(rk_l2_u8_strided, uint8_t, ql2_u8_avx2, ql2_u8_scalar, +)
RK_QUERY_STRIDED(rk_l2_i8_strided, int8_t, ql2_i8_avx2, ql2_i8_scalar, +)
RK_QUERY_STRIDED(rk_negdot_f32_strided, float, qdot_f32_avx2, qdot_f32_scalar, -)
RK_QUERY_STRIDED(rk_negdot_u8_strided, uint8_t, qdot_u8_avx2, qdot_u8_scalar, -)
RK_QUERY_STRIDED(rk_negdot_i8_strided, int8_t, qdot_i8_avx2, qdot_i8_scalar, -)

// ---- PQ: nearest of k centres for every row, over columns [lo, lo + w) --------------------------
// rows: n × stride float32; centres_t: w × k (transposed, so 8 centres load as one vector);
// writes codes[i * code_stride] (uint8) and the squared distance dists[i] (if dists != NULL).
static void pq_nearest_scalar(const float *rows, uint32_t n, uint32_t stride, uint32_t lo, uint32_t w,
                              const float *centres_t, uint32_t k, uint8_t *codes, uint32_t code_stride, float *dists) {
  for (uint32_t i = 0; i < n; i++) {
    const float *x = rows + (size_t)i * stride + lo;
    float best = 3.4e38f;
    uint32_t arg = 0;
    for (uint32_t c = 0; c < k; c++) {
      float s = 0;
      for (uint32_t j = 0; j < w; j++) { float d = x[j] - centres_t[(size_t)j * k + c]; s += d * d; }
      if (s < best) { best = s; arg = c; }
    }
    codes[(size_t)i * code_stride] = (uint8_t)arg;
    if (dists) dists[i] = best;
  }
}

#ifdef RK_X86
// 8 centres per vector; the running minimum and its centre index stay in registers (argmin by lane,
// then across lanes with ties to the lower index, like the scalar loop's first minimum).
__attribute__((target("avx2,fma"))) static void pq_nearest_avx2(const float *rows, uint32_t n, uint32_t stride, uint32_t lo, uint32_t w,
                                                               const float *centres_t, uint32_t k, uint8_t *codes, uint32_t code_stride, float *dists) {
  const __m256i step = _mm256_set1_epi32(8);
  for (uint32_t i = 0; i < n; i++) {
    const float *x = rows + (size_t)i * stride + lo;
    __m256 best = _mm256_set1_ps(3.4e38f);
    __m256i best_idx = _mm256_setzero_si256();
    __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (uint32_t c = 0; c < k; c += 8) {
      __m256 acc = _mm256_setzero_ps();
      for (uint32_t j = 0; j < w; j++) {
        __m256 d = _mm256_sub_ps(_mm256_set1_ps(x[j]), _mm256_loadu_ps(centres_t + (size_t)j * k + c));
        acc = _mm256_fmadd_ps(d, d, acc);
      }
      __m256 lt = _mm256_cmp_ps(acc, best, _CMP_LT_OQ);
      best = _mm256_blendv_ps(best, acc, lt);
      best_idx = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(best_idx), _mm256_castsi256_ps(idx), lt));
      idx = _mm256_add_epi32(idx, step);
    }
    float lane_best[8] __attribute__((aligned(32)));
    int32_t lane_idx[8] __attribute__((aligned(32)));
    _mm256_store_ps(lane_best, best);
    _mm256_store_si256((__m256i *)lane_idx, best_idx);
    float b = lane_best[0];
    int32_t arg = lane_idx[0];
    for (int l = 1; l < 8; l++) {
      if (lane_best[l] < b || (lane_best[l] == b && lane_idx[l] < arg)) { b = lane_best[l]; arg = lane_idx[l]; }
    }
    codes[(size_t)i * code_stride] = (uint8_t)arg;
    if (dists) dists[i] = b;
  }
}

// k % 64 == 0: argmax of x·c − ½‖c‖² (the same argmin as ‖x − c‖², one FMA per centre and dim,
// the centre operand straight from memory) over 64 centres per pass in 8 accumulators.
__attribute__((target("avx2,fma"))) static void pq_nearest_dot_avx2(const float *rows, uint32_t n, uint32_t stride, uint32_t lo, uint32_t w,
                                                                   const float *centres_t, uint32_t k, uint8_t *codes, uint32_t code_stride, float *dists) {
  float neg_half_norm[256] __attribute__((aligned(32)));
  for (uint32_t c = 0; c < k; c++) {
    float s = 0;
    for (uint32_t j = 0; j < w; j++) { float v = centres_t[(size_t)j * k + c]; s += v * v; }
    neg_half_norm[c] = -0.5f * s;
  }
  for (uint32_t i = 0; i < n; i++) {
    const float *x = rows + (size_t)i * stride + lo;
    __m256 best = _mm256_set1_ps(-3.4e38f);
    __m256i best_idx = _mm256_setzero_si256();
    for (uint32_t c0 = 0; c0 < k; c0 += 64) {
      __m256 a[8];
#pragma GCC unroll 8
      for (int g = 0; g < 8; g++) a[g] = _mm256_load_ps(neg_half_norm + c0 + 8 * g);
      for (uint32_t j = 0; j < w; j++) {
        const __m256 xb = _mm256_set1_ps(x[j]);
        const float *ct = centres_t + (size_t)j * k + c0;
#pragma GCC unroll 8
        for (int g = 0; g < 8; g++) a[g] = _mm256_fmadd_ps(xb, _mm256_loadu_ps(ct + 8 * g), a[g]);
      }
#pragma GCC unroll 8
      for (int g = 0; g < 8; g++) {
        __m256 gt = _mm256_cmp_ps(a[g], best, _CMP_GT_OQ);
        __m256i idx = _mm256_add_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int)(c0 + 8 * g)));
        best = _mm256_blendv_ps(best, a[g], gt);
        best_idx = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(best_idx), _mm256_castsi256_ps(idx), gt));
      }
    }
    float lane_best[8] __attribute__((aligned(32)));
    int32_t lane_idx[8] __attribute__((aligned(32)));
    _mm256_store_ps(lane_best, best);
    _mm256_store_si256((__m256i *)lane_idx, best_idx);
    float b = lane_best[0];
    int32_t arg = lane_idx[0];
    for (int l = 1; l < 8; l++) {
      if (lane_best[l] > b || (lane_best[l] == b && lane_idx[l] < arg)) { b = lane_best[l]; arg = lane_idx[l]; }
    }
    codes[(size_t)i * code_stride] = (uint8_t)arg;
    if (dists) {
      float xx = 0;
      for (uint32_t j = 0; j < w; j++) xx += x[j] * x[j];
      float d = xx - 2.0f * b;
      dists[i] = d > 0 ? d : 0;
    }
  }
}
#endif

void rk_pq_nearest(const float *rows, uint32_t n, uint32_t stride, uint32_t lo, uint32_t w,
                   const float *centres_t, uint32_t k, uint8_t *codes, uint32_t code_stride, float *dists) {
#ifdef RK_X86
  if (rk_use_avx2 && k % 64 == 0 && k <= 256) { pq_nearest_dot_avx2(rows, n, stride, lo, w, centres_t, k, codes, code_stride, dists); return; }
  if (rk_use_avx2 && k % 8 == 0 && k <= 256) { pq_nearest_avx2(rows, n, stride, lo, w, centres_t, k, codes, code_stride, dists); return; }
#endif
  pq_nearest_scalar(rows, n, stride, lo, w, centres_t, k, codes, code_stride, dists);
}

// ---- PQ query table (search: once per query) -----------------------------------------------------
// table[m*256 + c] = Σ_{j in chunk m} (pivot[c][j] − a[j])²  (l2)   or   −Σ pivot[c][j]·a[j]  (ip),
// with a[j] = q[perm[j]] − centroid_at[j] (centroid_at is zero for ip). The pivots come blocked by
// rk_pq_table_layout (src/math/pq-table.ts does it once per index): chunk m (columns o..o+w−1) owns
// floats [o*256, (o+w)*256), as 4 blocks of 64 centres, each w rows of 64 — so one pass over the
// whole array is a single forward stream and 64 centres' sums stay in 8 AVX registers.
// rk_pq_table fills `adjusted` with a from q, perm and centroid_at; rk_pq_table_adjusted takes a
// ready-made (bench/pq-table.bench.ts compares the two splits).
#define RK_PQ_CENTERS 256

void rk_pq_table_layout(const float *pivots, uint32_t dim, const uint32_t *offsets, uint32_t M, float *blocked) {
  for (uint32_t m = 0; m < M; m++) {
    const uint32_t o = offsets[m], w = offsets[m + 1] - o;
    float *dst = blocked + (size_t)o * RK_PQ_CENTERS;
    for (uint32_t cb = 0; cb < RK_PQ_CENTERS / 64; cb++)
      for (uint32_t jl = 0; jl < w; jl++)
        for (uint32_t cc = 0; cc < 64; cc++)
          dst[((size_t)cb * w + jl) * 64 + cc] = pivots[(size_t)(cb * 64 + cc) * dim + o + jl];
  }
}

static void pq_table_scalar(const float *blocked, const uint32_t *offsets, uint32_t M, const float *a, int ip, float *out) {
  float acc[64];
  for (uint32_t m = 0; m < M; m++) {
    const uint32_t o = offsets[m], w = offsets[m + 1] - o;
    const float *blk = blocked + (size_t)o * RK_PQ_CENTERS;
    for (uint32_t cb = 0; cb < RK_PQ_CENTERS / 64; cb++) {
      for (int cc = 0; cc < 64; cc++) acc[cc] = 0;
      for (uint32_t jl = 0; jl < w; jl++) {
        const float v = a[o + jl];
        const float *row = blk + ((size_t)cb * w + jl) * 64;
        if (ip) {
          for (int cc = 0; cc < 64; cc++) acc[cc] -= row[cc] * v;
        } else {
          for (int cc = 0; cc < 64; cc++) { float d = row[cc] - v; acc[cc] += d * d; }
        }
      }
      float *dst = out + (size_t)m * RK_PQ_CENTERS + cb * 64;
      for (int cc = 0; cc < 64; cc++) dst[cc] = acc[cc];
    }
  }
}

#ifdef RK_X86
__attribute__((target("avx2,fma"))) static void pq_table_avx2(const float *blocked, const uint32_t *offsets, uint32_t M, const float *a, int ip, float *out) {
  for (uint32_t m = 0; m < M; m++) {
    const uint32_t o = offsets[m], w = offsets[m + 1] - o;
    const float *row = blocked + (size_t)o * RK_PQ_CENTERS;
    float *dst = out + (size_t)m * RK_PQ_CENTERS;
    for (uint32_t cb = 0; cb < RK_PQ_CENTERS / 64; cb++) {
      __m256 acc[8];
#pragma GCC unroll 8
      for (int g = 0; g < 8; g++) acc[g] = _mm256_setzero_ps();
      if (ip) {
        for (uint32_t jl = 0; jl < w; jl++, row += 64) {
          const __m256 v = _mm256_set1_ps(-a[o + jl]);
#pragma GCC unroll 8
          for (int g = 0; g < 8; g++) acc[g] = _mm256_fmadd_ps(_mm256_loadu_ps(row + 8 * g), v, acc[g]);
        }
      } else {
        for (uint32_t jl = 0; jl < w; jl++, row += 64) {
          const __m256 v = _mm256_set1_ps(a[o + jl]);
#pragma GCC unroll 8
          for (int g = 0; g < 8; g++) {
            const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(row + 8 * g), v);
            acc[g] = _mm256_fmadd_ps(d, d, acc[g]);
          }
        }
      }
#pragma GCC unroll 8
      for (int g = 0; g < 8; g++) _mm256_storeu_ps(dst + cb * 64 + 8 * g, acc[g]);
    }
  }
}
#endif

void rk_pq_table_adjusted(const float *blocked, const uint32_t *offsets, uint32_t M, const float *adjusted, int ip, float *out) {
#ifdef RK_X86
  if (rk_use_avx2) { pq_table_avx2(blocked, offsets, M, adjusted, ip, out); return; }
#endif
  pq_table_scalar(blocked, offsets, M, adjusted, ip, out);
}

void rk_pq_table(const float *blocked, uint32_t dim, const uint32_t *offsets, uint32_t M, const float *q,
                 const uint32_t *perm, const float *centroid_at, float *adjusted, int ip, float *out) {
  for (uint32_t j = 0; j < dim; j++) adjusted[j] = q[perm[j]] - centroid_at[j];
  rk_pq_table_adjusted(blocked, offsets, M, adjusted, ip, out);
}

// ---- PQ scan: the best L of a list of points (pre-filtering) -------------------------------------

static inline void pq_heap_down(uint32_t *ids, float *d, uint32_t size, uint32_t i) {
  for (;;) {
    uint32_t l = 2 * i + 1, r = l + 1, big = i;
    if (l < size && d[l] > d[big]) big = l;
    if (r < size && d[r] > d[big]) big = r;
    if (big == i) return;
    float td = d[i]; d[i] = d[big]; d[big] = td;
    uint32_t ti = ids[i]; ids[i] = ids[big]; ids[big] = ti;
    i = big;
  }
}

// PQ distance (query table `table`, M × 256 floats) of n code rows, keeping the best L in a max-heap;
// writes them to out_ids / out_dists in ascending distance and returns how many. Row i is
// codes + ids[i] * M (scattered: the next rows are prefetched) or, `packed`, codes + i * M (rows
// gathered in match order: a stream, several times faster at 1M points). Sums in double, four lanes
// added as ((s0 + s1) + s2) + s3, as src/math/pq-table.ts pqDistances does, so the two agree.
static inline uint32_t pq_scan(const float *table, const uint8_t *codes, uint32_t M, const uint32_t *ids,
                               uint32_t n, uint32_t L, uint32_t *out_ids, float *out_dists, int packed) {
  uint32_t size = 0;
  if (L == 0) return 0;
  for (uint32_t i = 0; i < n; i++) {
    if (!packed && i + 8 < n) __builtin_prefetch(codes + (uint64_t)ids[i + 8] * M);
    const uint8_t *c = codes + (uint64_t)(packed ? i : ids[i]) * M;
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    uint32_t m = 0;
    for (; m + 4 <= M; m += 4) {
      s0 += table[(m << 8) + c[m]];
      s1 += table[((m + 1) << 8) + c[m + 1]];
      s2 += table[((m + 2) << 8) + c[m + 2]];
      s3 += table[((m + 3) << 8) + c[m + 3]];
    }
    for (; m < M; m++) s0 += table[(m << 8) + c[m]];
    float d = (float)(((s0 + s1) + s2) + s3);
    if (size < L) {
      uint32_t j = size++;
      out_ids[j] = ids[i];
      out_dists[j] = d;
      while (j > 0) {  // sift up
        uint32_t p = (j - 1) / 2;
        if (out_dists[p] >= out_dists[j]) break;
        float td = out_dists[p]; out_dists[p] = out_dists[j]; out_dists[j] = td;
        uint32_t ti = out_ids[p]; out_ids[p] = out_ids[j]; out_ids[j] = ti;
        j = p;
      }
    } else if (d < out_dists[0]) {
      out_ids[0] = ids[i];
      out_dists[0] = d;
      pq_heap_down(out_ids, out_dists, size, 0);
    }
  }
  for (uint32_t end = size; end > 1; end--) {  // heap sort: ascending
    float td = out_dists[0]; out_dists[0] = out_dists[end - 1]; out_dists[end - 1] = td;
    uint32_t ti = out_ids[0]; out_ids[0] = out_ids[end - 1]; out_ids[end - 1] = ti;
    pq_heap_down(out_ids, out_dists, end - 1, 0);
  }
  return size;
}

// The best L of ids[0..n) by PQ distance, rows scattered over the codes (see pq_scan). An id ≥ npts
// (no code row) returns UINT32_MAX before anything is read.
uint32_t rk_pq_scan_best(const float *table, const uint8_t *codes, uint32_t npts, uint32_t M, const uint32_t *ids,
                         uint32_t n, uint32_t L, uint32_t *out_ids, float *out_dists) {
  for (uint32_t i = 0; i < n; i++)
    if (ids[i] >= npts) return UINT32_MAX;
  return pq_scan(table, codes, M, ids, n, L, out_ids, out_dists, 0);
}

// The same over rows gathered by rk_pq_gather: row i of `rows` is the code of ids[i].
uint32_t rk_pq_scan_rows(const float *table, const uint8_t *rows, uint32_t M, const uint32_t *ids, uint32_t n,
                         uint32_t L, uint32_t *out_ids, float *out_dists) {
  return pq_scan(table, rows, M, ids, n, L, out_ids, out_dists, 1);
}

// Copies the code rows of ids[0..n) into out (n × M bytes, in that order); UINT32_MAX (nothing
// written) when an id ≥ npts, else 0.
uint32_t rk_pq_gather(const uint8_t *codes, uint32_t npts, uint32_t M, const uint32_t *ids, uint32_t n, uint8_t *out) {
  for (uint32_t i = 0; i < n; i++)
    if (ids[i] >= npts) return UINT32_MAX;
  for (uint32_t i = 0; i < n; i++) {
    if (i + 8 < n) __builtin_prefetch(codes + (uint64_t)ids[i + 8] * M);
    memcpy(out + (uint64_t)i * M, codes + (uint64_t)ids[i] * M, M);
  }
  return 0;
}
