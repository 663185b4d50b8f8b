// interp.cc — the threaded interpreter.
//
// Each Op carries the address of its handler (GCC's labels as values), so an
// instruction costs its own work plus one indirect jump, which the branch
// predictor learns per site. Registers live in a small array; memory is
// accessed through memcpy (unaligned accesses are allowed, as on x86), or
// as relaxed atomics in TSan builds (see load()).
// Two instantiations: one counts executed instructions (ringb run --stats),
// the other does not pay for it.
#include <time.h>

#include <cstring>

#include "ops.h"
#include "probe.h"
#include "ringb/maps.h"
#include "ringb/test_ctx.h"

namespace ringb::vm {
namespace {

// Programs on different cpus may race on map values, as the kernel allows
// (its interpreter, too, uses plain C accesses). For ThreadSanitizer such a
// race must be an atomic access, or TSan reports BPF's semantics as a ringb
// bug: TSan builds make aligned accesses relaxed atomics. On x86-64 that is
// the same mov; other builds keep memcpy because the branch on alignment
// costs 15% on the division loop of `ringb bench` (0.71 → 0.82 ns/insn)
// through the interpreter's code layout.
#if defined(__SANITIZE_THREAD__)
inline constexpr bool kAtomicAccesses = true;
#else
inline constexpr bool kAtomicAccesses = false;
#endif

template <typename T>
inline T load(uint64_t addr) {
  if (kAtomicAccesses && addr % sizeof(T) == 0)
    return __atomic_load_n(reinterpret_cast<const T*>(addr), __ATOMIC_RELAXED);
  T v;
  std::memcpy(&v, reinterpret_cast<const void*>(addr), sizeof(T));
  return v;
}

template <typename T>
inline void store(uint64_t addr, T v) {
  if (kAtomicAccesses && addr % sizeof(T) == 0)
    return __atomic_store_n(reinterpret_cast<T*>(addr), v, __ATOMIC_RELAXED);
  std::memcpy(reinterpret_cast<void*>(addr), &v, sizeof(T));
}

// Division and modulo by zero are defined in BPF: x / 0 = 0, x % 0 = x. The
// signed forms also define INT_MIN / -1 = INT_MIN and INT_MIN % -1 = 0.
template <typename U, typename S>
inline U sdiv(U d, U s) {
  if (s == 0) return 0;
  if (static_cast<S>(s) == -1) return static_cast<U>(U{0} - d);
  return static_cast<U>(static_cast<S>(d) / static_cast<S>(s));
}
template <typename U, typename S>
inline U smod(U d, U s) {
  if (s == 0) return d;
  if (static_cast<S>(s) == -1) return 0;
  return static_cast<U>(static_cast<S>(d) % static_cast<S>(s));
}

// A caller's frame. Its r10 is not saved: the call Op (ret - 1) holds the
// caller's stack depth, which is what r10 moved by.
struct Frame {
  const Op* ret;
  const Executable* exe;  // the caller's program: a tail call in the callee replaces rs->exe
  uint64_t saved[4];      // r6..r9
};

// may_goto's budget, per function invocation, as the kernel's timed
// may_goto on x86 keeps it in two hidden stack slots: 0xffff jumps not
// taken, then a look at the clock that renews the count until 250 ms have
// passed since the first renewal; after that every may_goto of the frame
// jumps (bpf_check_timed_may_goto).
struct LoopBudget {
  uint64_t count;     // jumps left before the next look at the clock
  uint64_t since_ns;  // the first renewal, 0 before it
};
constexpr LoopBudget kFreshBudget{0xffff, 0};  // BPF_MAX_TIMED_LOOPS
inline uint64_t mono_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}
inline uint64_t renew_budget(LoopBudget& b) {
  const uint64_t now = mono_ns();
  if (!b.since_ns) {
    b.since_ns = now;
    return 0xffff;
  }
  return now - b.since_ns >= 250000000ull ? 0 : 0xffff;
}

// __sk_buff.data / data_end: 32-bit fields that hold the packet pointers
// (ringb places packets below 4 GiB, see test_run.cc).
constexpr uint32_t kSkbData = 76, kSkbDataEnd = 80;

// Legacy packet loads (LD_ABS/LD_IND) address the packet from skb->data
// (offset >= 0: the mac header for tc, the network header for socket
// filters), or, below zero, from the network header (SKF_NET_OFF) or the mac
// header (SKF_LL_OFF), as the kernel's load_pointer_neg_helper does, within
// [head, data_end). The network header follows the Ethernet header, as after
// the test run's eth_type_trans. 0: outside.
constexpr int32_t kSkfNetOff = -0x100000, kSkfLlOff = -0x200000;
inline uint64_t packet_at(uint64_t skb, int32_t k, uint64_t size) {
  const auto* run = reinterpret_cast<const SkbRun*>(skb);
  const uint64_t data = load<uint32_t>(skb + kSkbData);
  const uint64_t end = load<uint32_t>(skb + kSkbDataEnd);
  uint64_t at;
  if (k >= 0) at = data + static_cast<uint64_t>(k);
  else if (k >= kSkfNetOff) at = uint64_t{run->mac} + kEthHlen + static_cast<uint64_t>(k - kSkfNetOff);
  else if (k >= kSkfLlOff) at = uint64_t{run->mac} + static_cast<uint64_t>(k - kSkfLlOff);
  else return 0;
  return at >= run->head && at + size <= end ? at : 0;
}

// PROBE_MEM loads: memory ringb knows (this run's stack, the context the
// host declared) is read directly, anything else through probe_read; a
// fault reads 0, as the kernel's exception table makes it.
template <typename T>
inline bool probe_load(uint64_t addr, const uint8_t* stack, const RunState* rs, T& v) {
  const auto lo = reinterpret_cast<uint64_t>(stack);
  if ((addr >= lo && addr + sizeof(T) <= lo + kStackArena) ||
      (addr >= rs->known_lo && addr + sizeof(T) <= rs->known_hi && addr + sizeof(T) > addr)) {
    v = load<T>(addr);
    return true;
  }
  const Probe p = probe_read(&v, addr, sizeof(T));
  if (p != Probe::Ok) v = 0;
  return p != Probe::Unavailable;
}

template <bool kCount>
uint64_t run(const Op* ops, const Op* entry, const uint64_t args[5], RunState* rs, uint8_t* stack,
             const void* const** table_out) {
  static const void* const kLabels[] = {
#define RINGB_LABEL4(n) &&L_##n##64_K, &&L_##n##64_X, &&L_##n##32_K, &&L_##n##32_X,
#define RINGB_LABEL2(n) &&L_##n##32, &&L_##n##64,
#define RINGB_LABEL1(n) &&L_##n,
      RINGB_ALU_OPS(RINGB_LABEL4) RINGB_JMP_OPS(RINGB_LABEL4) RINGB_ATOMIC_OPS(RINGB_LABEL2)
          RINGB_OTHER_OPS(RINGB_LABEL1)
#undef RINGB_LABEL4
#undef RINGB_LABEL2
#undef RINGB_LABEL1
  };
  static_assert(sizeof(kLabels) / sizeof(kLabels[0]) == static_cast<size_t>(Kind::Count));
  if (table_out) {
    *table_out = kLabels;
    return 0;
  }
  (void)ops;

  uint64_t R[11];
  R[0] = 0;
  for (int i = 0; i < 5; ++i) R[i + 1] = args[i];
  R[6] = R[7] = R[8] = R[9] = 0;
  R[10] = reinterpret_cast<uint64_t>(stack + kStackArena);
  const uint64_t stack_lo = reinterpret_cast<uint64_t>(stack);
  Frame frames[kMaxRunFrames];
  LoopBudget loops[kMaxRunFrames];  // by depth, set as each call starts (not all at once)
  loops[0] = kFreshBudget;
  int depth = 0;
  uint64_t count = 0;
  // RunOptions::insn_budget: what is left of it for this invocation
  // (callbacks are invocations of their own; rs->insns has what ended).
  uint64_t budget = UINT64_MAX;
  if constexpr (kCount) {
    if (rs->options && rs->options->insn_budget)
      budget = rs->options->insn_budget > rs->insns ? rs->options->insn_budget - rs->insns : 0;
  }
  const Op* op = entry;

#define DISPATCH()                                        \
  do {                                                    \
    if constexpr (kCount) {                               \
      if (++count > budget) goto L_BUDGET;                \
    }                                                     \
    goto* op->handler;                      \
  } while (0)
#define NEXT() \
  do {         \
    ++op;      \
    DISPATCH(); \
  } while (0)

  // Stops the run with an error naming the instruction (never a result).
#define FAIL(why, code)                                                  \
  do {                                                                   \
    rs->fail(why, code, rs->exe, op - rs->exe->ops(kCount));             \
    R[0] = 0;                                                            \
    goto L_EXIT_ALL;                                                     \
  } while (0)

  DISPATCH();

  // ---- ALU ------------------------------------------------------------------
#define RINGB_ALU(n, expr64, expr32)                                                \
  L_##n##64_K : {                                                                  \
    const uint64_t d = R[op->dst], s = static_cast<uint64_t>(static_cast<int64_t>(op->imm)); \
    R[op->dst] = (expr64);                                                         \
    NEXT();                                                                        \
  }                                                                                \
  L_##n##64_X : {                                                                  \
    const uint64_t d = R[op->dst], s = R[op->src];                                 \
    R[op->dst] = (expr64);                                                         \
    NEXT();                                                                        \
  }                                                                                \
  L_##n##32_K : {                                                                  \
    const uint32_t d = static_cast<uint32_t>(R[op->dst]), s = static_cast<uint32_t>(op->imm); \
    R[op->dst] = static_cast<uint32_t>(expr32);                                    \
    NEXT();                                                                        \
  }                                                                                \
  L_##n##32_X : {                                                                  \
    const uint32_t d = static_cast<uint32_t>(R[op->dst]), s = static_cast<uint32_t>(R[op->src]); \
    R[op->dst] = static_cast<uint32_t>(expr32);                                    \
    NEXT();                                                                        \
  }

  RINGB_ALU(ADD, d + s, d + s)
  RINGB_ALU(SUB, d - s, d - s)
  RINGB_ALU(MUL, d * s, d * s)
  RINGB_ALU(DIV, s ? d / s : 0, s ? d / s : 0)
  RINGB_ALU(SDIV, (sdiv<uint64_t, int64_t>(d, s)), (sdiv<uint32_t, int32_t>(d, s)))
  RINGB_ALU(MOD, s ? d % s : d, s ? d % s : d)
  RINGB_ALU(SMOD, (smod<uint64_t, int64_t>(d, s)), (smod<uint32_t, int32_t>(d, s)))
  RINGB_ALU(OR, d | s, d | s)
  RINGB_ALU(AND, d & s, d & s)
  RINGB_ALU(XOR, d ^ s, d ^ s)
  RINGB_ALU(LSH, d << (s & 63), d << (s & 31))
  RINGB_ALU(RSH, d >> (s & 63), d >> (s & 31))
  RINGB_ALU(ARSH, static_cast<uint64_t>(static_cast<int64_t>(d) >> (s & 63)),
            static_cast<uint32_t>(static_cast<int32_t>(d) >> (s & 31)))
  RINGB_ALU(MOV, (static_cast<void>(d), s), (static_cast<void>(d), s))
#undef RINGB_ALU

L_NEG64:
  R[op->dst] = uint64_t{0} - R[op->dst];
  NEXT();
L_NEG32:
  R[op->dst] = static_cast<uint32_t>(0u - static_cast<uint32_t>(R[op->dst]));
  NEXT();
L_MOVSX64_8:
  R[op->dst] = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(R[op->src])));
  NEXT();
L_MOVSX64_16:
  R[op->dst] = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int16_t>(R[op->src])));
  NEXT();
L_MOVSX64_32:
  R[op->dst] = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(R[op->src])));
  NEXT();
L_MOVSX32_8:
  R[op->dst] = static_cast<uint32_t>(static_cast<int32_t>(static_cast<int8_t>(R[op->src])));
  NEXT();
L_MOVSX32_16:
  R[op->dst] = static_cast<uint32_t>(static_cast<int32_t>(static_cast<int16_t>(R[op->src])));
  NEXT();
L_LE16:
  R[op->dst] = static_cast<uint16_t>(R[op->dst]);
  NEXT();
L_LE32:
  R[op->dst] = static_cast<uint32_t>(R[op->dst]);
  NEXT();
L_LE64:
  NEXT();
L_BE16:
L_BSWAP16:
  R[op->dst] = __builtin_bswap16(static_cast<uint16_t>(R[op->dst]));
  NEXT();
L_BE32:
L_BSWAP32:
  R[op->dst] = __builtin_bswap32(static_cast<uint32_t>(R[op->dst]));
  NEXT();
L_BE64:
L_BSWAP64:
  R[op->dst] = __builtin_bswap64(R[op->dst]);
  NEXT();

  // ---- memory ---------------------------------------------------------------
L_LDX_B:
  R[op->dst] = load<uint8_t>(R[op->src] + op->off);
  NEXT();
L_LDX_H:
  R[op->dst] = load<uint16_t>(R[op->src] + op->off);
  NEXT();
L_LDX_W:
  R[op->dst] = load<uint32_t>(R[op->src] + op->off);
  NEXT();
L_LDX_DW:
  R[op->dst] = load<uint64_t>(R[op->src] + op->off);
  NEXT();
L_LDXSX_B:
  R[op->dst] = static_cast<uint64_t>(static_cast<int64_t>(load<int8_t>(R[op->src] + op->off)));
  NEXT();
L_LDXSX_H:
  R[op->dst] = static_cast<uint64_t>(static_cast<int64_t>(load<int16_t>(R[op->src] + op->off)));
  NEXT();
L_LDXSX_W:
  R[op->dst] = static_cast<uint64_t>(static_cast<int64_t>(load<int32_t>(R[op->src] + op->off)));
  NEXT();
#define RINGB_PROBE(sfx, T, widen)                                                   \
  L_PROBE_##sfx : {                                                                   \
    T v;                                                                              \
    if (!probe_load<T>(R[op->src] + static_cast<uint64_t>(static_cast<int64_t>(op->off)), stack, rs, v)) \
      FAIL("a fault-tolerant load could not probe memory (process_vm_readv refused)", EFAULT); \
    R[op->dst] = widen(v);                                                            \
    NEXT();                                                                           \
  }
#define RINGB_ZX(v) static_cast<uint64_t>(v)
#define RINGB_SX(v) static_cast<uint64_t>(static_cast<int64_t>(v))
  RINGB_PROBE(LDX_B, uint8_t, RINGB_ZX)
  RINGB_PROBE(LDX_H, uint16_t, RINGB_ZX)
  RINGB_PROBE(LDX_W, uint32_t, RINGB_ZX)
  RINGB_PROBE(LDX_DW, uint64_t, RINGB_ZX)
  RINGB_PROBE(LDXSX_B, int8_t, RINGB_SX)
  RINGB_PROBE(LDXSX_H, int16_t, RINGB_SX)
  RINGB_PROBE(LDXSX_W, int32_t, RINGB_SX)
#undef RINGB_PROBE
#undef RINGB_ZX
#undef RINGB_SX
L_ST_B:
  store<uint8_t>(R[op->dst] + op->off, static_cast<uint8_t>(op->imm));
  NEXT();
L_ST_H:
  store<uint16_t>(R[op->dst] + op->off, static_cast<uint16_t>(op->imm));
  NEXT();
L_ST_W:
  store<uint32_t>(R[op->dst] + op->off, static_cast<uint32_t>(op->imm));
  NEXT();
L_ST_DW:
  store<uint64_t>(R[op->dst] + op->off, static_cast<uint64_t>(static_cast<int64_t>(op->imm)));
  NEXT();
L_STX_B:
  store<uint8_t>(R[op->dst] + op->off, static_cast<uint8_t>(R[op->src]));
  NEXT();
L_STX_H:
  store<uint16_t>(R[op->dst] + op->off, static_cast<uint16_t>(R[op->src]));
  NEXT();
L_STX_W:
  store<uint32_t>(R[op->dst] + op->off, static_cast<uint32_t>(R[op->src]));
  NEXT();
L_STX_DW:
  store<uint64_t>(R[op->dst] + op->off, R[op->src]);
  NEXT();

  // ---- atomics: fully ordered, like the kernel's -------------------------------
#define RINGB_ATOMIC_RMW(n, builtin, fetch)                                            \
  L_##n##32 : {                                                                       \
    auto* p = reinterpret_cast<uint32_t*>(R[op->dst] + op->off);                      \
    const uint32_t old = builtin(p, static_cast<uint32_t>(R[op->src]), __ATOMIC_SEQ_CST); \
    if (fetch) R[op->src] = old;                                                      \
    NEXT();                                                                           \
  }                                                                                   \
  L_##n##64 : {                                                                       \
    auto* p = reinterpret_cast<uint64_t*>(R[op->dst] + op->off);                      \
    const uint64_t old = builtin(p, R[op->src], __ATOMIC_SEQ_CST);                    \
    if (fetch) R[op->src] = old;                                                      \
    NEXT();                                                                           \
  }
  RINGB_ATOMIC_RMW(ATOMIC_ADD, __atomic_fetch_add, false)
  RINGB_ATOMIC_RMW(ATOMIC_AND, __atomic_fetch_and, false)
  RINGB_ATOMIC_RMW(ATOMIC_OR, __atomic_fetch_or, false)
  RINGB_ATOMIC_RMW(ATOMIC_XOR, __atomic_fetch_xor, false)
  RINGB_ATOMIC_RMW(FETCH_ADD, __atomic_fetch_add, true)
  RINGB_ATOMIC_RMW(FETCH_AND, __atomic_fetch_and, true)
  RINGB_ATOMIC_RMW(FETCH_OR, __atomic_fetch_or, true)
  RINGB_ATOMIC_RMW(FETCH_XOR, __atomic_fetch_xor, true)
  RINGB_ATOMIC_RMW(XCHG, __atomic_exchange_n, true)
#undef RINGB_ATOMIC_RMW
L_CMPXCHG32 : {
  auto* p = reinterpret_cast<uint32_t*>(R[op->dst] + op->off);
  uint32_t expected = static_cast<uint32_t>(R[0]);
  __atomic_compare_exchange_n(p, &expected, static_cast<uint32_t>(R[op->src]), false,
                              __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  R[0] = expected;  // the old value, zero-extended
  NEXT();
}
L_CMPXCHG64 : {
  auto* p = reinterpret_cast<uint64_t*>(R[op->dst] + op->off);
  uint64_t expected = R[0];
  __atomic_compare_exchange_n(p, &expected, R[op->src], false, __ATOMIC_SEQ_CST,
                              __ATOMIC_SEQ_CST);
  R[0] = expected;
  NEXT();
}
#define RINGB_ACQ_REL(sfx, T)                                                               \
  L_LOAD_ACQ_##sfx:                                                                        \
  R[op->dst] = __atomic_load_n(reinterpret_cast<T*>(R[op->src] + op->off), __ATOMIC_ACQUIRE); \
  NEXT();                                                                                  \
  L_STORE_REL_##sfx:                                                                       \
  __atomic_store_n(reinterpret_cast<T*>(R[op->dst] + op->off), static_cast<T>(R[op->src]), \
                   __ATOMIC_RELEASE);                                                      \
  NEXT();
  RINGB_ACQ_REL(B, uint8_t)
  RINGB_ACQ_REL(H, uint16_t)
  RINGB_ACQ_REL(W, uint32_t)
  RINGB_ACQ_REL(DW, uint64_t)
#undef RINGB_ACQ_REL

  // ---- 64-bit immediates and legacy packet loads ---------------------------------
L_LD_IMM64:
  R[op->dst] = op->aux;
  op += 2;
  DISPATCH();
#define RINGB_LD_PKT(sfx, T, swap, k)                                                      \
  L_LD_##sfx : {                                                                          \
    const uint64_t at = packet_at(R[6], k, sizeof(T));                                    \
    if (!at) { /* out of the packet: this function returns 0, as in the kernel */         \
      R[0] = 0;                                                                           \
      goto L_EXIT;                                                                        \
    }                                                                                     \
    R[0] = swap(load<T>(at));                                                             \
    NEXT();                                                                               \
  }
#define RINGB_NOSWAP(x) (x)
// LD_IND's offset is src + imm in 32 bits, as the kernel computes it.
#define RINGB_IND_K static_cast<int32_t>(static_cast<uint32_t>(R[op->src]) + static_cast<uint32_t>(op->imm))
  RINGB_LD_PKT(ABS_B, uint8_t, RINGB_NOSWAP, op->imm)
  RINGB_LD_PKT(ABS_H, uint16_t, __builtin_bswap16, op->imm)
  RINGB_LD_PKT(ABS_W, uint32_t, __builtin_bswap32, op->imm)
  RINGB_LD_PKT(IND_B, uint8_t, RINGB_NOSWAP, RINGB_IND_K)
  RINGB_LD_PKT(IND_H, uint16_t, __builtin_bswap16, RINGB_IND_K)
  RINGB_LD_PKT(IND_W, uint32_t, __builtin_bswap32, RINGB_IND_K)
#undef RINGB_IND_K
#undef RINGB_LD_PKT
#undef RINGB_NOSWAP

  // ---- jumps --------------------------------------------------------------------
#define RINGB_JMP(n, cmp64, cmp32)                                                         \
  L_##n##64_K : {                                                                         \
    const uint64_t d = R[op->dst], s = static_cast<uint64_t>(static_cast<int64_t>(op->imm)); \
    if (cmp64) {                                                                          \
      op = reinterpret_cast<const Op*>(op->aux);                                          \
      DISPATCH();                                                                         \
    }                                                                                     \
    NEXT();                                                                               \
  }                                                                                       \
  L_##n##64_X : {                                                                         \
    const uint64_t d = R[op->dst], s = R[op->src];                                        \
    if (cmp64) {                                                                          \
      op = reinterpret_cast<const Op*>(op->aux);                                          \
      DISPATCH();                                                                         \
    }                                                                                     \
    NEXT();                                                                               \
  }                                                                                       \
  L_##n##32_K : {                                                                         \
    const uint32_t d = static_cast<uint32_t>(R[op->dst]), s = static_cast<uint32_t>(op->imm); \
    if (cmp32) {                                                                          \
      op = reinterpret_cast<const Op*>(op->aux);                                          \
      DISPATCH();                                                                         \
    }                                                                                     \
    NEXT();                                                                               \
  }                                                                                       \
  L_##n##32_X : {                                                                         \
    const uint32_t d = static_cast<uint32_t>(R[op->dst]), s = static_cast<uint32_t>(R[op->src]); \
    if (cmp32) {                                                                          \
      op = reinterpret_cast<const Op*>(op->aux);                                          \
      DISPATCH();                                                                         \
    }                                                                                     \
    NEXT();                                                                               \
  }
#define S64(x) static_cast<int64_t>(x)
#define S32(x) static_cast<int32_t>(x)
  RINGB_JMP(JEQ, d == s, d == s)
  RINGB_JMP(JNE, d != s, d != s)
  RINGB_JMP(JGT, d > s, d > s)
  RINGB_JMP(JGE, d >= s, d >= s)
  RINGB_JMP(JLT, d < s, d < s)
  RINGB_JMP(JLE, d <= s, d <= s)
  RINGB_JMP(JSET, (d & s) != 0, (d & s) != 0)
  RINGB_JMP(JSGT, S64(d) > S64(s), S32(d) > S32(s))
  RINGB_JMP(JSGE, S64(d) >= S64(s), S32(d) >= S32(s))
  RINGB_JMP(JSLT, S64(d) < S64(s), S32(d) < S32(s))
  RINGB_JMP(JSLE, S64(d) <= S64(s), S32(d) <= S32(s))
#undef S64
#undef S32
#undef RINGB_JMP

L_JA:
  op = reinterpret_cast<const Op*>(op->aux);
  DISPATCH();

L_MAY_GOTO: {
  LoopBudget& b = loops[depth];
  if (b.count == 0) {
    op = reinterpret_cast<const Op*>(op->aux);
    DISPATCH();
  }
  if (--b.count == 0) b.count = renew_budget(b);
  NEXT();
}

L_CALL_FN:
  R[0] = reinterpret_cast<Function>(op->aux)(*rs, R[1], R[2], R[3], R[4], R[5]);
  if (rs->error) goto L_EXIT_ALL;  // a callback the helper ran failed
  NEXT();

  // A kfunc whose Implicit arguments the load bound (struct meta, node offset).
L_CALL_BOUND: {
  const BoundCall* b = reinterpret_cast<const BoundCall*>(op->aux);
  R[0] = b->fn(*rs, (R[1] & b->keep[0]) | b->value[0], (R[2] & b->keep[1]) | b->value[1],
               (R[3] & b->keep[2]) | b->value[2], (R[4] & b->keep[3]) | b->value[3],
               (R[5] & b->keep[4]) | b->value[4]);
  if (rs->error) goto L_EXIT_ALL;  // the rbtree's `less` callback failed
  NEXT();
}

  // The callee's frame sits below the caller's stack (imm: the caller's
  // depth, off: the callee's; see stack_depth.h). The kernel bounds calls
  // and stack; ringb, without a verifier, stops the run when they do not fit.
L_CALL_LOCAL: {
  const uint64_t callee_r10 = R[10] - static_cast<uint32_t>(op->imm);
  if (depth + 1 >= kMaxRunFrames) FAIL("call stack exhausted: too many frames", E2BIG);
  if (callee_r10 - static_cast<uint16_t>(op->off) < stack_lo)
    FAIL("stack exhausted: the frames of this call chain exceed ringb's stack", E2BIG);
  frames[depth].ret = op + 1;
  frames[depth].exe = rs->exe;
  for (int i = 0; i < 4; ++i) frames[depth].saved[i] = R[6 + i];
  ++depth;
  loops[depth] = kFreshBudget;
  R[10] = callee_r10;
  op = reinterpret_cast<const Op*>(op->aux);
  DISPATCH();
}

  // bpf_tail_call(ctx, prog_array, index), as the kernel's x86 JIT does it:
  // index in range, fewer than 33 tail calls so far, a program in the slot
  // (only then does the count go up). Then that program's code runs in this
  // frame with r1 = ctx, and its exit is this frame's exit; otherwise
  // execution falls through to the next instruction.
L_TAIL_CALL: {
  const auto* array = reinterpret_cast<const maps::Map*>(R[2]);
  if (rs->tail_calls >= kMaxTailCalls) NEXT();
  const maps::ProgRef* target = array->prog_at(static_cast<uint32_t>(R[3]));  // range-checked
  if (!target) NEXT();
  const auto* next = static_cast<const Executable*>(target->prog);
  if (R[10] - next->stack_depth() < stack_lo)
    FAIL("stack exhausted: the tail call's target does not fit below its caller's frames", E2BIG);
  ++rs->tail_calls;
  loops[depth] = kFreshBudget;  // the target's prologue sets its own budget
  rs->exe = next;
  op = rs->exe->ops(kCount);
  DISPATCH();
}

L_EXIT:
  if (depth > 0) {
    --depth;
    for (int i = 0; i < 4; ++i) R[6 + i] = frames[depth].saved[i];
    rs->exe = frames[depth].exe;
    op = frames[depth].ret;
    R[10] += static_cast<uint32_t>(op[-1].imm);
    DISPATCH();
  }
L_EXIT_ALL:
  if constexpr (kCount) rs->insns += count;
  return R[0];

L_BUDGET: __attribute__((unused));  // reached only when counting
  FAIL("instruction budget exhausted", E2BIG);

L_TRAP:  // code the kernel refuses when it reaches it (encoding.h)
  FAIL(reinterpret_cast<const char*>(op->aux), EINVAL);

L_INVALID:
  // Decoding rejects any path here; kept so that a bad table cannot run wild.
  FAIL("invalid instruction", EINVAL);

#undef FAIL
#undef NEXT
#undef DISPATCH
}

}  // namespace

const void* const* handler_table(bool counting) {
  const void* const* table = nullptr;
  if (counting)
    run<true>(nullptr, nullptr, nullptr, nullptr, nullptr, &table);
  else
    run<false>(nullptr, nullptr, nullptr, nullptr, nullptr, &table);
  return table;
}

uint64_t interpret(bool counting, const Op* ops, const Op* entry, const uint64_t args[5],
                   RunState& rs, uint8_t* stack) {
  return counting ? run<true>(ops, entry, args, &rs, stack, nullptr)
                  : run<false>(ops, entry, args, &rs, stack, nullptr);
}

}  // namespace ringb::vm
