// The encoding rows of tests/vm/encoding_cases.h, in the running kernel:
// each program is loaded (BPF_PROG_LOAD, socket filter, never attached) and
// the verifier's log must carry the row's message, or the load succeed.
// tests/vm/encoding_test.cc holds ringb to the same rows.
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "vm/encoding_cases.h"

namespace {

using ringb::testing::EncodingCase;

struct Load {
  int fd = -1;
  int err = 0;
  std::string log;
};

Load load(const std::vector<ringb::Insn>& insns) {
  static_assert(sizeof(ringb::Insn) == sizeof(bpf_insn));
  static char log[1 << 16];
  log[0] = 0;
  bpf_attr a;
  std::memset(&a, 0, sizeof a);
  a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
  a.insns = reinterpret_cast<uint64_t>(insns.data());
  a.insn_cnt = static_cast<uint32_t>(insns.size());
  a.license = reinterpret_cast<uint64_t>("GPL");
  a.log_buf = reinterpret_cast<uint64_t>(log);
  a.log_size = sizeof log;
  a.log_level = 1;
  Load l;
  l.fd = static_cast<int>(syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof a));
  l.err = l.fd < 0 ? errno : 0;
  l.log = log;
  return l;
}

bool bpf_available() {
  // The smallest program: r0 = 0; exit.
  const Load l = load({ringb::isa::make(0xb7, 0, 0, 0, 0), ringb::isa::make(0x95, 0, 0, 0, 0)});
  if (l.fd >= 0) close(l.fd);
  return l.fd >= 0;
}

class KernelEncoding : public ::testing::TestWithParam<EncodingCase> {};

TEST_P(KernelEncoding, VerifierSays) {
  if (!bpf_available()) GTEST_SKIP() << "bpf(BPF_PROG_LOAD) is not permitted here";
  const EncodingCase& c = GetParam();
  const Load l = load(ringb::testing::encoding_program(c));
  if (l.fd >= 0) close(l.fd);
  if (std::string(c.message).empty()) {
    EXPECT_GE(l.fd, 0) << std::strerror(l.err) << "\n" << l.log;
  } else {
    EXPECT_LT(l.fd, 0);
    EXPECT_NE(l.log.find(std::string(c.message) + "\n"), std::string::npos) << l.log;
  }
}

INSTANTIATE_TEST_SUITE_P(Rows, KernelEncoding, ::testing::ValuesIn(ringb::testing::encoding_cases()),
                         [](const auto& info) { return std::string(info.param.name); });

// All 256 opcodes with zero fields: the kernel's table agrees with ringb's
// (tests/vm/encoding_test.cc, OpcodeTableIsTheKernels, lists the known ones).
TEST(KernelEncoding, OpcodeTable) {
  if (!bpf_available()) GTEST_SKIP() << "bpf(BPF_PROG_LOAD) is not permitted here";
  std::string known;
  for (int code = 0; code < 256; ++code) {
    using ringb::isa::make;
    const Load l = load({make(static_cast<uint8_t>(code), 0, 0, 0, 0), make(0, 0, 0, 0, 0),
                         make(0xb7, 0, 0, 0, 0), make(0x95, 0, 0, 0, 0)});
    if (l.fd >= 0) close(l.fd);
    char unknown[32];
    std::snprintf(unknown, sizeof unknown, "unknown opcode %02x\n", code);
    const bool refused_first = l.log.find(unknown) != std::string::npos ||
                               ((code & 7) == 1 && l.log.find("BPF_LDX uses reserved fields") != std::string::npos);
    if (!refused_first) {
      char b[8];
      std::snprintf(b, sizeof b, "%02x ", code);
      known += b;
    }
  }
  EXPECT_EQ(known,
            "04 05 06 07 0c 0f 14 15 16 17 18 1c 1d 1e 1f 20 24 25 26 27 28 2c 2d 2e 2f 30 34 35 36 37 "
            "3c 3d 3e 3f 40 44 45 46 47 48 4c 4d 4e 4f 50 54 55 56 57 5c 5d 5e 5f 61 62 63 64 65 66 67 "
            "69 6a 6b 6c 6d 6e 6f 71 72 73 74 75 76 77 79 7a 7b 7c 7d 7e 7f 81 84 85 87 89 91 94 95 97 "
            "9c 9f a4 a5 a6 a7 ac ad ae af b4 b5 b6 b7 bc bd be bf c3 c4 c5 c6 c7 cb cc cd ce cf d3 d4 "
            "d5 d6 d7 db dc dd de e5 ");
}

}  // namespace
