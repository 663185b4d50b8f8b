// dynptr.h — struct bpf_dynptr as the kernel lays it out (bpf_dynptr_kern:
// data pointer, a size word whose top bits hold the type and a read-only bit,
// offset) and the kernel's operations on it (kernel/bpf/helpers.c), shared by
// the dynptr helpers, the ringbuf helpers and the dynptr kfuncs.
//
// skb and xdp dynptrs point at the test run's context (api/test_run.cc):
// __sk_buff.len is the size, the packet is linear between __sk_buff.data and
// .data_end (xdp_md.data and .data_end), all below 4 GiB.
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace ringb::vm::dynptr {

enum Type : uint32_t { Invalid = 0, Local = 1, RingBuf = 2, Skb = 3, Xdp = 4, SkbMeta = 5 };

inline constexpr uint32_t kMaxSize = (1u << 24) - 1;  // DYNPTR_MAX_SIZE
inline constexpr uint32_t kSizeMask = 0xffffff;       // DYNPTR_SIZE_MASK
inline constexpr uint32_t kTypeShift = 28;            // DYNPTR_TYPE_SHIFT
inline constexpr uint32_t kRdonlyBit = 1u << 31;      // DYNPTR_RDONLY_BIT

struct Kern {
  void* data;
  uint32_t size;
  uint32_t offset;
};
static_assert(sizeof(Kern) == 16);

inline Kern* of(uint64_t r) { return reinterpret_cast<Kern*>(r); }
inline bool is_rdonly(const Kern* p) { return p->size & kRdonlyBit; }
inline void set_rdonly(Kern* p) { p->size |= kRdonlyBit; }
inline Type type(const Kern* p) { return static_cast<Type>((p->size & ~kRdonlyBit) >> kTypeShift); }
inline uint32_t size(const Kern* p) { return p->size & kSizeMask; }
inline void set_size(Kern* p, uint32_t n) { p->size = n | (p->size & ~kSizeMask); }
inline int check_size(uint64_t n) { return n > kMaxSize ? -E2BIG : 0; }
inline void init(Kern* p, void* data, Type t, uint32_t offset, uint32_t n) {
  p->data = data;
  p->offset = offset;
  p->size = n | (static_cast<uint32_t>(t) << kTypeShift);
}
inline void set_null(Kern* p) { std::memset(p, 0, sizeof *p); }
// bpf_dynptr_check_off_len()
inline int check_off_len(const Kern* p, uint64_t offset, uint64_t len) {
  const uint64_t n = size(p);
  return len > n || offset > n - len ? -E2BIG : 0;
}

// The packet bytes of an skb or xdp dynptr's context.
inline uint8_t* packet(const Kern* p) {
  uint32_t data;
  std::memcpy(&data, static_cast<const char*>(p->data) + (type(p) == Skb ? 76 : 0), 4);
  return reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(data));
}
inline uint32_t packet_len(const void* ctx, Type t) {
  uint32_t data, end;
  if (t == Skb) {
    uint32_t len;
    std::memcpy(&len, ctx, 4);  // __sk_buff.len
    return len;
  }
  std::memcpy(&data, ctx, 4);
  std::memcpy(&end, static_cast<const char*>(ctx) + 4, 4);
  return end - data;
}

// __bpf_dynptr_read()
inline int read(void* dst, uint64_t len, const Kern* src, uint64_t offset, uint64_t flags) {
  if (!src->data || flags) return -EINVAL;
  if (int err = check_off_len(src, offset, len)) return err;
  switch (type(src)) {
    case Local:
    case RingBuf: std::memmove(dst, static_cast<char*>(src->data) + src->offset + offset, len); return 0;
    case Skb:
    case Xdp: std::memmove(dst, packet(src) + src->offset + offset, len); return 0;
    default: return -EFAULT;
  }
}

// __bpf_dynptr_write()
inline int write(const Kern* dst, uint64_t offset, const void* src, uint64_t len, uint64_t flags) {
  if (!dst->data || is_rdonly(dst)) return -EINVAL;
  if (int err = check_off_len(dst, offset, len)) return err;
  switch (type(dst)) {
    case Local:
    case RingBuf:
      if (flags) return -EINVAL;
      std::memmove(static_cast<char*>(dst->data) + dst->offset + offset, src, len);
      return 0;
    case Skb:  // __bpf_skb_store_bytes: BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH
      if (flags & ~uint64_t{3}) return -EINVAL;
      std::memmove(packet(dst) + dst->offset + offset, src, len);
      return 0;
    case Xdp:
      if (flags) return -EINVAL;
      std::memmove(packet(dst) + dst->offset + offset, src, len);
      return 0;
    default: return -EFAULT;
  }
}

// bpf_dynptr_slice(): the packet is linear, so skb and xdp slices point into
// it as the kernel's do for a linear skb or a single-buffer xdp frame.
inline void* slice(const Kern* p, uint64_t offset, uint64_t len) {
  if (!p->data || check_off_len(p, offset, len)) return nullptr;
  switch (type(p)) {
    case Local:
    case RingBuf: return static_cast<char*>(p->data) + p->offset + offset;
    case Skb:
    case Xdp: return packet(p) + p->offset + offset;
    default: return nullptr;
  }
}

}  // namespace ringb::vm::dynptr
