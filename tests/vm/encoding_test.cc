// The kernel's encoding rules, as data (encoding_cases.h): every reserved
// field of every class and every non-opcode is refused with the kernel's
// message; the register rules stop the run with it, and only if reached.
#include <gtest/gtest.h>

#include "ringb/cpu.h"
#include "ringb/vm.h"
#include "vm/asm.h"
#include "vm/encoding_cases.h"

namespace ringb::vm {
namespace {

using ringb::testing::EncodingCase;
using namespace ringb::testing::as;

Expected<std::unique_ptr<Executable>> decode(const std::vector<Insn>& code) {
  Program p;
  p.name = "enc";
  p.type = ProgType::SocketFilter;  // as the kernel oracle loads these (LD_ABS needs an skb type)
  p.insns = code;
  return Executable::create(p, {}, {}, Functions::builtin());
}

class Encoding : public ::testing::TestWithParam<EncodingCase> {};

TEST_P(Encoding, MatchesTheKernel) {
  const EncodingCase& c = GetParam();
  auto exe = decode(ringb::testing::encoding_program(c));
  if (std::string(c.message).empty() || c.at_run) {
    ASSERT_TRUE(exe.ok()) << exe.error().message;
  } else {
    ASSERT_FALSE(exe.ok());
    EXPECT_NE(exe.error().message.find(std::string("): ") + c.message), std::string::npos) << exe.error().message;
    return;
  }
  if (!c.at_run) return;
  RunState rs;
  cpu::CpuGuard g;
  rs.cpu = g.cpu();
  (*exe)->run(0, rs);
  ASSERT_NE(rs.error, nullptr);
  EXPECT_STREQ(rs.error, c.message);
  EXPECT_EQ(rs.error_code, EINVAL);
  EXPECT_EQ(rs.error_insn, 4);  // after the four instructions of the preamble
  EXPECT_EQ(rs.error_prog, exe->get());
}

INSTANTIATE_TEST_SUITE_P(Kernel, Encoding, ::testing::ValuesIn(ringb::testing::encoding_cases()),
                         [](const auto& info) { return std::string(info.param.name); });

// Code the kernel proves dead may write r10 (verifier_bounds does): it loads,
// and runs, as long as the write is never reached.
TEST(Encoding, DeadWritesToR10DoNotStopTheProgram) {
  auto exe = decode({mov64(0, 3), jmp_imm(kJeq, 0, 3, 1), mov64(10, 0), exit_()});
  ASSERT_TRUE(exe.ok()) << exe.error().message;
  RunState rs;
  EXPECT_EQ((*exe)->run(0, rs), 3u);
  EXPECT_EQ(rs.error, nullptr);
}

// The opcode table, all 256 codes with zero fields, against the running
// kernel's (6.18) bpf_opcode_in_insntable as tests/kernel measured it.
TEST(Encoding, OpcodeTableIsTheKernels) {
  const std::vector<int> known = {
      0x04, 0x05, 0x06, 0x07, 0x0c, 0x0f, 0x14, 0x15, 0x16, 0x17, 0x18, 0x1c, 0x1d, 0x1e, 0x1f, 0x20,
      0x24, 0x25, 0x26, 0x27, 0x28, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x34, 0x35, 0x36, 0x37, 0x3c, 0x3d,
      0x3e, 0x3f, 0x40, 0x44, 0x45, 0x46, 0x47, 0x48, 0x4c, 0x4d, 0x4e, 0x4f, 0x50, 0x54, 0x55, 0x56,
      0x57, 0x5c, 0x5d, 0x5e, 0x5f, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x69, 0x6a, 0x6b, 0x6c,
      0x6d, 0x6e, 0x6f, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e,
      0x7f, 0x81, 0x84, 0x85, 0x87, 0x89, 0x91, 0x94, 0x95, 0x97, 0x9c, 0x9f, 0xa4, 0xa5, 0xa6, 0xa7,
      0xac, 0xad, 0xae, 0xaf, 0xb4, 0xb5, 0xb6, 0xb7, 0xbc, 0xbd, 0xbe, 0xbf, 0xc3, 0xc4, 0xc5, 0xc6,
      0xc7, 0xcb, 0xcc, 0xcd, 0xce, 0xcf, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xdb, 0xdc, 0xdd, 0xde, 0xe5};
  for (int code = 0; code < 256; ++code) {
    SCOPED_TRACE(code);
    auto exe = decode({make(static_cast<uint8_t>(code), 0, 0, 0, 0), make(0, 0, 0, 0, 0), mov64(0, 0), exit_()});
    char want[32];
    std::snprintf(want, sizeof want, "unknown opcode %02x", code);
    const bool in_table = std::find(known.begin(), known.end(), code) != known.end();
    // LDX's mode is checked before the table, with its own message.
    const char* other = (code & 7) == kLdx ? "BPF_LDX uses reserved fields" : want;
    const bool unknown = !exe.ok() && (exe.error().message.find(want) != std::string::npos ||
                                       exe.error().message.find(other) != std::string::npos);
    EXPECT_EQ(unknown, !in_table) << (exe.ok() ? "accepted" : exe.error().message);
  }
}

}  // namespace
}  // namespace ringb::vm
