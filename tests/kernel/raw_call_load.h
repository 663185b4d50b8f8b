// Loads a three-instruction program that makes one call (a helper by id, or
// a kfunc by its vmlinux BTF id) into the running kernel, only to read its
// verifier's verdict: the program is closed at once and never attached.
// The availability-table oracles (helper_progs, kfunc_progs) share it.
#pragma once

#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "ringb/object.h"

namespace ringb::testing {

enum class CallKind { Helper, Kfunc };

// The kernel's log in *log; false when bpf() is not permitted here (the
// load failed with EPERM/ENOSYS before the verifier wrote anything).
inline bool kernel_load_call(ProgType type, CallKind kind, int id, std::string* log) {
  const uint8_t src = kind == CallKind::Kfunc ? BPF_PSEUDO_KFUNC_CALL : 0;
  const bpf_insn insns[] = {
      {BPF_JMP | BPF_CALL, 0, src, 0, id},
      {BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0},
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
  };
  static char buf[1 << 16];
  buf[0] = 0;
  bpf_attr a;
  std::memset(&a, 0, sizeof a);
  a.prog_type = static_cast<uint32_t>(type);
  a.insn_cnt = 3;
  a.insns = reinterpret_cast<uint64_t>(insns);
  a.license = reinterpret_cast<uint64_t>("GPL");
  a.log_level = 1;
  a.log_size = sizeof buf;
  a.log_buf = reinterpret_cast<uint64_t>(buf);
  if (type == ProgType::Syscall) a.prog_flags = BPF_F_SLEEPABLE;
  const int fd = static_cast<int>(syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof a));
  const int err = errno;
  if (fd >= 0) close(fd);
  *log = buf;
  return !(fd < 0 && (err == EPERM || err == ENOSYS) && log->empty());
}

// The program types both oracles walk.
inline constexpr ProgType kOracleProgTypes[] = {
    ProgType::SocketFilter, ProgType::Kprobe,        ProgType::SchedCls,      ProgType::SchedAct,
    ProgType::Tracepoint,   ProgType::Xdp,           ProgType::PerfEvent,     ProgType::CgroupSkb,
    ProgType::LwtIn,        ProgType::LwtOut,        ProgType::LwtXmit,       ProgType::SkSkb,
    ProgType::SkMsg,        ProgType::RawTracepoint, ProgType::LwtSeg6local,  ProgType::FlowDissector,
    ProgType::Syscall};

}  // namespace ringb::testing
