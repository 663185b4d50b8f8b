// ringb/vm.h — executing BPF programs: an instruction checker and decoder,
// a threaded interpreter, and the table of helpers and kfuncs they call.
//
//   vm::Functions   helpers (by id) and kfuncs (by name): ringb's built-ins and
//                   whatever a host registers, through the same table
//   vm::Executable  a linked ringb::Program, checked and decoded once, with its
//                   maps and calls bound: ready to run from any thread
//   vm::RunState    one run: the cpu it runs on, the stack, counters
//
// The interpreter trusts what the verifier proves (pointer bounds and types),
// as the kernel's does; what it checks itself at decode time is the shape of
// the code, with the kernel's messages: known opcodes, reserved fields, jumps
// and calls that land on instructions, helpers and kfuncs that exist, no
// falling off the end. Bad registers and writes to r10 (which the kernel
// refuses only in code it reaches) stop the run if reached: RunState::error.
//
// bpf_tail_call (helper 12) is not a helper here but an instruction of the
// interpreter: it looks the index up in the prog array (maps::Map::prog_at)
// and, when a program is there and the run has taken fewer than 33 tail
// calls, continues in that program's code with r1 = ctx, in the current
// frame. A prog array's programs are Executables (ProgRef::prog).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ringb/error.h"
#include "ringb/insn.h"
#include "ringb/kfuncs.h"
#include "ringb/object.h"

namespace ringb::maps {
class Map;
class CgroupStorage;
}
namespace ringb::obj {
struct Type;
class TypeSet;
}

namespace ringb::vm {

struct RunState;
class Executable;

// A helper or kfunc: five argument registers in, r0 out.
using Function = uint64_t (*)(RunState& rs, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
                              uint64_t r5);

class Functions {
 public:
  // The built-in helpers (map access, time, random, cpu id, printk, bpf_loop,
  // spin locks, kptr_xchg, …) and kfuncs (the object model, RCU, resilient
  // locks, bpf_cpumask: kfuncs::builtin()).
  static Functions builtin();

  void add_helper(int id, std::string name, Function fn);
  // A kfunc with its prototype: calls are checked against the program's
  // declaration, and Implicit arguments are bound at load. Its
  // implicit_alias, if any, names the same kfunc.
  void add_kfunc(kfuncs::Proto proto, Function fn);
  // A kfunc without a prototype: called as it is, declarations unchecked.
  void add_kfunc(std::string name, Function fn);
  const Function* helper(int id) const;
  const Function* kfunc(const std::string& name) const;
  struct Kfunc {
    Function fn = nullptr;
    std::shared_ptr<const kfuncs::Proto> proto;  // null: no prototype given
    bool implicit_args = false;  // this name leaves the Implicit arguments out
  };
  const Kfunc* kfunc_entry(const std::string& name) const;
  std::string helper_name(int id) const;

  // Kernel symbols (__ksym variables): the address a program's
  // `&symbol` loads. ringb has none of its own; hosts add what they share.
  void add_ksym(std::string name, void* address);
  const void* ksym(const std::string& name) const;  // nullptr: unknown

 private:
  struct Entry {
    std::string name;
    Function fn;
  };
  std::map<int, Entry> helpers_;
  std::map<std::string, Kfunc> kfuncs_;
  std::map<std::string, void*> ksyms_;
};

// Where trace_printk output goes, and other per-process settings of a run.
struct RunOptions {
  bool count_insns = false;
  // Not 0: a run stops ("instruction budget exhausted", E2BIG) after this
  // many instructions, callbacks' included (it runs the counting interpreter).
  uint64_t insn_budget = 0;
  FILE* trace = nullptr;  // bpf_trace_printk output; nullptr: stderr
  // The kernel's CONFIG_HZ, for bpf_jiffies64 (the api reads the host's or
  // the running kernel's config; Debian's default otherwise).
  uint32_t jiffies_hz = 250;
};

inline constexpr int kMaxCallFrames = 8;     // MAX_CALL_FRAMES
inline constexpr int kStackSize = 512;       // MAX_BPF_STACK per frame
// A run's stack arena: frames are packed by each function's stack depth
// (docs/vm.md), so tail calls from subprograms, which stack frames the way
// the kernel's do, fit where eight 512-byte frames did.
inline constexpr int kStackArena = kMaxCallFrames * kStackSize;
inline constexpr int kMaxRunFrames = 80;     // frame records per run (calls + tail-call nesting)
inline constexpr uint32_t kMaxTailCalls = 33;  // MAX_TAIL_CALL_CNT, per top-level run
inline constexpr int kHelperTailCall = 12;   // BPF_FUNC_tail_call

struct RunState {
  const Executable* exe = nullptr;  // the program whose code runs now (tail calls change it)
  int cpu = -1;
  uint64_t insns = 0;  // executed, when counting
  const RunOptions* options = nullptr;
  // Runs subprogram `target` (a pseudo-func value from ld_imm64) with the
  // given arguments: bpf_loop and friends call their callbacks through it.
  uint64_t call_callback(uint64_t target, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
                         uint64_t r5);
  int callback_depth = 0;
  uint32_t tail_calls = 0;  // taken in this run (Executable::run resets it)
  // The bpf_spin_lock this run holds (the verifier allows one at a time):
  // a run that stops between lock and unlock releases it, or the next
  // lock of that value (another run, the map's teardown) would spin forever.
  void* held_lock = nullptr;

  // Why the run stopped without a result, or nullptr. When set, the value
  // run() returned is no result and must not be reported as one. Static
  // strings only: runs may happen in signal handlers.
  const char* error = nullptr;
  int error_code = 0;         // an errno: EINVAL (code the kernel refuses), E2BIG (stack), EFAULT
  int64_t error_insn = -1;    // index in error_prog's instructions
  const Executable* error_prog = nullptr;

  void fail(const char* why, int code, const Executable* prog, int64_t insn) {
    if (error) return;  // the first reason is the one that matters
    error = why;
    error_code = code;
    error_prog = prog;
    error_insn = insn;
  }

  // bpf_throw: the run unwinds as a failing one does (error is kThrown
  // meanwhile), then Executable::run returns the cookie, or what the
  // throwing program's exception callback returns for it.
  // One object (a static constexpr member is inline), so its address is the
  // same in every translation unit; a pointer to a string literal need not be.
  static constexpr char kThrown[] = "bpf_throw";
  uint64_t thrown_cookie = 0;
  const Executable* thrower = nullptr;
  void raise(uint64_t cookie) {
    if (error) return;
    error = kThrown;
    thrown_cookie = cookie;
    thrower = exe;
  }
  uint64_t finish_throw();

  // Memory a tracing program's fault-tolerant loads may read without a
  // probe (the context buffer); anything else goes through the probe.
  uint64_t known_lo = 0, known_hi = 0;

  // The run's cgroup storages (ringb/cgroup_storage.h), by
  // cgroup_storage_slot(): the map each belongs to and the storage
  // bpf_get_local_storage() returns a value of (the kernel's
  // bpf_cg_run_ctx). Null: the program uses no map of that type.
  const maps::Map* cgroup_storage_map[2] = {nullptr, nullptr};
  maps::CgroupStorage* cgroup_storage[2] = {nullptr, nullptr};
};

// What a load knows about the object beyond its code, for binding kfunc
// calls as the kernel's fixup_kfunc_call does: the BTF their declarations
// are checked against, the types bpf_obj_new allocates, and the nodes the
// object's graph roots hold (the meta and offset bpf_list_push_*_impl and
// bpf_rbtree_add_impl are given).
struct Bindings {
  const Btf* btf = nullptr;
  const obj::TypeSet* types = nullptr;
  struct Node {
    const obj::Type* type = nullptr;
    uint32_t offset = 0;
    bool operator==(const Node&) const = default;
  };
  std::vector<Node> list_nodes, rb_nodes;
  // Per graph-insert call (instruction index), the node the verifier saw its
  // root hold, as the kernel binds it; calls not here fall back to the
  // object's roots and the pointer analysis. Null when not verified.
  const std::map<size_t, Node>* verified_inserts = nullptr;
};

// A kfunc call with its Implicit arguments bound (CALL_BOUND ops point here).
// Argument i is (r[i+1] & keep[i]) | value[i]: keep is all ones and value 0
// for a register passed through, keep 0 for a bound one (no branch per
// argument on the call path).
struct BoundCall {
  Function fn = nullptr;
  uint64_t keep[5] = {~0ull, ~0ull, ~0ull, ~0ull, ~0ull};
  uint64_t value[5] = {};
  void bind(int arg, uint64_t v) {
    keep[arg] = 0;
    value[arg] = v;
  }
};

class Executable {
 public:
  // Checks and decodes `prog`, binding ld_imm64 map references to `maps`
  // (indexed as in the Object) and calls to `fns`. Errors name the
  // instruction: "program 'p', instruction 12: unknown helper 999".
  static Expected<std::unique_ptr<Executable>> create(const Program& prog,
                                                      const std::vector<maps::Map*>& maps,
                                                      const std::vector<std::string>& kfuncs,
                                                      const Functions& fns,
                                                      const Bindings& bindings = {});
  ~Executable();

  // Runs the program with r1 = ctx. The caller holds a cpu slot and an RCU
  // read-side section (see ringb/runtime.h, which does both). When the run
  // stops on an error (rs.error), the value returned is not a result.
  uint64_t run(uint64_t ctx, RunState& rs) const;

  const Program& program() const { return prog_; }
  // The types bpf_obj_new allocates from (nullptr: the object has none).
  const obj::TypeSet* types() const { return types_; }
  // Bytes of stack the program's first function uses (512 when unknown).
  uint32_t stack_depth() const { return stack_depth_; }

  struct Op;
  // The decoded code, for the interpreter (tail calls switch to another
  // program's).
  const Op* ops(bool counting) const;

 private:
  Executable() = default;
  friend struct RunState;
  Program prog_;
  const obj::TypeSet* types_ = nullptr;
  std::vector<std::unique_ptr<BoundCall>> bound_;  // CALL_BOUND ops point into these
  std::vector<Op> ops_;           // decoded for the fast interpreter
  std::vector<Op> counting_ops_;  // the same for the counting one
  uint32_t stack_depth_ = kStackSize;
};

}  // namespace ringb::vm
