// inspect.cc — what values and objects hold, for people to look at
// (`ringb run --show-maps`, `--dot`) and for tests: each special field's
// objects in order. Reads without locks: call it when no program runs on
// the value.
#include "layout.h"
#include "rbtree.h"
#include "ringb/objects.h"

namespace ringb::obj {

using namespace detail;

namespace {

constexpr size_t kMaxShown = 1u << 16;  // a corrupt list must not hang the host

const char* at(const void* base, uint32_t off) { return static_cast<const char*>(base) + off; }

}  // namespace

std::vector<FieldContents> contents(const Record& r, const void* base) {
  std::vector<FieldContents> out;
  for (size_t i = 0; i < r.fields.fields.size(); ++i) {
    const Field& f = r.fields.fields[i];
    const Record::Binding b = i < r.bound.size() ? r.bound[i] : Record::Binding{};
    FieldContents c;
    c.field = &f;
    c.type = b.type;
    c.kptr = b.kptr;
    switch (f.kind) {
      case FieldKind::ListHead: {
        const auto* head = reinterpret_cast<const ListHead*>(at(base, f.offset));
        if (!head->next) break;  // never used: all zero
        for (const ListHead* l = head->next; l != head && c.objects.size() < kMaxShown; l = l->next)
          c.objects.push_back(reinterpret_cast<const char*>(l) - f.node_offset);
        break;
      }
      case FieldKind::RbRoot: {
        const auto* root = reinterpret_cast<const RbRoot*>(at(base, f.offset));
        std::vector<const RbNode*> nodes;
        for (const RbNode* n = root->leftmost; n && nodes.size() < kMaxShown; n = rb_next(n)) nodes.push_back(n);
        auto index_of = [&](const RbNode* n) {
          for (size_t k = 0; n && k < nodes.size(); ++k)
            if (nodes[k] == n) return static_cast<int>(k);
          return -1;
        };
        for (const RbNode* n : nodes) {
          c.objects.push_back(reinterpret_cast<const char*>(n) - f.node_offset);
          c.left.push_back(index_of(n->left));
          c.right.push_back(index_of(n->right));
          if (!rb_parent(n)) c.root = static_cast<int>(c.objects.size() - 1);
        }
        break;
      }
      case FieldKind::Kptr:
      case FieldKind::KptrPercpu:
      case FieldKind::KptrUntrusted: {
        const void* p = std::atomic_ref<void*>(*reinterpret_cast<void**>(const_cast<char*>(at(base, f.offset))))
                            .load(std::memory_order_acquire);
        if (p) c.objects.push_back(p);
        break;
      }
      default:
        continue;  // locks, refcounts, timers: nothing to follow
    }
    out.push_back(std::move(c));
  }
  return out;
}

uint32_t refcount(const void* object, const Type& t) {
  if (t.record.fields.refcount_off < 0) return 0;
  return refs(const_cast<char*>(at(object, static_cast<uint32_t>(t.record.fields.refcount_off))))
      .load(std::memory_order_relaxed);
}

}  // namespace ringb::obj
