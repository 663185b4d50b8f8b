// iter_kfuncs.cc — the open-coded iterators' bodies, with the kernel's state
// layouts and return values (kernel/bpf/bpf_iter.c, helpers.c):
//   bpf_iter_num: {int cur; int end;} over [start, end); -EINVAL when
//     start > end, -E2BIG past BPF_MAX_LOOPS (8M) steps; next() gives NULL
//     when done or after a failed new(), and leaves the state zeroed
//   bpf_iter_bits: a copy of nr_words u64 words (kept inline for one word,
//     else on bpf_global_ma), walked in bit order; -EINVAL for NULL or no
//     words, -E2BIG above 511 words, -ENOMEM, or the probe read's error
#include <cerrno>
#include <cstring>

#include "../obj/heap.h"  // bpf_global_ma, which the kernel's iter_bits uses too
#include "iter_kfuncs.h"
#include "probe.h"

namespace ringb::vm {
namespace {

constexpr int64_t kMaxLoops = 1 << 23;  // BPF_MAX_LOOPS
constexpr uint32_t kBitsMaxWords = 511;  // BITS_ITER_NR_WORDS_MAX

struct NumState {  // struct bpf_iter_num_kern
  int cur, end;
};
struct BitsState {  // struct bpf_iter_bits_kern
  union {
    uint64_t* bits;
    uint64_t bits_copy;
  };
  int nr_bits, bit;
};
static_assert(sizeof(NumState) == 8 && sizeof(BitsState) == 16);

uint64_t num_new(RunState&, uint64_t it, uint64_t start_, uint64_t end_, uint64_t, uint64_t) {
  auto* s = reinterpret_cast<NumState*>(it);
  const int start = static_cast<int>(start_), end = static_cast<int>(end_);
  if (start > end) {
    s->cur = s->end = 0;
    return static_cast<uint64_t>(-EINVAL);
  }
  if (int64_t{end} - start > kMaxLoops) {
    s->cur = s->end = 0;
    return static_cast<uint64_t>(-E2BIG);
  }
  s->cur = start - 1;  // next() comes first
  s->end = end;
  return 0;
}

uint64_t num_next(RunState&, uint64_t it, uint64_t, uint64_t, uint64_t, uint64_t) {
  auto* s = reinterpret_cast<NumState*>(it);
  if (int64_t{s->cur} + 1 >= s->end) {
    s->cur = s->end = 0;
    return 0;
  }
  ++s->cur;
  return reinterpret_cast<uint64_t>(&s->cur);
}

uint64_t num_destroy(RunState&, uint64_t it, uint64_t, uint64_t, uint64_t, uint64_t) {
  auto* s = reinterpret_cast<NumState*>(it);
  s->cur = s->end = 0;
  return 0;
}

// bpf_probe_read_kernel_common: the kernel reads the words as kernel memory.
long read_words(void* dst, uint64_t src, size_t n) {
  if (src < kProbeNullLimit) {
    std::memset(dst, 0, n);
    return -ERANGE;
  }
  if (probe_read(dst, src, n) != Probe::Ok) {
    std::memset(dst, 0, n);
    return -EFAULT;
  }
  return 0;
}

uint64_t bits_new(RunState&, uint64_t it, uint64_t src, uint64_t nr_words_, uint64_t, uint64_t) {
  auto* k = reinterpret_cast<BitsState*>(it);
  const uint32_t nr_words = static_cast<uint32_t>(nr_words_);
  const uint32_t nr_bytes = nr_words * 8;
  k->nr_bits = 0;
  k->bits_copy = 0;
  k->bit = -1;
  if (!src || !nr_words) return static_cast<uint64_t>(-EINVAL);
  if (nr_words > kBitsMaxWords) return static_cast<uint64_t>(-E2BIG);
  if (nr_words == 1) {
    if (read_words(&k->bits_copy, src, 8)) return static_cast<uint64_t>(-EFAULT);
    k->nr_bits = 64;
    return 0;
  }
  mem::MemAlloc* ma = obj::detail::global_ma();
  void* p = ma ? ma->alloc(nr_bytes) : nullptr;
  if (!p) return static_cast<uint64_t>(-ENOMEM);
  if (long e = read_words(p, src, nr_bytes)) {
    ma->free(p);
    return static_cast<uint64_t>(e);
  }
  k->bits = static_cast<uint64_t*>(p);
  k->nr_bits = static_cast<int>(nr_bytes * 8);
  return 0;
}

uint64_t bits_next(RunState&, uint64_t it, uint64_t, uint64_t, uint64_t, uint64_t) {
  auto* k = reinterpret_cast<BitsState*>(it);
  const int nr_bits = k->nr_bits;
  if (!nr_bits || k->bit >= nr_bits) return 0;
  const uint64_t* words = nr_bits == 64 ? &k->bits_copy : k->bits;
  int bit = k->bit + 1;  // find_next_bit
  while (bit < nr_bits) {
    const uint64_t w = words[bit / 64] >> (bit % 64);
    if (w) {
      bit += __builtin_ctzll(w);
      break;
    }
    bit = (bit / 64 + 1) * 64;
  }
  if (bit >= nr_bits) {
    k->bit = nr_bits;
    return 0;
  }
  k->bit = bit;
  return reinterpret_cast<uint64_t>(&k->bit);
}

uint64_t bits_destroy(RunState&, uint64_t it, uint64_t, uint64_t, uint64_t, uint64_t) {
  auto* k = reinterpret_cast<BitsState*>(it);
  if (k->nr_bits <= 64) return 0;
  if (mem::MemAlloc* ma = obj::detail::global_ma()) ma->free(k->bits);
  return 0;
}

}  // namespace

const std::map<std::string, Function>& iter_kfuncs() {
  static const std::map<std::string, Function> m = {
      {"bpf_iter_num_new", num_new},   {"bpf_iter_num_next", num_next},   {"bpf_iter_num_destroy", num_destroy},
      {"bpf_iter_bits_new", bits_new}, {"bpf_iter_bits_next", bits_next}, {"bpf_iter_bits_destroy", bits_destroy},
  };
  return m;
}

}  // namespace ringb::vm
