// msg_helpers.cc — the sk_msg data helpers (net/core/filter.c, Linux 6.18)
// on a test run's message (ringb/test_ctx.h MsgRun: the kernel's sk_msg
// scatterlist ring, written here from its behaviour, not its code):
//
//   bpf_msg_apply_bytes(msg, n), bpf_msg_cork_bytes(msg, n)
//       record n (a verdict's reach, bytes to gather first); 0
//   bpf_msg_pull_data(msg, start, end, flags)
//       makes [start, end) one run of bytes: data = start, data_end = end.
//       flags, end <= start, start past the message: -EINVAL; end past it:
//       -EINVAL. A range inside one element is left where it is; a range
//       across elements is copied into a new buffer that replaces them
//   bpf_msg_push_data(msg, start, len, flags)
//       inserts len zero bytes before byte `start` (flags, start at or past
//       the end: -EINVAL; len 0: nothing, 0): a new element, splitting the
//       element `start` falls into, or — when the ring has no room for one
//       (two) — a new buffer holding the element and the gap
//   bpf_msg_pop_data(msg, start, len, flags)
//       removes [start, start + len) (flags, start past the message, the end
//       past it: -EINVAL), splitting an element when the cut is inside it
//   After push and pop, data/data_end are the first element, as the
//   kernel's sk_msg_compute_data_pointers leaves them; after pull, the
//   pulled range; md.size follows the message's length.
//
// Where the kernel has since been fixed (push's split element offset and
// the bytes of its new buffers, f72eed9b84fb and the __GFP_ZERO change; pop's
// start inside a later element, a cut to the very end), ringb does what the
// fixed code does. New buffers come from the run's arena (-ENOMEM when it is
// used up, where the kernel's alloc_pages fails only above 4 MiB). No
// allocation, no locks: async-signal-safe.
#include <cerrno>
#include <cstring>

#include "helper_sets.h"
#include "ringb/disasm.h"
#include "ringb/test_ctx.h"

namespace ringb::vm {
namespace {

MsgRun& msg_of(uint64_t ctx) { return *reinterpret_cast<MsgRun*>(ctx); }
uint64_t ret(long v) { return static_cast<uint64_t>(v); }

uint32_t next(uint32_t i) { return i + 1 == kMsgFragIds ? 0 : i + 1; }
uint32_t prev(uint32_t i) { return i == 0 ? kMsgFragIds - 1 : i - 1; }
uint32_t used(const MsgRun& m) { return m.end >= m.start ? m.end - m.start : m.end + kMsgFragIds - m.start; }

// A zeroed buffer of n bytes from the run's arena, or nullptr.
uint8_t* alloc(MsgRun& m, uint64_t n) {
  const uint64_t rounded = (n + 7) & ~uint64_t{7};
  if (rounded > m.arena_size - m.arena_used) return nullptr;
  uint8_t* p = m.arena + m.arena_used;
  m.arena_used += static_cast<uint32_t>(rounded);
  std::memset(p, 0, n);
  return p;
}

// sk_msg_compute_data_pointers: the first element, unless its bytes are
// not the program's (the copy bit): then NULL.
void compute_data_pointers(MsgRun& m) {
  const MsgSge& e = m.sg[m.start];
  if (e.copy) {
    m.md.data = m.md.data_end = nullptr;
  } else {
    m.md.data = e.data;
    m.md.data_end = e.data + e.length;
  }
}

// The element holding byte `at`: its index, the bytes before it, its length.
// Past the end, `at >= offset + len`.
struct Found {
  uint32_t i, offset, len;
};
Found find(const MsgRun& m, uint32_t at) {
  Found f{m.start, 0, 0};
  do {
    f.offset += f.len;
    f.len = m.sg[f.i].length;
    if (at < f.offset + f.len) break;
    f.i = next(f.i);
  } while (f.i != m.end);
  return f;
}

uint64_t msg_apply_bytes(RunState&, uint64_t ctx, uint64_t bytes, uint64_t, uint64_t, uint64_t) {
  msg_of(ctx).apply_bytes = static_cast<uint32_t>(bytes);
  return 0;
}

uint64_t msg_cork_bytes(RunState&, uint64_t ctx, uint64_t bytes, uint64_t, uint64_t, uint64_t) {
  msg_of(ctx).cork_bytes = static_cast<uint32_t>(bytes);
  return 0;
}

uint64_t msg_pull_data(RunState&, uint64_t ctx, uint64_t start_arg, uint64_t end_arg, uint64_t flags, uint64_t) {
  MsgRun& m = msg_of(ctx);
  const uint32_t start = static_cast<uint32_t>(start_arg), end = static_cast<uint32_t>(end_arg);
  const uint32_t bytes = end - start;
  if (flags || end <= start) return ret(-EINVAL);
  const Found f = find(m, start);
  if (start >= f.offset + f.len) return ret(-EINVAL);
  const uint32_t first = f.i;
  const uint32_t total = start - f.offset + bytes;  // from the first element's start
  if (m.sg[first].copy || total > f.len) {
    // Join the elements the range touches into one new buffer.
    uint32_t copy = 0, i = first;
    do {
      copy += m.sg[i].length;
      i = next(i);
      if (total <= copy) break;
    } while (i != m.end);
    const uint32_t last = i;
    if (total > copy) return ret(-EINVAL);
    uint8_t* buf = alloc(m, copy);
    if (!buf) return ret(-ENOMEM);
    uint32_t pos = 0;
    i = first;
    do {
      std::memcpy(buf + pos, m.sg[i].data, m.sg[i].length);
      pos += m.sg[i].length;
      m.sg[i] = MsgSge{};
      i = next(i);
    } while (i != last);
    m.sg[first] = MsgSge{buf, copy, 0};
    // Close the gap the joined elements left.
    const uint32_t shift = last > first ? last - first - 1 : kMsgFragIds - first + last - 1;
    if (shift) {
      i = next(first);
      for (;;) {
        const uint32_t from = i + shift >= kMsgFragIds ? i + shift - kMsgFragIds : i + shift;
        if (from == m.end) break;
        m.sg[i] = m.sg[from];
        m.sg[from] = MsgSge{};
        i = next(i);
      }
      m.end = m.end >= shift ? m.end - shift : m.end + kMsgFragIds - shift;
    }
  }
  m.md.data = m.sg[first].data + (start - f.offset);
  m.md.data_end = static_cast<uint8_t*>(m.md.data) + bytes;
  return 0;
}

uint64_t msg_push_data(RunState&, uint64_t ctx, uint64_t start_arg, uint64_t len_arg, uint64_t flags, uint64_t) {
  MsgRun& m = msg_of(ctx);
  const uint32_t start = static_cast<uint32_t>(start_arg), len = static_cast<uint32_t>(len_arg);
  if (flags) return ret(-EINVAL);
  if (!len) return 0;
  const Found f = find(m, start);
  if (start >= f.offset + f.len) return ret(-EINVAL);
  uint32_t i = f.i;
  const uint32_t space = kMaxMsgFrags - used(m);
  // No room for the new element (and the split-off tail): one buffer with
  // the element's bytes around the gap.
  const uint32_t copy = !space || (space == 1 && start != f.offset) ? m.sg[i].length : 0;
  uint8_t* buf = alloc(m, uint64_t{copy} + len);
  if (!buf) return ret(-ENOMEM);
  MsgSge tail{};
  if (copy) {
    const uint32_t front = start - f.offset, back = m.sg[i].length - front;
    std::memcpy(buf, m.sg[i].data, front);
    std::memcpy(buf + front + len, m.sg[i].data + front, back);
  } else if (start != f.offset) {
    tail = m.sg[i];
    m.sg[i].length = start - f.offset;
    tail.length -= m.sg[i].length;
    tail.data += start - f.offset;
    i = next(i);
    m.end = next(m.end);
  }
  uint32_t slot = i;
  if (!copy) {
    // Shift the elements from i one slot right (two with a tail).
    MsgSge sge = m.sg[i];
    i = next(i);
    m.end = next(m.end);
    MsgSge nsge = m.sg[i], nnsge{};
    if (tail.length) {
      i = next(i);
      nnsge = m.sg[i];
    }
    while (i != m.end) {
      m.sg[i] = sge;
      sge = nsge;
      i = next(i);
      if (tail.length) {
        nsge = nnsge;
        nnsge = m.sg[i];
      } else {
        nsge = m.sg[i];
      }
    }
  }
  m.md.size += len;
  m.sg[slot] = MsgSge{buf, len + copy, 0};
  if (tail.length) {
    slot = next(slot);
    m.sg[slot] = tail;
  }
  compute_data_pointers(m);
  return 0;
}

// sk_msg_shift_left / _right: drop element i / open a free slot after i - 1.
void shift_left(MsgRun& m, uint32_t i) {
  uint32_t p;
  do {
    p = i;
    i = next(i);
    m.sg[p] = m.sg[i];
  } while (i != m.end);
  m.end = prev(m.end);
}

void shift_right(MsgRun& m, uint32_t i) {
  m.end = next(m.end);
  MsgSge sge = m.sg[i];
  i = next(i);
  MsgSge tmp = m.sg[i];
  while (i != m.end) {
    m.sg[i] = sge;
    i = next(i);
    sge = tmp;
    tmp = m.sg[i];
  }
}

uint64_t msg_pop_data(RunState&, uint64_t ctx, uint64_t start_arg, uint64_t len_arg, uint64_t flags, uint64_t) {
  MsgRun& m = msg_of(ctx);
  const uint32_t start = static_cast<uint32_t>(start_arg), len = static_cast<uint32_t>(len_arg);
  const uint64_t last = uint64_t{start} + len;
  if (flags) return ret(-EINVAL);
  const Found f = find(m, start);
  if (start >= f.offset + f.len || last > m.md.size) return ret(-EINVAL);
  const uint32_t space = kMaxMsgFrags - used(m);
  uint32_t i = f.i;
  uint64_t pop = len;
  if (start != f.offset) {
    MsgSge& sge = m.sg[i];
    const uint32_t a = start - f.offset;
    i = next(i);
    if (pop < sge.length - a) {
      // The cut is inside this element: keep its front and its back.
      const uint32_t b = static_cast<uint32_t>(sge.length - pop - a);
      if (space) {
        sge.length = a;
        shift_right(m, i);
        m.sg[i] = MsgSge{sge.data + a + pop, b, sge.copy};
      } else {
        uint8_t* buf = alloc(m, uint64_t{a} + b);
        if (!buf) return ret(-ENOMEM);
        std::memcpy(buf, sge.data, a);
        std::memcpy(buf + a, sge.data + a + pop, b);
        sge = MsgSge{buf, a + b, 0};
      }
      pop = 0;
    } else {
      pop -= sge.length - a;
      sge.length = a;
    }
  }
  // The cut now starts at element i's first byte.
  while (pop && i != m.end) {
    MsgSge& sge = m.sg[i];
    if (pop < sge.length) {
      sge.length -= static_cast<uint32_t>(pop);
      sge.data += pop;
      pop = 0;
    } else {
      pop -= sge.length;
      shift_left(m, i);
      continue;  // element i is now the next one
    }
    i = next(i);
  }
  m.md.size -= len;
  compute_data_pointers(m);
  return 0;
}

}  // namespace

void add_msg_helpers(Functions& f) {
  const struct {
    int id;
    Function fn;
  } table[] = {
      {61, msg_apply_bytes}, {62, msg_cork_bytes}, {63, msg_pull_data},
      {90, msg_push_data},   {91, msg_pop_data},
  };
  for (const auto& e : table) f.add_helper(e.id, ringb::helper_name(e.id), e.fn);
}

}  // namespace ringb::vm
