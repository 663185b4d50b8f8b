// layout.h — what sits behind the opaque UAPI structs programs embed: the
// kernel's internal layouts (include/linux/list.h, rbtree_types.h,
// kernel/bpf/helpers.c's *_kern structs), so that a program compiled against
// the kernel's headers sees the same sizes and alignments.
//
//   UAPI (bpf.h)                  behind it                            bytes
//   struct bpf_list_head          ListHead  {next, prev}               16
//   struct bpf_list_node          ListNode  {ListHead link; owner}     24
//   struct bpf_rb_root            RbRoot    {root node, leftmost}      16  (rb_root_cached)
//   struct bpf_rb_node            RbNodeKern{RbNode; owner}            32
//                                 RbNode    {parent|color, right, left}
//   struct bpf_refcount           Refcount  {refs}                      4  (refcount_t)
//   struct bpf_spin_lock          u32, 0 when free                      4
//   struct bpf_res_spin_lock      u32, 0 when free                      4
//
// A head or root of all zeroes is an empty one (map values start zeroed and
// are never "constructed"); a list head is made self-pointing the first time
// a node is linked into it, as the kernel's lazy INIT_LIST_HEAD does.
//
// Who touches what: the links (next/prev, parent/left/right, the root's
// words) only under the spin lock that guards the graph, or by whoever owns
// the detached nodes (free_fields); `owner` is read and swapped by anyone
// holding a reference to the object, under some other lock or none, so it is
// always accessed atomically (owner()).
#pragma once

#include <linux/bpf.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace ringb::obj::detail {

// poison(): BPF_PTR_POISON (0xeB9F + POISON_POINTER_DELTA on x86-64): the owner of a
// node that a push or add has claimed but not linked yet, or that
// free_fields has detached and not handed back yet. Never a real address.
inline void* poison() { return reinterpret_cast<void*>(uintptr_t{0xdead000000000000} + 0xeB9F); }

struct ListHead {
  ListHead* next;
  ListHead* prev;
};

struct alignas(8) ListNode {
  ListHead link;
  void* owner;  // the bpf_list_head it is on, poison(), or nullptr
};

// struct rb_node, the kernel's member order. parent_color: the parent's
// address with the colour in bit 0 (0 red, 1 black).
struct alignas(sizeof(long)) RbNode {
  uintptr_t parent_color;
  RbNode* right;
  RbNode* left;
};

struct alignas(8) RbNodeKern {
  RbNode node;
  void* owner;  // the bpf_rb_root it is in, poison(), or nullptr
};

// struct rb_root_cached: the root node and the leftmost node.
struct RbRoot {
  RbNode* node;
  RbNode* leftmost;
};

struct Refcount {
  uint32_t refs;
};

inline std::atomic_ref<void*> owner(ListNode* n) { return std::atomic_ref<void*>(n->owner); }
inline std::atomic_ref<void*> owner(RbNodeKern* n) { return std::atomic_ref<void*>(n->owner); }
inline std::atomic_ref<uint32_t> refs(void* refcount) {
  return std::atomic_ref<uint32_t>(static_cast<Refcount*>(refcount)->refs);
}

inline ListNode* list_node_of(ListHead* link) { return reinterpret_cast<ListNode*>(link); }
inline RbNodeKern* rb_node_of(RbNode* n) { return reinterpret_cast<RbNodeKern*>(n); }

// The UAPI definitions (include/uapi/linux/bpf.h of Linux 6.18), for the
// structs this system's header may predate.
namespace uapi {
struct alignas(8) bpf_list_head { uint64_t opaque[2]; };
struct alignas(8) bpf_list_node { uint64_t opaque[3]; };
struct alignas(8) bpf_rb_root { uint64_t opaque[2]; };
struct alignas(8) bpf_rb_node { uint64_t opaque[4]; };
struct alignas(4) bpf_refcount { uint32_t opaque; };
struct bpf_res_spin_lock { uint32_t val; };
struct alignas(8) bpf_wq { uint64_t opaque[2]; };
struct alignas(8) bpf_task_work { uint64_t opaque; };
}  // namespace uapi

template <typename Kern, typename Uapi>
inline constexpr bool kSameShape = sizeof(Kern) == sizeof(Uapi) && alignof(Kern) == alignof(Uapi);

static_assert(kSameShape<ListHead, uapi::bpf_list_head> && sizeof(ListHead) == 16);
static_assert(kSameShape<ListNode, uapi::bpf_list_node> && sizeof(ListNode) == 24);
static_assert(kSameShape<RbRoot, uapi::bpf_rb_root> && sizeof(RbRoot) == 16);
static_assert(kSameShape<RbNodeKern, uapi::bpf_rb_node> && sizeof(RbNodeKern) == 32);
static_assert(kSameShape<Refcount, uapi::bpf_refcount> && sizeof(Refcount) == 4);
static_assert(offsetof(ListNode, owner) == 16 && offsetof(RbNodeKern, owner) == 24);
static_assert(offsetof(RbNode, parent_color) == 0 && offsetof(RbNode, right) == 8 &&
              offsetof(RbNode, left) == 16);
// The ones the system's header has.
static_assert(sizeof(struct bpf_spin_lock) == 4 && alignof(struct bpf_spin_lock) == 4);
static_assert(sizeof(struct bpf_timer) == 16 && alignof(struct bpf_timer) == 8);
static_assert(sizeof(uapi::bpf_res_spin_lock) == 4 && sizeof(uapi::bpf_wq) == 16 &&
              sizeof(uapi::bpf_task_work) == 8);

}  // namespace ringb::obj::detail
