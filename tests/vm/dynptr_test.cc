// Dynptrs the corpus cannot make: read-only ones (the kernel hands them to
// program types that may not write packets, and to user ring samples under
// the verifier's eye) — writes -EINVAL, no data or rdwr slices, memset
// -EINVAL, reads and slices still fine; and the size word's layout.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>

#include "../../src/vm/dynptr.h"
#include "ringb/vm.h"

namespace ringb::vm {
namespace {

uint64_t call_helper(const Functions& f, int id, uint64_t a, uint64_t b = 0, uint64_t c = 0, uint64_t d = 0,
                     uint64_t e = 0) {
  RunState rs;
  return (*f.helper(id))(rs, a, b, c, d, e);
}
uint64_t call_kfunc(const Functions& f, const char* name, uint64_t a, uint64_t b = 0, uint64_t c = 0,
                    uint64_t d = 0, uint64_t e = 0) {
  RunState rs;
  return (*f.kfunc(name))(rs, a, b, c, d, e);
}
uint64_t u(const void* p) { return reinterpret_cast<uint64_t>(p); }

TEST(Dynptr, SizeWordHoldsTypeAndReadOnlyBit) {
  dynptr::Kern k;
  char buf[16];
  dynptr::init(&k, buf, dynptr::RingBuf, 0, 16);
  EXPECT_EQ(k.size, 16u | (2u << 28));
  dynptr::set_rdonly(&k);
  EXPECT_EQ(k.size, 16u | (2u << 28) | (1u << 31));
  EXPECT_EQ(dynptr::type(&k), dynptr::RingBuf);
  EXPECT_EQ(dynptr::size(&k), 16u);
}

TEST(Dynptr, ReadOnlyDynptrsRefuseWrites) {
  const Functions f = Functions::builtin();
  char buf[16] = "abcdefghijklmno";
  dynptr::Kern k;
  dynptr::init(&k, buf, dynptr::Local, 0, 16);
  dynptr::set_rdonly(&k);
  char v = 'z', out = 0;
  EXPECT_EQ(static_cast<int64_t>(call_helper(f, 202, u(&k), 0, u(&v), 1, 0)), -EINVAL);  // bpf_dynptr_write
  EXPECT_EQ(call_helper(f, 203, u(&k), 0, 1), 0u);                                       // bpf_dynptr_data
  EXPECT_EQ(static_cast<int64_t>(call_helper(f, 201, u(&out), 1, u(&k), 2, 0)), 0);      // bpf_dynptr_read
  EXPECT_EQ(out, 'c');
  EXPECT_EQ(call_kfunc(f, "bpf_dynptr_is_rdonly", u(&k)), 1u);
  EXPECT_EQ(call_kfunc(f, "bpf_dynptr_slice", u(&k), 1, 0, 1), u(buf + 1));
  EXPECT_EQ(call_kfunc(f, "bpf_dynptr_slice_rdwr", u(&k), 1, 0, 1), 0u);
  EXPECT_EQ(static_cast<int64_t>(call_kfunc(f, "bpf_dynptr_memset", u(&k), 0, 4, 'x')), -EINVAL);
  dynptr::Kern dst;
  dynptr::init(&dst, buf, dynptr::Local, 0, 16);
  EXPECT_EQ(static_cast<int64_t>(call_kfunc(f, "bpf_dynptr_copy", u(&k), 0, u(&dst), 0, 4)), -EINVAL)
      << "copy into a read-only dynptr";
  EXPECT_EQ(static_cast<int64_t>(call_kfunc(f, "bpf_dynptr_copy", u(&dst), 8, u(&k), 0, 4)), 0);
  EXPECT_EQ(std::memcmp(buf + 8, "abcd", 4), 0);
  // A clone keeps the bit; the clone of a null dynptr is null.
  dynptr::Kern c;
  EXPECT_EQ(call_kfunc(f, "bpf_dynptr_clone", u(&k), u(&c)), 0u);
  EXPECT_EQ(call_kfunc(f, "bpf_dynptr_is_rdonly", u(&c)), 1u);
  dynptr::set_null(&k);
  EXPECT_EQ(static_cast<int64_t>(call_kfunc(f, "bpf_dynptr_clone", u(&k), u(&c))), -EINVAL);
  EXPECT_EQ(call_kfunc(f, "bpf_dynptr_is_null", u(&c)), 1u);
}

}  // namespace
}  // namespace ringb::vm
