// ringb/verifier.h — a path-sensitive verifier in the manner of the
// kernel's kernel/bpf/verifier.c: every path through a program is walked
// with the abstract state of its registers and stack (types, tnums and
// signed/unsigned 64- and 32-bit ranges), memory accesses, helper and kfunc
// calls, references and locks are checked on the way, and states already
// explored prune the walk. Verdicts and messages follow Linux 6.18's for a
// privileged loader (docs/verifier.md lists what is covered).
//
// It reads only the Object (code, map definitions, BTF, special-field
// records) and the platform tables (helpers.h, kfuncs.h, prog_ctx.h) —
// never live maps — so it runs before anything is created.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <vector>

#include <memory>

#include "ringb/btf.h"
#include "ringb/kfuncs.h"
#include "ringb/object.h"

namespace ringb::verifier {

struct Options {
  // 0: no log; 1: the instructions walked and the error (BPF_LOG_LEVEL1);
  // 2: with the register state after each instruction (BPF_LOG_LEVEL2).
  // Either way the log ends with the kernel's statistics line.
  int log_level = 0;
  uint32_t insn_limit = 1000000;  // BPF_COMPLEXITY_LIMIT_INSNS
  // Kfuncs the host adds (vm::Functions::add_kfunc) beside the built-in
  // table: checked against their prototypes; those without one are
  // called unchecked (any arguments, an unknown scalar back).
  std::vector<kfuncs::Proto> host_kfuncs;
  std::vector<std::string> unchecked_kfuncs;
  // The kernel's BTF (ringb/kernel_btf.h), which types the arguments of
  // tp_btf/fentry/fexit/fmod_ret/lsm programs. Without it they read as
  // scalars, and a kfunc handed one gives no verdict.
  std::shared_ptr<const Btf> kernel_btf;
};

struct Stats {
  uint64_t insns_processed = 0;
  uint32_t total_states = 0, peak_states = 0, max_states_per_insn = 0;
  uint32_t stack_depth = 0;  // of the main function
  double seconds = 0;
};

// A graph insert (bpf_list_push_front/back, bpf_rbtree_add) and the node
// its root holds, the struct and the node's offset in it: what the kernel's
// fixup_kfunc_call passes as the call's hidden meta and offset arguments.
// Absent where paths disagree (the vm then decides from the object's roots).
struct GraphInsert {
  size_t insn = 0;
  uint32_t node_struct_id = 0;
  uint32_t node_offset = 0;
};

struct Result {
  bool ok = false;
  std::string message;  // the kernel's words for the rejection, "" when ok
  int64_t insn = -1;    // the instruction at fault, -1 when ok or none
  // Not empty: no verdict — the program uses this, which ringb's verifier
  // does not model yet ("helper bpf_ringbuf_reserve#131", "may_goto", …);
  // `message` says so. Hosts decide whether to run such programs unverified
  // (Runtime::Options::verify_strict).
  std::string unmodelled;
  std::string log;      // Options::log_level > 0
  Stats stats;
  std::vector<GraphInsert> graph_inserts;  // when ok, sorted by insn
};

// Verifies program `prog_index` of `obj` (its linked code: the program, then
// its subprograms).
Result verify(const Object& obj, size_t prog_index, const Options& options = {});

// "processed 12 insns (limit 1000000) max_states_per_insn 0 total_states 1
// peak_states 1 mark_read 0" — the kernel's last log line.
std::string stats_line(const Stats& s, const Options& options = {});

}  // namespace ringb::verifier
