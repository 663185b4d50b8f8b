// The kernel-free helpers and the iterator kfuncs called directly, for what
// the corpus (checked against the kernel) cannot reach: probe reads of
// unmapped memory and strings that end at a page's edge, checksums against
// an independent RFC 1071 sum over random data, strtol's corner cases, the
// iterators' limits and long bit walks.
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <sys/mman.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "ringb/cpu.h"
#include "ringb/objects.h"
#include "ringb/vm.h"

namespace ringb::vm {
namespace {

uint64_t u(const void* p) { return reinterpret_cast<uint64_t>(p); }
int64_t s(uint64_t v) { return static_cast<int64_t>(v); }

struct Helpers : ::testing::Test {
  Functions fns = Functions::builtin();
  RunState rs;
  uint64_t call(int id, uint64_t a = 0, uint64_t b = 0, uint64_t c = 0, uint64_t d = 0, uint64_t e = 0) {
    const Function* f = fns.helper(id);
    EXPECT_NE(f, nullptr) << "helper " << id;
    return f ? (*f)(rs, a, b, c, d, e) : ~0ull;
  }
  uint64_t kfunc(const char* name, uint64_t a = 0, uint64_t b = 0, uint64_t c = 0) {
    const Function* f = fns.kfunc(name);
    EXPECT_NE(f, nullptr) << name;
    return f ? (*f)(rs, a, b, c, 0, 0) : ~0ull;
  }
};

constexpr int kProbeReadUser = 112, kProbeReadKernel = 113, kProbeReadUserStr = 114, kProbeReadKernelStr = 115;
constexpr int kProbeRead = 4, kCsumDiff = 28, kStrtol = 105, kStrtoul = 106, kGetStack = 67;

// Two pages, the second unmapped: what lies before the edge is readable.
struct EdgePages {
  char* base;
  EdgePages() {
    base = static_cast<char*>(mmap(nullptr, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    EXPECT_NE(base, MAP_FAILED);
    EXPECT_EQ(munmap(base + 4096, 4096), 0);
  }
  ~EdgePages() { munmap(base, 4096); }
  char* edge() const { return base + 4096; }
};

TEST_F(Helpers, ProbeReadsOfUnmappedMemoryFailAndZero) {
  EdgePages m;
  uint64_t buf = ~0ull;
  EXPECT_EQ(s(call(kProbeReadKernel, u(&buf), 8, u(m.edge()))), -EFAULT);
  EXPECT_EQ(buf, 0u);
  buf = ~0ull;
  EXPECT_EQ(s(call(kProbeReadUser, u(&buf), 8, u(m.edge() - 4))), -EFAULT);  // straddles the edge
  EXPECT_EQ(buf, 0u);
  std::memcpy(m.edge() - 8, "12345678", 8);
  EXPECT_EQ(call(kProbeReadUser, u(&buf), 8, u(m.edge() - 8)), 0u);
  EXPECT_EQ(std::memcmp(&buf, "12345678", 8), 0);
  EXPECT_EQ(rs.error, nullptr);
}

TEST_F(Helpers, ProbeReadsAddressRanges) {
  uint64_t buf = 1, v = 42;
  EXPECT_EQ(s(call(kProbeReadKernel, u(&buf), 8, 0)), -ERANGE);  // user space for the kernel
  EXPECT_EQ(s(call(kProbeReadKernel, u(&buf), 8, 0x8000000000000000ull)), -ERANGE);  // non-canonical
  EXPECT_EQ(s(call(kProbeReadKernel, u(&buf), 8, 0xffffffffff600000ull)), -ERANGE);  // vsyscall
  EXPECT_EQ(s(call(kProbeReadUser, u(&buf), 8, 0)), -EFAULT);
  EXPECT_EQ(s(call(kProbeRead, u(&buf), 8, 0)), -EFAULT);                     // compat: user below TASK_SIZE
  EXPECT_EQ(s(call(kProbeRead, u(&buf), 8, 0x8000000000000000ull)), -ERANGE);  // kernel above
  EXPECT_EQ(call(kProbeReadKernel, u(&buf), 8, u(&v)), 0u);
  EXPECT_EQ(buf, 42u);
  EXPECT_EQ(s(call(kProbeReadKernel, u(&buf), 0, 0)), -ERANGE);  // nothing to read: the range check still applies
}

TEST_F(Helpers, ProbeReadStrStopsAtTheNulBeforeAnUnmappedPage) {
  EdgePages m;
  std::memcpy(m.edge() - 4, "abc", 4);  // "abc\0" ends exactly at the edge
  char dst[32];
  std::memset(dst, 'x', sizeof dst);
  EXPECT_EQ(call(kProbeReadKernelStr, u(dst), sizeof dst, u(m.edge() - 4)), 4u);
  EXPECT_STREQ(dst, "abc");
  std::memcpy(m.edge() - 4, "abcd", 4);  // no NUL before the edge: a fault
  EXPECT_EQ(s(call(kProbeReadUserStr, u(dst), sizeof dst, u(m.edge() - 4))), -EFAULT);
  EXPECT_EQ(dst[0], 0);
  EXPECT_EQ(dst[31], 0);
  // A size that ends before the edge: truncated, NUL-terminated, the size.
  EXPECT_EQ(call(kProbeReadUserStr, u(dst), 3, u(m.edge() - 4)), 3u);
  EXPECT_STREQ(dst, "ab");
  EXPECT_EQ(call(kProbeReadKernelStr, u(dst), 0, u(m.edge() - 4)), 0u);
}

TEST_F(Helpers, GetStackIsEmpty) {
  uint64_t buf[4] = {1, 2, 3, 4};
  EXPECT_EQ(call(kGetStack, 0, u(buf), sizeof buf, 0), 0u);
  EXPECT_EQ(buf[0] | buf[3], 0u);
  EXPECT_EQ(s(call(kGetStack, 0, u(buf), sizeof buf, 2)), -EFAULT);   // skip 2 of 0 frames
  EXPECT_EQ(s(call(kGetStack, 0, u(buf), 12, 0)), -EINVAL);
  EXPECT_EQ(s(call(kGetStack, 0, u(buf), sizeof buf, BPF_F_USER_BUILD_ID)), -EINVAL);
  EXPECT_EQ(call(kGetStack, 0, u(buf), 32, BPF_F_USER_STACK | BPF_F_USER_BUILD_ID), 0u);  // one build id
}

// RFC 1071: the 16-bit ones'-complement sum of little-endian 16-bit words
// (the raw values a BPF program loads), odd tail zero-padded.
uint16_t rfc1071(const std::vector<uint8_t>& d) {
  uint32_t sum = 0;
  for (size_t i = 0; i < d.size(); i += 2) sum += d[i] | (i + 1 < d.size() ? d[i + 1] << 8 : 0);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

TEST_F(Helpers, CsumDiffMatchesAnIndependentSum) {
  std::mt19937 rng(7);
  for (int round = 0; round < 500; ++round) {
    std::vector<uint8_t> to(4 * (1 + rng() % 64)), from(4 * (1 + rng() % 16));
    for (auto& b : to) b = static_cast<uint8_t>(rng());
    for (auto& b : from) b = static_cast<uint8_t>(rng());
    // Pushing: the sum of the data (0 and 0xffff are the same ones'-complement value).
    const uint16_t push = static_cast<uint16_t>(call(kCsumDiff, 0, 0, u(to.data()), to.size(), 0));
    const uint16_t want = rfc1071(to);
    EXPECT_TRUE(push == want || (push % 0xffff == want % 0xffff)) << round;
    // Diffing: sum(to) - sum(from), i.e. sum(to) + ~sum(from).
    const uint16_t diff =
        static_cast<uint16_t>(call(kCsumDiff, u(from.data()), from.size(), u(to.data()), to.size(), 0));
    uint32_t d = rfc1071(to) + static_cast<uint16_t>(~rfc1071(from));
    while (d >> 16) d = (d & 0xffff) + (d >> 16);
    EXPECT_EQ(diff % 0xffff, d % 0xffff) << round;
    // Applying the difference to a checksum over `from` gives the one over `to`.
    const uint16_t csum_from = static_cast<uint16_t>(~rfc1071(from));
    uint32_t upd = static_cast<uint16_t>(~csum_from) + diff;
    while (upd >> 16) upd = (upd & 0xffff) + (upd >> 16);
    EXPECT_EQ(static_cast<uint16_t>(~upd) % 0xffff, static_cast<uint16_t>(~rfc1071(to)) % 0xffff) << round;
  }
}

struct StrCase {
  const char* in;
  uint64_t flags;
  int64_t ret, res;
};

TEST_F(Helpers, StrtolCornerCases) {
  const StrCase cases[] = {
      {"0", 0, 1, 0},
      {"\t\n\v\f\r 7", 0, 7, 7},          // every isspace
      {"\xa0" "5", 0, 2, 5},              // the kernel's isspace has Latin-1's NBSP
      {"0x", 0, 1, 0},                    // base 0: "0x" without a hex digit is octal 0
      {"0X1F", 0, 4, 31},
      {"0x1f", 16, 4, 31},
      {"1f", 16, 2, 31},
      {"019", 0, 2, 1},                   // octal stops at 9
      {"08", 8, 1, 0},
      {"--1", 0, -EINVAL, 0},
      {"-", 0, -EINVAL, 0},
      {"12", 3, -EINVAL, 0},              // base 3
      {"12", 0x100, -EINVAL, 0},          // a flag outside the base mask
      {"9223372036854775807", 0, 19, INT64_MAX},
      {"9223372036854775808", 0, -ERANGE, 0},
      {"-9223372036854775809", 0, -ERANGE, 0},
      {"18446744073709551616", 0, -ERANGE, 0},  // past u64
  };
  for (const StrCase& c : cases) {
    int64_t res = 99;
    EXPECT_EQ(s(call(kStrtol, u(c.in), std::strlen(c.in), c.flags, u(&res))), c.ret) << c.in;
    EXPECT_EQ(res, c.res) << c.in;
  }
  // Only 63 characters after the blanks are looked at.
  std::string longer = std::string(70, '0') + "1";
  int64_t res = 5;
  EXPECT_EQ(s(call(kStrtol, u(longer.data()), longer.size(), 10, u(&res))), 63);
  EXPECT_EQ(res, 0);
  // The length bounds the string: "123" with length 2 is 12.
  EXPECT_EQ(call(kStrtol, u("123"), 2, 0, u(&res)), 2u);
  EXPECT_EQ(res, 12);
  uint64_t ures = 1;
  EXPECT_EQ(call(kStrtoul, u("18446744073709551615"), 20, 0, u(&ures)), 20u);
  EXPECT_EQ(ures, UINT64_MAX);
  EXPECT_EQ(s(call(kStrtoul, u("-0"), 2, 0, u(&ures))), -EINVAL);
  EXPECT_EQ(ures, 0u);
}

TEST_F(Helpers, IterNumLimits) {
  struct { int cur, end; } it = {};
  EXPECT_EQ(kfunc("bpf_iter_num_new", u(&it), 0, 1 << 23), 0u);
  EXPECT_EQ(s(kfunc("bpf_iter_num_new", u(&it), static_cast<uint64_t>(-1), 1 << 23)), -E2BIG);
  EXPECT_EQ(it.cur | it.end, 0);
  EXPECT_EQ(s(kfunc("bpf_iter_num_new", u(&it), static_cast<uint64_t>(INT_MIN), INT_MAX)), -E2BIG);
  EXPECT_EQ(s(kfunc("bpf_iter_num_new", u(&it), 1, 0)), -EINVAL);
  EXPECT_EQ(kfunc("bpf_iter_num_next", u(&it)), 0u);
  // INT_MAX - 1 .. INT_MAX: one value, no overflow at the end.
  ASSERT_EQ(kfunc("bpf_iter_num_new", u(&it), INT_MAX - 1, INT_MAX), 0u);
  const uint64_t v = kfunc("bpf_iter_num_next", u(&it));
  ASSERT_NE(v, 0u);
  EXPECT_EQ(*reinterpret_cast<int*>(v), INT_MAX - 1);
  EXPECT_EQ(kfunc("bpf_iter_num_next", u(&it)), 0u);
  EXPECT_EQ(kfunc("bpf_iter_num_next", u(&it)), 0u);  // stays done
  kfunc("bpf_iter_num_destroy", u(&it));
  EXPECT_EQ(it.cur | it.end, 0);
}

TEST_F(Helpers, IterBitsWalksEveryWordSize) {
  ASSERT_TRUE(obj::init().ok());
  cpu::CpuGuard g;  // the words are copied onto bpf_global_ma
  rs.cpu = g.cpu();
  std::mt19937_64 rng(3);
  for (uint32_t words : {1u, 2u, 7u, 64u, 511u}) {
    std::vector<uint64_t> w(words);
    for (auto& x : w) x = rng() & rng();
    uint64_t it[2] = {};
    ASSERT_EQ(kfunc("bpf_iter_bits_new", u(it), u(w.data()), words), 0u) << words;
    w[0] = ~0ull;  // new() copied them
    std::vector<int> got, want;
    for (uint64_t p; (p = kfunc("bpf_iter_bits_next", u(it)));) got.push_back(*reinterpret_cast<int*>(p));
    kfunc("bpf_iter_bits_destroy", u(it));
    rng.seed(3);  // the same words again, for the reference walk
    for (uint32_t k : {1u, 2u, 7u, 64u, 511u}) {
      std::vector<uint64_t> r(k);
      for (auto& x : r) x = rng() & rng();
      if (k == words) {
        for (uint32_t b = 0; b < k * 64; ++b)
          if (r[b / 64] >> (b % 64) & 1) want.push_back(static_cast<int>(b));
        break;
      }
    }
    EXPECT_EQ(got, want) << words;
  }
  uint64_t it[2] = {}, one = 1;
  EXPECT_EQ(s(kfunc("bpf_iter_bits_new", u(it), u(&one), 512)), -E2BIG);
  EXPECT_EQ(kfunc("bpf_iter_bits_next", u(it)), 0u);
  EXPECT_EQ(s(kfunc("bpf_iter_bits_new", u(it), 0, 1)), -EINVAL);
  EXPECT_EQ(s(kfunc("bpf_iter_bits_new", u(it), u(&one), 0)), -EINVAL);
  EXPECT_EQ(s(kfunc("bpf_iter_bits_new", u(it), 16, 1)), -EFAULT);  // a user-space address: the read fails
  EdgePages m;
  EXPECT_EQ(s(kfunc("bpf_iter_bits_new", u(it), u(m.edge() - 8), 2)), -EFAULT);
}

}  // namespace
}  // namespace ringb::vm
