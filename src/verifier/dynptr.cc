// dynptr.cc — struct bpf_dynptr on the stack, as the kernel's verifier keeps
// it (process_dynptr_func, mark_stack_slots_dynptr, is_dynptr_reg_valid_init,
// destroy_if_dynptr_stack_slot, unmark_stack_slots_dynptr): a dynptr is two
// 8-byte slots marked as such (the first, lower one carries the state),
// ringbuf dynptrs hold a reference (clones share it), slices die with their
// dynptr, and writing over a dynptr destroys it — or, for a referenced one,
// is an error.
#include "ringb/helpers.h"
#include "state.h"

namespace ringb::verifier {
namespace {

const char* dynptr_type_str(uint8_t t) {
  switch (t) {
    case kDynLocal: return "local";
    case kDynRingbuf: return "ringbuf";
    case kDynSkb: return "skb";
    case kDynXdp: return "xdp";
    default: return "<invalid>";
  }
}

bool refcounted(uint8_t t) { return t == kDynRingbuf; }

bool is_dynptr_slot(const StackSlot& s) { return s.special() && s.spilled.type == RegType::ConstDynptr; }

void clear_slot(StackSlot& s) {
  for (Slot& t : s.type) t = Slot::Invalid;
  s.spilled = Reg{};
  s.iter_depth = 0;
  s.obj = false;
}

// The kernel's stack_slot_obj_get_spi: the spi, -1 (ERANGE: past the stack
// allocated so far) or -2 with `err` set.
int obj_spi(const Frame& f, const Reg& r, const char* kind, int nr_slots, std::string& err) {
  if (!r.var_off.is_const()) {
    err = std::string(kind) + " has to be at a constant offset";
    return -2;
  }
  const int64_t off = r.off + static_cast<int64_t>(r.var_off.value);
  // C's division truncates: (-off - 1) / 8, as the kernel's __get_spi.
  // off >= 0 lies above the stack, though (-0 - 1) / 8 truncates to slot 0
  // (the soundness fuzzer's find: an iterator's destroy through fp+0).
  const int64_t spi = (-off - 1) / 8;
  if (off % 8 != 0 || off >= 0 || spi + 1 < nr_slots) {
    err = "cannot pass in " + std::string(kind) + " at an offset=" + std::to_string(off);
    return -2;
  }
  if (spi >= static_cast<int64_t>(f.stack.size())) return -1;
  return static_cast<int>(spi);
}

}  // namespace

int Verifier::stack_obj_spi(const State& st, const Reg& r, const char* kind, int nr_slots, const std::string& then) {
  std::string err;
  const int spi = obj_spi(st.frames[r.frameno], r, kind, nr_slots, err);
  if (spi == -2) fail(err + "\n" + then);
  return spi;
}

void Verifier::invalidate_slices(State& st, uint32_t dynptr_id) {
  if (!dynptr_id) return;
  for (Frame& f : st.frames) {
    for (Reg& r : f.regs)
      if (r.type == RegType::Mem && r.dynptr_id == dynptr_id) mark_unknown(r);
    for (StackSlot& s : f.stack)
      if (s.type[7] == Slot::Spill && s.spilled.type == RegType::Mem && s.spilled.dynptr_id == dynptr_id)
        mark_unknown(s.spilled);
  }
}

void Verifier::destroy_dynptr_slot(State& st, Frame& f, size_t spi) {
  if (spi >= f.stack.size() || !is_dynptr_slot(f.stack[spi])) return;
  if (!f.stack[spi].spilled.aux2) ++spi;  // to the first slot
  if (spi >= f.stack.size() || spi == 0) return;
  const Reg d = f.stack[spi].spilled;
  if (refcounted(static_cast<uint8_t>(d.aux))) fail("cannot overwrite referenced dynptr");
  clear_slot(f.stack[spi]);
  clear_slot(f.stack[spi - 1]);
  invalidate_slices(st, d.id);
}

// Writes to fp[lo, hi) of frame f: by a helper (raw memory), an error where
// a dynptr lies; by the program, dynptrs there are destroyed (iterators
// are simply overwritten, as the kernel's scrub_special_slot does).
void Verifier::check_stack_special_write(State& st, Frame& f, int64_t lo, int64_t hi, bool helper) {
  for (int64_t o = lo; o < hi && o < 0; ++o) {
    const size_t spi = static_cast<size_t>((-o - 1) / 8);
    if (spi >= f.stack.size() || !is_dynptr_slot(f.stack[spi])) continue;
    if (helper) fail("potential write to dynptr at off=" + std::to_string(o) + " disallowed");
    destroy_dynptr_slot(st, f, spi);
  }
}

// Reads of fp[lo, hi): a dynptr's or an iterator's bytes are not data.
void Verifier::check_stack_special_read(const Frame& f, int regno, int64_t lo, int64_t hi, bool helper) {
  for (int64_t o = lo; o < hi && o < 0; ++o) {
    const size_t spi = static_cast<size_t>((-o - 1) / 8);
    if (spi >= f.stack.size() || !f.stack[spi].special()) continue;
    if (helper)
      fail("invalid read from stack R" + std::to_string(regno) + " off " + std::to_string(lo) + "+" +
           std::to_string(o - lo) + " size " + std::to_string(hi - lo));
    fail("invalid read from stack off " + std::to_string(lo) + "+" + std::to_string(o - lo) + " size " +
         std::to_string(hi - lo));
  }
}

Reg Verifier::dynptr_of(const State& st, const Reg& r) {
  if (r.type == RegType::ConstDynptr) return r;
  const Frame& f = st.frames[r.frameno];
  const int64_t off = r.off + static_cast<int64_t>(r.var_off.value);
  return f.stack[static_cast<size_t>((-off - 1) / 8)].spilled;
}

void Verifier::process_dynptr_arg(State& st, int regno, uint8_t flags, uint8_t want, uint32_t clone_ref) {
  const Reg r = st.cur().regs[regno];
  const std::string argn = std::to_string(regno - 1);
  if (r.type != RegType::Stack && r.type != RegType::ConstDynptr)
    fail("arg#" + argn + " expected pointer to stack or const struct bpf_dynptr");
  if (r.type == RegType::ConstDynptr && r.off)  // check_func_arg_reg_off
    fail("dereference of modified dynptr_ptr ptr R" + std::to_string(regno) + " off=" + std::to_string(r.off) +
         " disallowed");
  if (r.type == RegType::ConstDynptr && !r.var_off.is_const())
    fail("variable dynptr_ptr access var_off=" + r.var_off.str() + " disallowed");
  if (flags & helpers::kUninit) {
    std::string err;
    int spi = -2;
    if (r.type == RegType::Stack) spi = obj_spi(st.frames[r.frameno], r, "dynptr", kDynptrSlots, err);
    if (spi == -2) fail((err.empty() ? "" : err + "\n") + "Dynptr has to be an uninitialized dynptr");
    // The kernel writes the 16 bytes as two BPF_DW stores.
    check_stack_bounds(regno, r, r.off, 16, " write to");
    const int64_t lo = r.off + static_cast<int64_t>(r.var_off.value);
    Frame& f = st.frames[r.frameno];
    grow_stack(f, lo, f.subprog);
    spi = static_cast<int>((-lo - 1) / 8);
    destroy_dynptr_slot(st, f, static_cast<size_t>(spi));
    destroy_dynptr_slot(st, f, static_cast<size_t>(spi - 1));
    Reg d;
    mark_known(d, 0);
    d.type = RegType::ConstDynptr;
    d.aux = want;
    d.id = ++id_gen_;
    if (refcounted(want)) d.ref_obj_id = clone_ref ? clone_ref : acquire_ref(st);
    for (int k = 0; k < kDynptrSlots; ++k) {
      StackSlot& s = f.stack[static_cast<size_t>(spi - k)];
      for (Slot& t : s.type) t = Slot::Spill;
      s.spilled = d;
      s.spilled.aux2 = k == 0 ? 1 : 0;
      s.iter_depth = 0;
      s.obj = true;
    }
    return;
  }
  if (r.type == RegType::ConstDynptr && !(flags & helpers::kRdonly))
    fail("cannot pass pointer to const bpf_dynptr, the helper mutates it");
  if (r.type == RegType::Stack) {
    std::string err;
    const Frame& f = st.frames[r.frameno];
    const int spi = obj_spi(f, r, "dynptr", kDynptrSlots, err);
    const bool ok = spi >= 1 && is_dynptr_slot(f.stack[static_cast<size_t>(spi)]) &&
                    f.stack[static_cast<size_t>(spi)].spilled.aux2 && is_dynptr_slot(f.stack[static_cast<size_t>(spi - 1)]);
    if (!ok) fail((err.empty() ? "" : err + "\n") + "Expected an initialized dynptr as arg #" + argn);
  }
  const Reg d = dynptr_of(st, r);
  if (want && d.aux != want)
    fail("Expected a dynptr of type " + std::string(dynptr_type_str(want)) + " as arg #" + argn);
}

// Before a release: the dynptr must be one this program owns (check_func_arg).
void Verifier::check_dynptr_release_arg(const State& st, int regno) {
  const Reg& r = st.cur().regs[regno];
  if (r.type == RegType::Stack) {
    std::string err;
    const Frame& f = st.frames[r.frameno];
    const int spi = obj_spi(f, r, "dynptr", kDynptrSlots, err);
    if (spi == -2) fail(err + "\narg " + std::to_string(regno) + " is an unacquired reference");
    if (spi < 0 || !f.stack[static_cast<size_t>(spi)].spilled.ref_obj_id ||
        !is_dynptr_slot(f.stack[static_cast<size_t>(spi)]))
      fail("arg " + std::to_string(regno) + " is an unacquired reference");
  } else if (r.type == RegType::ConstDynptr) {
    fail("cannot release unowned const bpf_dynptr");
  }
}

// unmark_stack_slots_dynptr: the reference goes, and with it every clone
// and every slice.
void Verifier::release_dynptr(State& st, int regno) {
  const Reg r = st.cur().regs[regno];
  Frame& f = st.frames[r.frameno];
  const int64_t off = r.off + static_cast<int64_t>(r.var_off.value);
  const size_t spi = static_cast<size_t>((-off - 1) / 8);
  const Reg d = f.stack[spi].spilled;
  if (!refcounted(static_cast<uint8_t>(d.aux))) {
    clear_slot(f.stack[spi]);
    clear_slot(f.stack[spi - 1]);
    invalidate_slices(st, d.id);
    return;
  }
  for (Frame& fr : st.frames)
    for (StackSlot& s : fr.stack)
      if (is_dynptr_slot(s) && s.spilled.ref_obj_id == d.ref_obj_id) {
        invalidate_slices(st, s.spilled.id);
        clear_slot(s);
      }
  release_ref(st, d.ref_obj_id);
}

}  // namespace ringb::verifier
