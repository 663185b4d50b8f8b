// state.h — the verifier's abstract state, after the kernel's
// bpf_reg_state / bpf_stack_state / bpf_func_state / bpf_verifier_state,
// and the Verifier that walks a program with it. Internal to src/verifier.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ringb/kernel_btf.h"
#include "ringb/object.h"
#include "ringb/verifier.h"
#include "tnum.h"

namespace ringb::verifier {

inline constexpr int kMaxReg = 11;           // r0..r10
inline constexpr int kStackSize = 512;       // MAX_BPF_STACK
inline constexpr int kMaxCallFrames = 8;     // MAX_CALL_FRAMES
inline constexpr int64_t kMaxVarOff = 1 << 29;  // BPF_MAX_VAR_OFF
inline constexpr int64_t kMaxPacketOff = 0xffff;

enum class RegType : uint8_t {
  NotInit,
  Scalar,
  Ctx,          // PTR_TO_CTX
  Stack,        // PTR_TO_STACK
  MapPtr,       // CONST_PTR_TO_MAP
  MapValue,     // PTR_TO_MAP_VALUE
  MapKey,       // PTR_TO_MAP_KEY
  Packet,       // PTR_TO_PACKET
  PacketMeta,   // PTR_TO_PACKET_META
  PacketEnd,    // PTR_TO_PACKET_END
  Mem,          // PTR_TO_MEM (mem_size bytes)
  BtfId,        // PTR_TO_BTF_ID: an allocated object (kAlloc) or a kernel type
  Func,         // PTR_TO_FUNC
  SockCommon,   // PTR_TO_SOCK_COMMON (skb->sk)
  // CONST_PTR_TO_DYNPTR: a callback's read-only dynptr argument, and the
  // contents of a dynptr's stack slots (aux: DynType, aux2: 1 in the first
  // slot, id: the dynptr's id, ref_obj_id: a ringbuf dynptr's reference).
  ConstDynptr,
  // An open-coded iterator's stack slots (the kernel's STACK_ITER): aux: the
  // IterKind, aux2: IterState, ref_obj_id in the first slot.
  Iter,
  Sock,         // PTR_TO_SOCKET (a lookup's result, bpf_sk_fullsock)
  TcpSock,      // PTR_TO_TCP_SOCK (bpf_tcp_sock)
  FlowKeys,     // PTR_TO_FLOW_KEYS (flow_dissector's skb->flow_keys)
  // A saved irq flag's stack slot (the kernel's STACK_IRQ_FLAG):
  // ref_obj_id the flag's kRefIrq entry.
  IrqFlag,
  XdpSock,      // PTR_TO_XDP_SOCK (an xskmap lookup's result: struct bpf_xdp_sock)
};

// enum bpf_dynptr_type.
enum DynType : uint8_t { kDynInvalid = 0, kDynLocal = 1, kDynRingbuf = 2, kDynSkb = 3, kDynXdp = 4 };
// Open-coded iterators ringb knows: bpf_iter_num (8 bytes), bpf_iter_bits (16).
enum IterKind : uint8_t { kIterNum = 1, kIterBits = 2 };
enum IterState : uint8_t { kIterActive = 1, kIterDrained = 2 };
inline constexpr int kDynptrSlots = 2;  // BPF_DYNPTR_NR_SLOTS

// Type modifiers (the kernel's PTR_MAYBE_NULL, MEM_RDONLY, MEM_ALLOC, …).
enum RegFlag : uint8_t {
  kMaybeNull = 1u << 0,
  kRdonly = 1u << 1,
  kAlloc = 1u << 2,     // MEM_ALLOC: from bpf_obj_new
  kNonOwn = 1u << 3,    // NON_OWN_REF
  kRcu = 1u << 4,       // MEM_RCU
  kPercpu = 1u << 5,    // MEM_PERCPU
  kUntrusted = 1u << 6, // PTR_UNTRUSTED
  kRingbuf = 1u << 7,   // MEM_RINGBUF: a bpf_ringbuf_reserve record
};

// A BtfId register's aux2 (btf_ptrs.cc): aux is an id in the kernel's BTF
// (Options::kernel_btf), not the object's; and a plain PTR_TO_BTF_ID (the
// kernel's legacy pointer: neither trusted nor untrusted, as fentry's
// arguments and pointers walked from trusted ones).
// Global function argument tags (btf_prepare_func_args).
inline constexpr uint8_t kArgCtx = 1, kArgNonnull = 2, kArgNullable = 4, kArgTrusted = 8;

inline constexpr uint32_t kBtfKernel = 1u << 0;
inline constexpr uint32_t kBtfLegacy = 1u << 1;
// A kernel socket struct a bpf_skc_to_* cast returned (tcp_sock, udp6_sock…):
// ringb's sockets are not laid out as the kernel's, so its fields are not
// modelled; it goes back to the socket helpers (bpf_sk_release) only.
inline constexpr uint32_t kBtfSocket = 1u << 2;

struct Reg {
  RegType type = RegType::NotInit;
  uint8_t flags = 0;
  uint8_t frameno = 0;  // Stack: whose frame
  uint8_t dyn_type = 0; // Mem: a dynptr slice's DynType (skb/xdp slices die when the packet moves)
  int32_t off = 0;      // fixed offset of a pointer
  Tnum var_off = Tnum::constant(0);
  int64_t smin = 0, smax = 0;
  uint64_t umin = 0, umax = 0;
  int32_t s32_min = 0, s32_max = 0;
  uint32_t u32_min = 0, u32_max = 0;
  uint32_t id = 0;          // null propagation, packet range sharing, scalar links
  uint32_t ref_obj_id = 0;  // the reference it stands for (acquired object)
  // Per type: MapPtr/MapValue/MapKey: map index; Packet: range; Mem:
  // mem_size; BtfId: BTF type id (in the object's BTF); Func: subprogram.
  uint32_t aux = 0;
  uint32_t aux2 = 0;  // Mem: for per-cpu pointers the BTF id; MapValue: the inner map's outer index + 1
  uint32_t dynptr_id = 0;  // Mem: the dynptr a slice came from (it dies with it)
  // Scalars in explored states: some path from here needs the exact value
  // (precision.cc). Never set on the state being walked.
  bool precise = false;

  bool is_pointer() const { return type != RegType::NotInit && type != RegType::Scalar; }
  bool is_scalar() const { return type == RegType::Scalar; }
  bool is_const() const { return type == RegType::Scalar && var_off.is_const(); }
  bool is_null_const() const { return is_const() && var_off.value == 0; }
};

// Scalars linked by a move share an id; one that went through `r += K`
// after the move carries this bit in its id and K in `off` (the kernel's
// BPF_ADD_CONST): its value is the others' plus K, so a comparison of any
// of them narrows them all (jumps.cc).
inline constexpr uint32_t kIdAddConst = 1u << 31;
inline uint32_t link_base(const Reg& r) { return r.id & ~kIdAddConst; }
inline int64_t link_delta(const Reg& r) { return (r.id & kIdAddConst) ? r.off : 0; }
inline void unlink(Reg& r) { r.id = 0, r.off = 0; }

// Bits a scalar's value may need (the kernel's get_reg_width: fls64(umax)).
inline int reg_width(const Reg& r) { return r.umax ? 64 - __builtin_clzll(r.umax) : 0; }

// Per stack byte, as the kernel's slot_type.
enum class Slot : uint8_t { Invalid, Misc, Zero, Spill };

struct StackSlot {
  Slot type[8] = {};  // [7] is the lowest address of the 8 bytes
  Reg spilled;        // valid when some type[] is Spill
  // An iterator's depth (iterations simulated): not part of the state's
  // identity for pruning, only for loop detection (iter_active_depths_differ).
  uint32_t iter_depth = 0;
  // A dynptr's or iterator's slot (the kernel's STACK_DYNPTR / STACK_ITER):
  // all 8 bytes Spill, spilled is its ConstDynptr / Iter state. Any write
  // to the slot clears it.
  bool obj = false;
  bool special() const { return obj && type[7] == Slot::Spill; }
};

struct Frame {
  Reg regs[kMaxReg];
  std::vector<StackSlot> stack;  // slot i covers fp-8*(i+1) … fp-8*i-1
  uint32_t callsite = 0;         // the call instruction (frames > 0)
  uint32_t subprog = 0;          // index into Program::funcs
  uint32_t callback_ret = 0;     // callbacks: 1 when r0 must be in [0, 1]
  bool in_callback = false;
  // bpf_loop callback runs entered from this frame's current call (the
  // kernel's callback_depth): a known count ends the walk there.
  uint32_t loop_iters = 0;
  // Callbacks of bpf_loop / for_each: where the caller resumes.
  int32_t async_dummy = 0;
};

// Registers (bit r) and stack slots (bit spi) per frame: what backtracking
// still needs the exact value of (the kernel's backtrack_state), or a set of
// linked scalars (precision.cc).
struct PreciseSet {
  uint16_t regs[kMaxCallFrames] = {};
  uint64_t stack[kMaxCallFrames] = {};
  bool empty() const {
    for (int f = 0; f < kMaxCallFrames; ++f)
      if (regs[f] || stack[f]) return false;
    return true;
  }
};

// One walked instruction of a state's history since its parent checkpoint
// (the kernel's jmp_history, kept for every instruction).
enum HistFlag : uint8_t {
  kHistCallback = 1u << 0,  // the frame is a callback's
  kHistStack = 1u << 1,     // spilled to / filled from stack slot (st_frame, spi)
};
struct HistEntry {
  uint32_t insn = 0;
  uint8_t frame = 0;
  uint8_t flags = 0;
  uint8_t st_frame = 0, spi = 0;
  uint32_t linked = 0;  // conditional jumps: index + 1 into Verifier::linked_
  // Registers of `frame` that walks back for precision started with just
  // before this instruction (a use at it): everything further back they
  // need is marked, so a later walk reaching here with no more stops
  // (precision.cc). Mutable: walks read the state as const.
  mutable uint16_t walked = 0;
};

// What a reference-state entry stands for (the kernel's ref_state_type):
// an acquired pointer, a held resilient lock (taken plainly or by its
// _irqsave form) or a saved irq flag. The entries keep their order: held
// locks and saved flags are stacks, the last of each the active one
// (locks.cc). bpf_spin_lock is State::lock_id, not an entry.
enum RefKind : uint8_t { kRefPtr = 0, kRefResLock = 1, kRefResLockIrq = 2, kRefIrq = 3 };

struct RefState {
  uint32_t id = 0;        // kRefPtr, kRefIrq: the reference's id; locks: the locking register's id (0 for global data)
  uint32_t insn = 0;      // where it was acquired
  uint8_t kind = kRefPtr;
  uint32_t lock_map = 0;  // locks: the map (index + 1) whose value holds the lock
};

struct State {
  std::vector<Frame> frames;
  std::vector<RefState> refs;
  uint32_t lock_id = 0;    // the id of the map value / object whose lock is held, 0: none
  uint32_t lock_map = 0;   // map index + 1 when the lock is in a map value
  int32_t lock_off = -1;
  uint32_t rcu_depth = 0;  // bpf_rcu_read_lock nesting
  int32_t parent = -1;     // explored state this one descends from (states.cc)
  uint32_t insn = 0;       // where the walk is
  uint32_t prev_insn = 0;
  bool from_callback = false;  // back at a callback's call site from its exit
  uint32_t callback_depth = 0;  // callback iterations on this path (the kernel's callback_unroll_depth)
  uint32_t may_goto_depth = 0;  // may_goto turns taken on this path (may_goto.cc)
  std::vector<HistEntry> hist;  // instructions walked since the parent checkpoint (precision.cc)

  Frame& cur() { return frames.back(); }
  const Frame& cur() const { return frames.back(); }
};

// Registers (bits 0-9) and stack slots of a frame (bit k: fp-8k-8…) that
// matter at an instruction (liveness.cc).
struct Locs {
  uint16_t regs = 0;
  uint64_t stack = 0;
};

// An explored state at a prune point (states.cc).
struct Explored {
  State state;
  int32_t parent = -1;
  uint32_t branches = 1;  // paths still being walked from here
  // How often this state pruned a path / failed to (is_state_visited's
  // hit_cnt, miss_cnt): states that keep missing leave the insn's list.
  uint32_t hit_cnt = 0, miss_cnt = 0;
  bool all_precise = false;  // every scalar here and above is marked precise
};

// Failure: the message in the kernel's words. `unmodelled`: not a verdict —
// the program uses something this verifier does not model yet (named).
struct VerifyError {
  std::string message;
  std::string unmodelled;
};

// The context structs a global function's pointer argument may name (calls.cc).
bool is_ctx_type_name(const std::string& name);

class Verifier {
 public:
  Verifier(const Object& obj, const Program& prog, const Options& opts);
  Result run();

  // ---- scalar_bounds.cc
  static void mark_unknown(Reg& r);
  static void mark_known(Reg& r, uint64_t v);
  static void mark_unbounded(Reg& r);  // ranges unbounded, var_off kept
  static void bounds_sync(Reg& r);
  static void update_bounds(Reg& r);
  static void zext32(Reg& r);           // upper 32 bits become zero
  static void coerce_to_size(Reg& r, int bytes);
  static void coerce_to_size_sx(Reg& r, int bytes);
  static bool bounds_valid(const Reg& r);
  // ---- alu.cc: dst op= src on scalars (op: BPF_ADD…; in is unused)
  static void scalar_alu(Reg& dst, Reg src, uint8_t op, bool is64, const Insn& in);
  // ---- jumps.cc: narrow a and b so that "a op b" holds; false: it cannot
  static bool refine(Reg& a, Reg& b, uint8_t op, bool is32);

 private:
  friend struct Access;
  // ---- verify.cc: the walk
  void check_function_starts();
  void check_scalar_returns();
  // check_map_prog_compatibility's "only one cgroup storage of each type",
  // over every map the code loads (helpers_check.cc).
  void check_cgroup_storages();
  void walk();
  bool step(State& st);  // false: this path ended
  void push_branch(const State& st, uint32_t insn);
  void push_branch(State&& st, uint32_t insn);
  // A copy of st in a finished path's buffers (spare_): a branch's copy
  // costs no allocation once the walk has ended a few paths.
  State copy_state(const State& st);
  void recycle(State&& st);
  [[noreturn]] void fail(const std::string& msg);
  // Stops without a verdict: the program uses `what`, which this verifier
  // does not model yet (Result::unmodelled).
  [[noreturn]] void unmodelled(const std::string& what);
  void check_reg_read(const State& st, int r);
  void check_reg_write(int r);
  // ---- alu.cc
  void check_alu(State& st, const Insn& in);
  void pointer_alu(State& st, const Insn& in, Reg& dst, const Reg& ptr, const Reg& off_reg, bool ptr_is_dst);
  // ---- jumps.cc
  bool check_jump(State& st, const Insn& in);  // returns false if path ended
  int branch_taken(const Reg& a, const Reg& b, uint8_t op, bool is32) const;
  void mark_ptr_or_null(State& st, uint32_t id, bool is_null);
  void find_good_pkt_pointers(State& st, const Reg& dst, RegType t, bool right_open);
  // ---- memory.cc
  void check_load(State& st, const Insn& in);
  void check_store(State& st, const Insn& in);
  void check_atomic(State& st, const Insn& in);
  void check_global_ptr_arg(State& st, int regno, uint32_t pointee_type, uint8_t tags);
  bool has_tail_call(uint32_t sub) const;
  bool subprog_changes_pkt_data(uint32_t sub);
  void check_new_type(uint32_t id, bool percpu);
  void save_ptr_type(uint32_t insn, RegType t, bool load);
  void check_ptr_off_reg(const Reg& r, int regno);
  void check_aligned(const Reg& d, int32_t insn_off, int size);
  void check_mem_access(State& st, int regno, int32_t off, int size, bool write, int value_regno,
                        bool sign_ext, const Insn& in);
  void check_map_value_access(const State& st, int regno, const Reg& r, int32_t off, int size, bool write,
                              bool helper);
  void check_packet_access(int regno, const Reg& r, int32_t off, int size, bool helper);
  void check_helper_mem(State& st, int regno, int64_t size_min, int64_t size_max, bool write, bool zero_ok,
                        int size_regno);
  // ---- stack.cc
  void stack_write(State& st, Frame& f, int64_t off, int size, const Reg* value, const Insn& in, bool st_imm);
  void stack_read(State& st, Frame& f, int64_t off, int size, int dst);
  void stack_var_write(State& st, Frame& f, int64_t min_off, int64_t max_off, int size, bool zero);
  void stack_var_read(Frame& f, int64_t min_off, int64_t max_off, Reg* dst);
  void check_stack_bounds(int regno, const Reg& r, int64_t off, int size, const char* what);
  void grow_stack(Frame& f, int64_t lowest_off, uint32_t subprog);
  // ---- calls.cc
  bool check_call(State& st, const Insn& in);
  void check_subprog_call(State& st, const Insn& in);
  bool check_exit(State& st);
  void check_ld_imm64(State& st, const Insn& in, const Insn& next);
  void check_ld_abs(State& st, const Insn& in);
  void check_return_range(const State& st, int regno);
  // ---- exceptions.cc
  bool is_throw(const Insn& in) const;
  void check_exception_cb_static();
  void check_throw(State& st);
  void walk_exception_cb();
  void check_throw_callers();
  void check_stack_depths();
  void clear_caller_saved(State& st);
  void clear_packet_pointers(State& st);
  // ---- helpers_check.cc
  void check_helper_call(State& st, const Insn& in);
  void setup_callback(State& st, uint32_t subprog, int helper_id);
  void refine_retval(Reg& r0, int helper_id, uint64_t msize_max);
  void link_before_mov(Reg& src);
  bool loop_limit_reached(const State& st, uint32_t insn) const;
  // ---- dynptr.cc: dynptrs on the stack (the kernel's process_dynptr_func)
  // The stack slot index of the dynptr/iterator `r` points at, with the
  // kernel's offset checks (failing with their message, then `then`); -1
  // past the allocated stack (ERANGE).
  int stack_obj_spi(const State& st, const Reg& r, const char* kind, int nr_slots, const std::string& then);
  // flags: helpers::kUninit (construct), kRdonly; want: DynType expected or 0.
  void process_dynptr_arg(State& st, int regno, uint8_t flags, uint8_t want, uint32_t clone_ref);
  // The dynptr state a register (stack pointer or const dynptr) refers to.
  Reg dynptr_of(const State& st, const Reg& r);
  void destroy_dynptr_slot(State& st, Frame& f, size_t spi);
  void release_dynptr(State& st, int regno);
  void check_dynptr_release_arg(const State& st, int regno);
  void check_stack_special_write(State& st, Frame& f, int64_t lo, int64_t hi, bool helper);
  void check_stack_special_read(const Frame& f, int regno, int64_t lo, int64_t hi, bool helper);
  void invalidate_slices(State& st, uint32_t dynptr_id);
  // ---- iters.cc: open-coded iterators (process_iter_arg, process_iter_next_call)
  void process_iter_arg(State& st, int regno, uint8_t kind, uint32_t kf_flags, const std::string& kfunc);
  bool is_iter_next_call(uint32_t insn) const;
  bool is_iter_kfunc_call(uint32_t insn) const;  // new, next or destroy
  static bool iter_depths_differ(const State& old, const State& cur);
  static bool iter_active_at_r1(const State& st);  // at a next call: the iterator r1 points at is active
  // ---- kfuncs_check.cc
  void check_kfunc_call(State& st, const Insn& in);
  bool check_dynptr_kfunc(State& st, const std::string& name, uint32_t flags);
  bool check_iter_kfunc(State& st, const std::string& name, uint32_t flags);
  void widen_imprecise(const State& old, State& cur, bool all);
  // ---- locks.cc: bpf_res_spin_lock's held locks and irq flags
  bool res_lock_held(const State& st) const;
  bool any_lock_held(const State& st) const { return st.lock_id || res_lock_held(st); }
  static bool is_res_lock_kfunc(const std::string& name);
  void fork_failed_res_lock(State& st);  // the path where the lock call fails (r0 an errno)
  void process_res_lock(State& st, int regno, const std::string& kfunc);
  void process_irq_flag(State& st, int regno, const std::string& kfunc);
  void invalidate_non_owning(State& st);  // at an unlock: non-owning references die
  // A graph root's allocation must hold the lock (check_reg_allocation_locked).
  void check_root_locked(const State& st, const Reg& root, const std::string& root_type);
  // in_rbtree_lock_required_cb: the walk is inside an rbtree_add's `less`.
  bool in_rbtree_cb(const State& st) const;
  // ---- may_goto.cc
  bool is_may_goto(uint32_t insn) const;
  bool check_may_goto(State& st, const Insn& in);
  // references
  uint32_t acquire_ref(State& st);
  void release_ref(State& st, uint32_t ref_obj_id);
  void check_ref_leak(const State& st, const char* prefix);
  // ---- btf_ptrs.cc: BTF-typed arguments of tracing programs
  const kernel_btf::Target* tracing_target();  // nullptr: not such a program, or no kernel BTF
  bool load_ctx_arg(State& st, int64_t off, int size, int value_regno);  // true: loaded
  const Btf* btf_of(const Reg& r) const;
  std::string btf_name(const Reg& r) const;
  // A load through a BTF pointer (btf_struct_access): bounds, then a pointer
  // member typed; true when it set value_regno.
  bool load_btf_member(State& st, const Reg& base, int regno, int64_t at, int size, int value_regno);
  void check_kfunc_btf_arg(const Reg& r, int regno, int an, const kfuncs::Proto& p, const std::string& want);
  // A kptr field of task_struct, cgroup or bpf_cpumask (rcu_protected_object).
  bool kernel_rcu_kptr(const Field& f) const;
  // A global function's argument tags (btf_decl_tag "arg:…" on parameter a).
  uint8_t global_arg_tags(const Program::Func& fn, int a);
  // A kptr field's pointee is a local type (the object's own struct, which
  // programs allocate), not a kernel one.
  bool kptr_pointee_local(uint32_t pointee_id) const;
  // btf_ld_kptr_type: the flags of a referenced or per-cpu kptr loaded from
  // a map value.
  uint32_t loaded_kptr_flags(const State& st, const Field& f) const;
  // Helper memory through a BTF pointer (check_helper_mem_access): read only, within its member.
  void check_btf_helper_mem(State& st, int regno, const Reg& r, int size, bool write);
  // ---- fastcall.cc
  void mark_fastcall_patterns();
  void check_fastcall_contract(uint32_t subprog, int64_t off);
  void apply_fastcall_depths();
  // ---- liveness.cc
  void compute_liveness();
  // ---- states.cc
  bool visit_prune_point(State& st);  // true: pruned (path ends here)
  // mode: 0 range, 1 exact, 2 shape, 3 range (all live); dyn: old's precision
  // marks are complete, imprecise scalars in it match any scalar.
  bool states_equal(const State& old, const State& cur, int mode, bool dyn = false) const;
  void widen(const State& old, State& cur);
  bool regs_equal(const Reg& old, const Reg& cur, bool exact) const;
  void path_done(const State& st);
  // ---- precision.cc (the kernel's mark_chain_precision and backtrack_insn)
  void mark_precise(const State& st, int regno);                  // the current frame's register
  void mark_precise_regs(const State& st, uint16_t regs);         // bit r: register r
  void mark_precise_slot(const State& st, int frame, size_t spi);  // a spilled scalar
  void propagate_precision(const State& old, const State& cur);  // after cur was pruned by old
  void mark_all_precise(const State& cur);
  void mark_chain(const State& cur, PreciseSet bt, const HistEntry& now, bool skip_now);
  // 0: cannot follow, 1: walked to the start of h, 2: reached a point an
  // earlier walk started from with no fewer registers (HistEntry::walked)
  int backtrack_hist(const std::vector<HistEntry>& h, size_t end, const HistEntry*& later, PreciseSet& bt);
  bool backtrack_insn(const HistEntry& e, const HistEntry* later, PreciseSet& bt) const;
  static bool mark_in(State& s, PreciseSet& bt);
  void note_stack_access(State& st, const Frame& f, int64_t off);
  void note_linked(State& st, State& other, uint32_t id1, uint32_t id2);
  // ---- log.cc
  void log_insn(const State& st, uint32_t i);
  void log_state(const State& st);
  std::string reg_str(const Reg& r) const;

 public:
  static const char* type_str(const Reg& r);
  uint32_t subprog_of(uint32_t insn) const;
  const MapDef& map(uint32_t i) const { return *maps_[i]; }
  // The special field a pointer (map value or allocated object) points at
  // exactly, or nullptr.
  const Field* field_at(const Reg& r) const;
  void check_graph_node(const Reg& root, const Reg& node, int regno, const std::string& node_type);  // kfuncs_check.cc
  const FieldRecord* record_of(const Reg& r) const;

 private:
  const Object& obj_;
  const Program& prog_;
  const Options& opts_;
  const std::vector<Insn>& insns_;
  std::vector<bool> prune_point_;
  std::vector<RegType> ptr_type_;  // per insn: the pointer a load or store first used (NotInit: none yet)
  std::vector<bool> second_half_;                 // ld_imm64's second slots
  std::vector<std::vector<uint32_t>> succ_, pred_;  // within functions (calls: the next insn)
  std::vector<Locs> live_, precise_;
  std::vector<bool> encoding_ok_;  // per insn: its fields and registers passed the encoding checks
  mutable std::vector<uint8_t> cmp_hint_;  // per insn: the register states_equal last failed on (states.cc)
  std::vector<uint32_t> func_start_;  // sorted starts of funcs
  std::vector<uint32_t> stack_depth_;  // per function
  // bpf_fastcall (fastcall.cc): per insn, part of a spill/fill pattern and,
  // at a call, how many pairs it removes; per function, the region's top
  // offset and whether a non-fastcall call's pattern keeps it.
  std::vector<bool> fastcall_pattern_;
  std::vector<uint8_t> fastcall_spills_;
  std::vector<int16_t> fastcall_stack_off_;
  std::vector<bool> keep_fastcall_stack_;
  std::vector<std::vector<uint32_t>> callees_;  // call graph, per function
  std::vector<const MapDef*> maps_;  // the object's maps, then inner map templates
  std::vector<bool> calls_callback_;  // helper calls that run a callback (prune points that may loop)
  // Per graph-insert call: the node its root holds, the same on every path
  // walked; `conflict` where two paths disagree.
  struct InsertSeen {
    uint32_t node_struct_id = 0, node_offset = 0;
    bool conflict = false;
  };
  std::map<size_t, InsertSeen> inserts_;
  // Per obj_drop / percpu_obj_drop / refcount_acquire call: the struct meta
  // (its type's btf id, 0 for a type without one) of what the first path
  // passed; every path must pass the same (the call carries it at run time).
  std::map<size_t, uint32_t> call_meta_;
  std::map<uint64_t, uint8_t> arg_tags_;  // global_arg_tags, by (function btf id, argument)
  std::vector<uint32_t> global_queue_;  // global functions still to verify
  std::vector<bool> global_done_;
  std::vector<int8_t> changes_pkt_;  // per subprog: -1 not yet known, else changes_pkt_data
  std::vector<State> pending_;
  std::vector<State> spare_;  // ended paths' states, kept for their buffers (copy_state)
  std::vector<Explored> explored_;
  std::vector<PreciseSet> linked_;  // scalars linked at a conditional jump (HistEntry::linked)
  std::vector<std::vector<int32_t>> explored_at_;  // per insn: indexes into explored_
  uint32_t id_gen_ = 0;
  uint64_t processed_ = 0;
  uint32_t cur_states_ = 0;
  uint32_t jmps_since_state_ = 0, insns_since_state_ = 0;
  int64_t fail_insn_ = -1;
  uint32_t cur_insn_ = 0;
  std::string log_;
  Stats stats_;
  bool has_tail_call_ = false;
  uint32_t exc_cb_sub_ = UINT32_MAX;  // the exception callback's subprog
  std::vector<bool> is_cb_;           // per subprog: run as a callback
  bool target_done_ = false;          // tracing_target() resolved
  std::unique_ptr<kernel_btf::Target> target_;
};

}  // namespace ringb::verifier
