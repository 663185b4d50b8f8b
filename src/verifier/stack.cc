// stack.cc — the stack, byte by byte (Slot per byte, a spilled register per
// 8-byte slot): spills and fills of whole and narrow registers, writes of
// data, variable-offset accesses, bounds, the depth each function uses.
#include "state.h"

namespace ringb::verifier {
namespace {

// Byte at fp+off (off in [-512, -1]): slot index and byte within it.
inline size_t spi_of(int64_t off) { return static_cast<size_t>((-off - 1) / 8); }
inline int byte_of(int64_t off) { return static_cast<int>((-off - 1) % 8); }

bool is_spilled(const StackSlot& s) {
  for (Slot t : s.type)
    if (t == Slot::Spill) return true;
  return false;
}

void scrub(StackSlot& s) {
  if (!is_spilled(s)) return;
  for (Slot& t : s.type)
    if (t == Slot::Spill) t = Slot::Misc;
  s.spilled = Reg{};
}

}  // namespace

void Verifier::check_stack_bounds(int regno, const Reg& r, int64_t off, int size, const char* what) {
  int64_t min_off, max_off;
  if (r.var_off.is_const()) {
    min_off = static_cast<int64_t>(r.var_off.value) + off;
    max_off = min_off + size;
  } else {
    if (r.smax >= kMaxVarOff || r.smin <= -kMaxVarOff)
      fail("invalid unbounded variable-offset" + std::string(what) + " stack R" + std::to_string(regno));
    min_off = r.smin + off;
    max_off = r.smax + off + size;
  }
  if (min_off < -kStackSize || max_off > 0 || size < 0) {
    if (r.var_off.is_const())
      fail("invalid" + std::string(what) + " stack R" + std::to_string(regno) + " off=" + std::to_string(off) +
           " size=" + std::to_string(size));
    fail("invalid variable-offset" + std::string(what) + " stack R" + std::to_string(regno) + " var_off=" +
         r.var_off.str() + " off=" + std::to_string(off) + " size=" + std::to_string(size));
  }
}

void Verifier::grow_stack(Frame& f, int64_t lowest_off, uint32_t subprog) {
  check_fastcall_contract(subprog, lowest_off);
  const size_t need = static_cast<size_t>((-lowest_off + 7) / 8);
  if (f.stack.size() < need) f.stack.resize(need);
  const uint32_t depth = static_cast<uint32_t>(-lowest_off);
  if (stack_depth_[subprog] < depth) stack_depth_[subprog] = depth;
}

void Verifier::stack_write(State& st, Frame& f, int64_t off, int size, const Reg* value, const Insn& in, bool st_imm) {
  check_stack_special_write(st, f, off, off + size, false);  // a dynptr written over is destroyed
  const size_t spi = spi_of(off);
  StackSlot& s = f.stack[spi];
  s.obj = false;  // an iterator written over is data now
  const bool aligned_start = ((-off) % 8) == 0;  // off is the slot's lowest address
  if (value && value->is_pointer() && size != 8) fail("invalid size of register spill");
  if (value && aligned_start && (value->is_scalar() || size == 8)) {
    // A spill: the register itself is kept (narrow scalars too).
    s.spilled = *value;
    for (int i = 0; i < 8; ++i) {
      if (i < size) s.type[byte_of(off + i)] = Slot::Spill;
      else if (s.type[byte_of(off + i)] == Slot::Spill) s.type[byte_of(off + i)] = Slot::Misc;
    }
    if (reg_width(*value) > size * 8) unlink(s.spilled);  // a narrowing spill breaks the link
    note_stack_access(st, f, off);
    return;
  }
  if (!value && st_imm && aligned_start) {
    Reg k;
    mark_known(k, static_cast<uint64_t>(static_cast<int64_t>(in.imm)));
    if (size < 8) coerce_to_size(k, size);
    s.spilled = k;
    for (int i = 0; i < 8; ++i) {
      if (i < size) s.type[byte_of(off + i)] = Slot::Spill;
      else if (s.type[byte_of(off + i)] == Slot::Spill) s.type[byte_of(off + i)] = Slot::Misc;
    }
    note_stack_access(st, f, off);
    return;
  }
  const bool zero = value ? value->is_null_const() : (st_imm && in.imm == 0);
  if (zero && value) mark_precise(st, in.src);  // a zero slot stands for the register's value
  scrub(s);
  for (int i = 0; i < size; ++i) s.type[byte_of(off + i)] = zero ? Slot::Zero : Slot::Misc;
}

void Verifier::stack_read(State& st, Frame& f, int64_t off, int size, int dst) {
  (void)st;
  const size_t spi = spi_of(off);
  Reg out;
  mark_unknown(out);
  if (spi >= f.stack.size()) {  // never written: uninitialised (allowed as root)
    if (dst >= 0) st.cur().regs[dst] = out;
    return;
  }
  const StackSlot& s = f.stack[spi];
  if (s.special()) check_stack_special_read(f, -1, off, off + size, false);
  if (is_spilled(s)) {
    note_stack_access(st, f, off);  // a fill: the value comes from the slot
    int spill_size = 0;
    for (int i = 0; i < 8 && s.type[7 - i] == Slot::Spill; ++i) ++spill_size;
    const bool aligned_start = ((-off) % 8) == 0;
    if (size == 8 && spill_size == 8) {
      if (dst >= 0) st.cur().regs[dst] = s.spilled;
      return;
    }
    if (!s.spilled.is_scalar()) fail("invalid size of register fill");
    if (dst < 0) return;
    if (size <= spill_size && aligned_start) {
      out = s.spilled;
      if (reg_width(out) > size * 8) unlink(out);  // the fill keeps the link when the value fits
    } else {
      int spill = 0, zero = 0;
      for (int i = 0; i < size; ++i) {
        const Slot t = s.type[byte_of(off + i)];
        spill += t == Slot::Spill, zero += t == Slot::Zero;
      }
      if ((spill == size && s.spilled.is_null_const()) || zero == size) mark_known(out, 0);
    }
    st.cur().regs[dst] = out;
    return;
  }
  if (dst < 0) return;
  int zero = 0;
  for (int i = 0; i < size; ++i) zero += s.type[byte_of(off + i)] == Slot::Zero;
  if (zero == size) mark_known(out, 0);
  st.cur().regs[dst] = out;
}

void Verifier::stack_var_write(State& st, Frame& f, int64_t min_off, int64_t max_off, int size, bool zero) {
  check_stack_special_write(st, f, min_off, max_off + size, false);
  for (int64_t o = min_off; o < max_off + size && o < 0; ++o) {
    StackSlot& s = f.stack[spi_of(o)];
    s.obj = false;
    scrub(s);
    Slot& t = s.type[byte_of(o)];
    // Some of these bytes get the value: zero only if they were zero already.
    if (!(zero && t == Slot::Zero)) t = Slot::Misc;
  }
}

void Verifier::stack_var_read(Frame& f, int64_t min_off, int64_t max_off, Reg* dst) {
  check_stack_special_read(f, -1, min_off, max_off, false);
  bool all_zero = true;
  for (int64_t o = min_off; o < max_off && o < 0; ++o) {
    const size_t spi = spi_of(o);
    if (spi >= f.stack.size() || f.stack[spi].type[byte_of(o)] != Slot::Zero) all_zero = false;
  }
  if (!dst) return;
  if (all_zero) mark_known(*dst, 0);
  else mark_unknown(*dst);
}

}  // namespace ringb::verifier
