// ops.h — the decoded form the interpreter runs: one Op per instruction
// (the second half of an ld_imm64 gets an Op too, so that jump targets keep
// their instruction index), each with the address of its handler.
//
// Every (class, operation, source) the ISA has is its own kind, so a handler
// does one thing with no decoding left: ADD64_K, JSGT32_X, LDXSX_H, …
#pragma once

#include <cstdint>

#include "ringb/vm.h"

namespace ringb::vm {

// Binary ALU operations; each comes as <name>64_K, 64_X, 32_K, 32_X.
#define RINGB_ALU_OPS(X) \
  X(ADD) X(SUB) X(MUL) X(DIV) X(SDIV) X(MOD) X(SMOD) X(OR) X(AND) X(XOR) X(LSH) X(RSH) X(ARSH) X(MOV)

// Conditional jumps; each comes as <name>64_K, 64_X, 32_K, 32_X.
#define RINGB_JMP_OPS(X) \
  X(JEQ) X(JNE) X(JGT) X(JGE) X(JLT) X(JLE) X(JSET) X(JSGT) X(JSGE) X(JSLT) X(JSLE)

// Read-modify-write atomics; each comes as <name>32 and <name>64.
#define RINGB_ATOMIC_OPS(X) \
  X(ATOMIC_ADD) X(ATOMIC_AND) X(ATOMIC_OR) X(ATOMIC_XOR) \
  X(FETCH_ADD) X(FETCH_AND) X(FETCH_OR) X(FETCH_XOR) X(XCHG) X(CMPXCHG)

// Everything else, one kind each.
#define RINGB_OTHER_OPS(X)                                                                  \
  X(NEG64) X(NEG32) X(MOVSX64_8) X(MOVSX64_16) X(MOVSX64_32) X(MOVSX32_8) X(MOVSX32_16)    \
  X(LE16) X(LE32) X(LE64) X(BE16) X(BE32) X(BE64) X(BSWAP16) X(BSWAP32) X(BSWAP64)         \
  X(LDX_B) X(LDX_H) X(LDX_W) X(LDX_DW) X(LDXSX_B) X(LDXSX_H) X(LDXSX_W)                    \
  X(PROBE_LDX_B) X(PROBE_LDX_H) X(PROBE_LDX_W) X(PROBE_LDX_DW)                              \
  X(PROBE_LDXSX_B) X(PROBE_LDXSX_H) X(PROBE_LDXSX_W)                                        \
  X(ST_B) X(ST_H) X(ST_W) X(ST_DW) X(STX_B) X(STX_H) X(STX_W) X(STX_DW)                    \
  X(LOAD_ACQ_B) X(LOAD_ACQ_H) X(LOAD_ACQ_W) X(LOAD_ACQ_DW)                                  \
  X(STORE_REL_B) X(STORE_REL_H) X(STORE_REL_W) X(STORE_REL_DW)                              \
  X(LD_IMM64) X(LD_ABS_B) X(LD_ABS_H) X(LD_ABS_W) X(LD_IND_B) X(LD_IND_H) X(LD_IND_W)     \
  X(JA) X(MAY_GOTO) X(CALL_FN) X(CALL_BOUND) X(CALL_LOCAL) X(TAIL_CALL) X(EXIT) X(TRAP) X(INVALID)

enum class Kind : uint16_t {
#define RINGB_KIND4(n) n##64_K, n##64_X, n##32_K, n##32_X,
#define RINGB_KIND2(n) n##32, n##64,
#define RINGB_KIND1(n) n,
  RINGB_ALU_OPS(RINGB_KIND4) RINGB_JMP_OPS(RINGB_KIND4) RINGB_ATOMIC_OPS(RINGB_KIND2)
      RINGB_OTHER_OPS(RINGB_KIND1)
#undef RINGB_KIND4
#undef RINGB_KIND2
#undef RINGB_KIND1
  Count
};

struct Executable::Op {
  const void* handler;
  int32_t imm;
  int16_t off;
  uint8_t dst, src;
  // LD_IMM64: the value; CALL_FN: the Function; CALL_BOUND: its BoundCall; jumps and CALL_LOCAL: the
  // target Op; TRAP: the reason (a static string).
  // CALL_LOCAL also carries the stack depths: imm the caller's, off the callee's.
  uint64_t aux;
};
static_assert(sizeof(Executable::Op) == 24);

using Op = Executable::Op;

// The handler addresses of the interpreter (fast or counting), by Kind.
const void* const* handler_table(bool counting);

// Runs from `entry` with r1…r5; `stack` is the run's kStackArena bytes.
uint64_t interpret(bool counting, const Op* ops, const Op* entry, const uint64_t args[5],
                   RunState& rs, uint8_t* stack);

}  // namespace ringb::vm
