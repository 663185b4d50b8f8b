// field_cases.cc — the cases of field_cases.h. Struct names start with
// ringb_ where a kptr points at them: a name the kernel's own BTF has would
// make the kernel treat the kptr as one to its type.
#include "field_cases.h"

#include <cerrno>

namespace ringb::testing {
namespace {

using B = BtfBuilder;

uint32_t lock(B& b) { return b.special("bpf_spin_lock"); }
uint32_t head(B& b) { return b.special("bpf_list_head"); }
uint32_t root(B& b) { return b.special("bpf_rb_root"); }
uint32_t lnode_t(B& b) { return b.special("bpf_list_node"); }
uint32_t rnode_t(B& b) { return b.special("bpf_rb_node"); }
uint32_t refcount(B& b) { return b.special("bpf_refcount"); }

// struct ringb_lnode { struct bpf_list_node n; u64 x; }
uint32_t lnode(B& b) { return b.add_struct("ringb_lnode", 32, {{"n", lnode_t(b), 0}, {"x", b.u64(), 24}}); }
// struct ringb_rnode { struct bpf_rb_node n; u64 x; }
uint32_t rnode(B& b) { return b.add_struct("ringb_rnode", 40, {{"n", rnode_t(b), 0}, {"x", b.u64(), 32}}); }
// struct ringb_obj { u64 x; }: what kptrs point at.
uint32_t obj(B& b) { return b.add_struct("ringb_obj", 8, {{"x", b.u64(), 0}}); }

// struct NAME { struct bpf_spin_lock l; struct bpf_list_head h __contains(ringb_lnode, n); }
uint32_t locked_list(B& b, const std::string& name) {
  lnode(b);
  const uint32_t id = b.add_struct(name, 24, {{"l", lock(b), 0}, {"h", head(b), 8}});
  b.contains(id, 1, "ringb_lnode", "n");
  return id;
}

std::vector<Member> kptrs(B& b, int n) {
  const uint32_t p = b.kptr("kptr", obj(b));
  std::vector<Member> m;
  for (int i = 0; i < n; ++i) m.push_back({"p" + std::to_string(i), p, static_cast<uint32_t>(8 * i)});
  return m;
}

// n structs deep, a bpf_timer at the bottom: s_n { s_{n-1} s; } ... s_0 { struct bpf_timer t; }
uint32_t nest(B& b, int n) {
  uint32_t id = b.add_struct("s0", 16, {{"t", b.special("bpf_timer"), 0}});
  for (int i = 1; i <= n; ++i) id = b.add_struct("s" + std::to_string(i), 16, {{"s", id, 0}});
  return id;
}

// A bpf_timer inside n arrays of one element.
uint32_t array_nest(B& b, int n) {
  uint32_t t = b.special("bpf_timer");
  for (int i = 0; i < n; ++i) t = b.array(t, 1);
  return b.add_struct("v", 16, {{"t", t, 0}});
}

MetaCase meta(std::string name, std::function<void(B&)> build, int expected, std::string says,
              std::map<std::string, std::string> metas = {}, bool kernel = true) {
  return MetaCase{std::move(name), std::move(build), expected, std::move(says), std::move(metas), kernel};
}

RecordCase record(std::string name, std::function<uint32_t(B&)> build, std::string rec, int error = 0,
                  std::string says = "") {
  return RecordCase{std::move(name), std::move(build), std::move(rec), error, std::move(says)};
}

std::vector<MetaCase> make_meta_cases() {
  std::vector<MetaCase> v;
  v.push_back(meta("ListHeadWithLock", [](B& b) { locked_list(b, "ringb_a"); }, 0, "",
               {{"ringb_lnode", "+0 bpf_list_node"},
                {"ringb_a", "+0 bpf_spin_lock, +8 bpf_list_head(ringb_lnode node at +0)"}}));
  v.push_back(meta("RbRootWithResLock",
               [](B& b) {
                 rnode(b);
                 const uint32_t a = b.add_struct("ringb_a", 24, {{"l", b.special("bpf_res_spin_lock"), 0}, {"h", root(b), 8}});
                 b.contains(a, 1, "ringb_rnode", "n");
               },
               0, "",
               {{"ringb_rnode", "+0 bpf_rb_node"},
                {"ringb_a", "+0 bpf_res_spin_lock, +8 bpf_rb_root(ringb_rnode node at +0)"}}));
  v.push_back(meta("TwoLocks", [](B& b) { b.add_struct("v", 8, {{"a", lock(b), 0}, {"b", lock(b), 4}}); }, E2BIG,
               "member 'b' is a second bpf_spin_lock"));
  v.push_back(meta("TwoRefcounts",
               [](B& b) { b.add_struct("v", 32, {{"n", lnode_t(b), 0}, {"a", refcount(b), 24}, {"b", refcount(b), 28}}); },
               E2BIG, "member 'b' is a second bpf_refcount", {}, false));
  v.push_back(meta("TwoLocksAtTwoLevels",
               [](B& b) {
                 const uint32_t in = b.add_struct("in", 4, {{"l", lock(b), 0}});
                 b.add_struct("v", 8, {{"l", lock(b), 0}, {"i", in, 4}});
               },
               E2BIG, "in another struct level", {}, false));
  v.push_back(meta("HeadWithoutLock",
               [](B& b) {
                 lnode(b);
                 b.contains(b.add_struct("v", 16, {{"h", head(b), 0}}), 0, "ringb_lnode", "n");
               },
               EINVAL, "member 'h' is a bpf_list_head, which needs a bpf_spin_lock"));
  v.push_back(meta("HeadWithoutContains", [](B& b) { b.add_struct("v", 24, {{"l", lock(b), 0}, {"h", head(b), 8}}); },
               EINVAL, "without a `contains:` decl tag"));
  v.push_back(meta("TwoContains",
               [](B& b) {
                 const uint32_t a = locked_list(b, "v");
                 b.contains(a, 1, "ringb_lnode", "x");
               },
               EINVAL, "has 2 `contains:` decl tags"));
  v.push_back(meta("ContainsWithoutMember",
               [](B& b) {
                 lnode(b);
                 b.decl_tag(b.add_struct("v", 24, {{"l", lock(b), 0}, {"h", head(b), 8}}), 1, "contains:ringb_lnode");
               },
               EINVAL, "names no member"));
  v.push_back(meta("ContainsEmptyMember",
               [](B& b) {
                 lnode(b);
                 b.decl_tag(b.add_struct("v", 24, {{"l", lock(b), 0}, {"h", head(b), 8}}), 1, "contains:ringb_lnode:");
               },
               EINVAL, "names no member"));
  v.push_back(meta("ContainsUnknownStruct",
               [](B& b) { b.contains(b.add_struct("v", 24, {{"l", lock(b), 0}, {"h", head(b), 8}}), 1, "ringb_nothing", "n"); },
               ENOENT, "the BTF has no struct ringb_nothing"));
  v.push_back(meta("ContainsUnknownMember",
               [](B& b) {
                 lnode(b);
                 b.contains(b.add_struct("v", 24, {{"l", lock(b), 0}, {"h", head(b), 8}}), 1, "ringb_lnode", "m");
               },
               ENOENT, "struct ringb_lnode has no member 'm'"));
  v.push_back(meta("ContainsWrongNodeKind",
               [](B& b) {
                 rnode(b);
                 b.contains(b.add_struct("v", 24, {{"l", lock(b), 0}, {"h", head(b), 8}}), 1, "ringb_rnode", "n");
               },
               EINVAL, "that member is a struct bpf_rb_node, not a struct bpf_list_node"));
  v.push_back(meta("ContainsMisalignedNode",
               [](B& b) {
                 b.contains(b.add_struct("v", 24, {{"l", lock(b), 0}, {"h", head(b), 8}}), 1, "ringb_c", "n");
                 b.add_struct("ringb_c", 32, {{"x", b.u32(), 0}, {"n", lnode_t(b), 4}});
               },
               EINVAL, "at byte 4, not 8-byte aligned"));
  v.push_back(meta("ContainsTypedefNode",
               [](B& b) {
                 b.contains(b.add_struct("v", 24, {{"l", lock(b), 0}, {"h", head(b), 8}}), 1, "ringb_c", "n");
                 const uint32_t td = b.typedef_of("node_t", lnode_t(b));
                 b.add_struct("ringb_c", 24, {{"n", td, 0}});
               },
               EINVAL, "that member is a node_t, not a struct bpf_list_node"));
  v.push_back(meta("Overlap", [](B& b) { b.add_struct("v", 32, {{"n", lnode_t(b), 0}, {"r", refcount(b), 8}}); }, EEXIST,
               "member 'r' (bpf_refcount, bytes 8–11) overlaps 'n'"));
  v.push_back(meta("ListAndRbNodeWithoutRefcount",
               [](B& b) { b.add_struct("v", 56, {{"l", lnode_t(b), 0}, {"r", rnode_t(b), 24}}); }, EINVAL,
               "needs a bpf_refcount"));
  v.push_back(meta("ListAndRbNodeWithRefcount",
               [](B& b) { b.add_struct("v", 64, {{"l", lnode_t(b), 0}, {"r", rnode_t(b), 24}, {"c", refcount(b), 56}}); },
               0, "", {{"v", "+0 bpf_list_node, +24 bpf_rb_node, +56 bpf_refcount"}}));
  v.push_back(meta("BothLockKinds",
               [](B& b) { b.add_struct("v", 8, {{"l", lock(b), 0}, {"r", b.special("bpf_res_spin_lock"), 4}}); }, EINVAL,
               "one kind of lock"));
  v.push_back(meta("OwnsItself",
               [](B& b) {
                 const uint32_t a = b.add_struct("ringb_a", 48, {{"l", lock(b), 0}, {"h", head(b), 8}, {"n", lnode_t(b), 24}});
                 b.contains(a, 1, "ringb_a", "n");
               },
               ELOOP, "struct ringb_a is a graph node and owns struct ringb_a"));
  v.push_back(meta("NodeRootOwnsRoot",
               [](B& b) {
                 const uint32_t a = b.add_struct("ringb_a", 48, {{"l", lock(b), 0}, {"h", head(b), 8}, {"n", lnode_t(b), 24}});
                 b.contains(a, 1, "ringb_b", "n");
                 const uint32_t bb = b.add_struct("ringb_b", 48, {{"l", lock(b), 0}, {"h", head(b), 8}, {"n", lnode_t(b), 24}});
                 b.contains(bb, 1, "ringb_c", "n");
                 b.add_struct("ringb_c", 24, {{"n", lnode_t(b), 0}});
               },
               ELOOP, "struct ringb_a is a graph node and owns struct ringb_b"));
  v.push_back(meta("RootOwnsNodeRoot",
               [](B& b) {
                 const uint32_t a = b.add_struct("ringb_a", 24, {{"l", lock(b), 0}, {"h", head(b), 8}});
                 b.contains(a, 1, "ringb_b", "n");
                 const uint32_t bb = b.add_struct("ringb_b", 48, {{"l", lock(b), 0}, {"h", head(b), 8}, {"n", lnode_t(b), 24}});
                 b.contains(bb, 1, "ringb_c", "n");
                 b.add_struct("ringb_c", 24, {{"n", lnode_t(b), 0}});
               },
               0, "",
               {{"ringb_a", "+0 bpf_spin_lock, +8 bpf_list_head(ringb_b node at +24)"},
                {"ringb_b", "+0 bpf_spin_lock, +8 bpf_list_head(ringb_c node at +0), +24 bpf_list_node"},
                {"ringb_c", "+0 bpf_list_node"}}));
  v.push_back(meta("HeadInInnerStructLockOutside",
               [](B& b) {
                 lnode(b);
                 const uint32_t in = b.add_struct("in", 16, {{"h", head(b), 0}});
                 b.contains(in, 0, "ringb_lnode", "n");
                 b.add_struct("v", 24, {{"l", lock(b), 0}, {"i", in, 8}});
               },
               EINVAL, "struct in: member 'h' is a bpf_list_head, which needs a bpf_spin_lock"));
  v.push_back(meta("LockInUnionIsNotSearched",
               [](B& b) {
                 lnode(b);
                 const uint32_t u = b.add_union("u", 4, {{"a", lock(b), 0}});
                 b.contains(b.add_struct("v", 24, {{"u", u, 0}, {"h", head(b), 8}}), 1, "ringb_lnode", "n");
               },
               EINVAL, "needs a bpf_spin_lock"));
  v.push_back(meta("ElevenKptrs", [](B& b) { b.add_struct("v", 88, kptrs(b, 11)); }, 0, "",
               {{"v", "+0 kptr(ringb_obj), +8 kptr(ringb_obj), +16 kptr(ringb_obj), +24 kptr(ringb_obj), "
                      "+32 kptr(ringb_obj), +40 kptr(ringb_obj), +48 kptr(ringb_obj), +56 kptr(ringb_obj), "
                      "+64 kptr(ringb_obj), +72 kptr(ringb_obj), +80 kptr(ringb_obj)"}}));
  v.push_back(meta("TwelveKptrs", [](B& b) { b.add_struct("v", 96, kptrs(b, 12)); }, E2BIG,
               "member 'p11' is a special field past the 11"));
  v.push_back(meta("TwelveKptrsInAnArray",
               [](B& b) {
                 const uint32_t p = b.kptr("kptr", obj(b));
                 b.add_struct("v", 96, {{"p", p, 0}, {"ps", b.array(p, 11), 8}});
               },
               E2BIG, "member 'ps[10]' is a special field past the 11"));
  v.push_back(meta("LockArrayInObject",
               [](B& b) { b.add_struct("v", 32, {{"n", lnode_t(b), 0}, {"l", b.array(lock(b), 2), 24}}); }, EINVAL,
               "member 'l' is an array of bpf_spin_lock"));
  v.push_back(meta("HeadArrayInObject",
               [](B& b) {
                 lnode(b);
                 const uint32_t a = b.add_struct("v", 40, {{"l", lock(b), 0}, {"h", b.array(head(b), 2), 8}});
                 b.contains(a, 1, "ringb_lnode", "n");
               },
               0, "",
               {{"ringb_lnode", "+0 bpf_list_node"},
                {"v", "+0 bpf_spin_lock, +8 bpf_list_head(ringb_lnode node at +0), +24 bpf_list_head(ringb_lnode node at +0)"}}));
  v.push_back(meta("MisalignedLock", [](B& b) { b.add_struct("v", 8, {{"l", lock(b), 1}}); }, EFAULT,
               "the kernel does not take as a field"));
  v.push_back(meta("RefcountOfAnotherSize", [](B& b) { b.add_struct("v", 8, {{"r", b.special_sized("bpf_refcount", 8), 0}}); },
               EFAULT, "the kernel does not take as a field"));
  v.push_back(meta("LookAlikeIsNotAMarker",
               [](B& b) {
                 lock(b);
                 b.add_struct("v", 8, {{"l", b.special_sized("bpf_spin_lock", 8), 0}});
               },
               0, "", {}));
  v.push_back(meta("BitfieldInObject",
               [](B& b) {
                 b.add_struct("v", 8, {{"l", lock(b), 0}, {"a", b.u32(), 0, 3, 32}, {"b", b.u32(), 0, 5, 35}});
               },
               EINVAL, "member 'b' starts at bit 35"));
  v.push_back(meta("VolatileKptr", [](B& b) { b.add_struct("v", 8, {{"p", b.volatile_of(b.kptr("kptr", obj(b))), 0}}); }, 0,
               "", {{"v", "+0 kptr(ringb_obj)"}}));
  v.push_back(meta("UptrMakesNoMeta", [](B& b) { b.add_struct("v", 8, {{"p", b.kptr("uptr", obj(b)), 0}}); }, 0, "", {}));
  v.push_back(meta("TimerIsPlainInObjects",
               [](B& b) { b.add_struct("v", 24, {{"l", lock(b), 0}, {"t", b.special("bpf_timer"), 8}}); }, 0, "",
               {{"v", "+0 bpf_spin_lock"}}));
  return v;
}

std::vector<RecordCase> make_record_cases() {
  std::vector<RecordCase> v;
  v.push_back(record("LockHeadKptrTimer",
               [](B& b) {
                 lnode(b);
                 const uint32_t p = b.kptr("kptr", obj(b));
                 const uint32_t id = b.add_struct("v", 56,
                                                  {{"l", lock(b), 0},
                                                   {"x", b.u32(), 4},
                                                   {"h", head(b), 8},
                                                   {"p", p, 24},
                                                   {"t", b.special("bpf_timer"), 32},
                                                   {"y", b.u64(), 48}});
                 b.contains(id, 2, "ringb_lnode", "n");
                 return id;
               },
               "+0 bpf_spin_lock, +8 bpf_list_head(ringb_lnode node at +0), +24 kptr(ringb_obj), +32 bpf_timer"));
  v.push_back(record("Nested",
               [](B& b) {
                 const uint32_t in =
                     b.add_struct("in", 24, {{"pad", b.u64(), 0}, {"l", lock(b), 8}, {"p", b.kptr("kptr", obj(b)), 16}});
                 return b.add_struct("v", 32, {{"a", b.u64(), 0}, {"in", in, 8}});
               },
               "+16 bpf_spin_lock, +24 kptr(ringb_obj)"));
  v.push_back(record("KptrArray", [](B& b) { return b.add_struct("v", 24, {{"p", b.array(b.kptr("kptr", obj(b)), 3), 0}}); },
               "+0 kptr(ringb_obj), +8 kptr(ringb_obj), +16 kptr(ringb_obj)"));
  v.push_back(record("KptrMatrix",
               [](B& b) { return b.add_struct("v", 32, {{"p", b.array(b.array(b.kptr("kptr", obj(b)), 2), 2), 0}}); },
               "+0 kptr(ringb_obj), +8 kptr(ringb_obj), +16 kptr(ringb_obj), +24 kptr(ringb_obj)"));
  v.push_back(record("StructArray",
               [](B& b) {
                 const uint32_t w = b.add_struct("wrap", 16, {{"p", b.kptr("kptr", obj(b)), 0}, {"x", b.u64(), 8}});
                 return b.add_struct("v", 40, {{"l", lock(b), 0}, {"w", b.array(w, 2), 8}});
               },
               "+0 bpf_spin_lock, +8 kptr(ringb_obj), +24 kptr(ringb_obj)"));
  v.push_back(record("HeadArray",
               [](B& b) {
                 lnode(b);
                 const uint32_t id = b.add_struct("v", 40, {{"l", lock(b), 0}, {"h", b.array(head(b), 2), 8}});
                 b.contains(id, 1, "ringb_lnode", "n");
                 return id;
               },
               "+0 bpf_spin_lock, +8 bpf_list_head(ringb_lnode node at +0), +24 bpf_list_head(ringb_lnode node at +0)"));
  v.push_back(record("TypedefLockIsPlain",
               [](B& b) { return b.add_struct("v", 8, {{"l", b.typedef_of("lock_t", lock(b)), 0}, {"x", b.u32(), 4}}); },
               "none"));
  v.push_back(record("ConstLockIsPlain", [](B& b) { return b.add_struct("v", 4, {{"l", b.const_of(lock(b)), 0}}); }, "none"));
  v.push_back(record("VolatileKptr", [](B& b) { return b.add_struct("v", 8, {{"p", b.volatile_of(b.kptr("kptr", obj(b))), 0}}); },
               "+0 kptr(ringb_obj)"));
  v.push_back(record("LookAlikeIsPlain",
               [](B& b) {
                 lock(b);
                 return b.add_struct("v", 8, {{"l", b.special_sized("bpf_spin_lock", 8), 0}});
               },
               "none"));
  v.push_back(record("MisplacedTimerIsPlain",
               [](B& b) { return b.add_struct("v", 20, {{"x", b.u32(), 0}, {"t", b.special("bpf_timer"), 4}}); }, "none"));
  v.push_back(record("Section",
               [](B& b) {
                 lnode(b);
                 const uint32_t l = b.var("glock", lock(b));
                 const uint32_t h = b.var("ghead", head(b));
                 b.contains(h, -1, "ringb_lnode", "n");
                 return b.datasec(".data.A", 24, {{l, 0, 4}, {h, 8, 16}});
               },
               "+0 bpf_spin_lock, +8 bpf_list_head(ringb_lnode node at +0)"));
  v.push_back(record("SectionTwoLocks",
               [](B& b) {
                 const uint32_t l1 = b.var("a", lock(b)), l2 = b.var("b", lock(b));
                 return b.datasec(".data.A", 8, {{l1, 0, 4}, {l2, 4, 4}});
               },
               "none", E2BIG, "section .data.A: variable 'b' is a second bpf_spin_lock in the same section"));
  v.push_back(record("SectionHeadWithoutLock",
               [](B& b) {
                 lnode(b);
                 const uint32_t h = b.var("ghead", head(b));
                 b.contains(h, -1, "ringb_lnode", "n");
                 return b.datasec(".data.A", 16, {{h, 0, 16}});
               },
               "none", EINVAL, "variable 'ghead' is a bpf_list_head, which needs a bpf_spin_lock"));
  v.push_back(record("SectionBothLockKinds",
               [](B& b) {
                 const uint32_t l1 = b.var("a", lock(b)), l2 = b.var("b", b.special("bpf_res_spin_lock"));
                 return b.datasec(".data.A", 8, {{l1, 0, 4}, {l2, 4, 4}});
               },
               "none", EINVAL, "one kind of lock"));
  v.push_back(record("SectionSlotOfAnotherSize",
               [](B& b) { return b.datasec(".data.A", 8, {{b.var("l", lock(b)), 0, 8}}); }, "none"));
  v.push_back(record("SectionMisalignedLock",
               [](B& b) { return b.datasec(".data.A", 8, {{b.var("l", lock(b)), 2, 4}}); }, "none"));
  v.push_back(record("SectionTwelveKptrs",
               [](B& b) {
                 const uint32_t p = b.kptr("kptr", obj(b));
                 std::vector<SecVar> vars;
                 for (uint32_t i = 0; i < 12; ++i) vars.push_back({b.var("p" + std::to_string(i), p), 8 * i, 8});
                 return b.datasec(".data.A", 96, vars);
               },
               "none", E2BIG, "variable 'p11' is a special field past the 11"));
  v.push_back(record("TwoTimers",
               [](B& b) { return b.add_struct("v", 32, {{"a", b.special("bpf_timer"), 0}, {"b", b.special("bpf_timer"), 16}}); },
               "none", E2BIG, "member 'b' is a second bpf_timer"));
  v.push_back(record("TwoResLocks",
               [](B& b) {
                 const uint32_t r = b.special("bpf_res_spin_lock");
                 return b.add_struct("v", 8, {{"a", r, 0}, {"b", r, 4}});
               },
               "none", E2BIG, "member 'b' is a second bpf_res_spin_lock"));
  v.push_back(record("TwoWorkqueues",
               [](B& b) { return b.add_struct("v", 32, {{"a", b.special("bpf_wq"), 0}, {"b", b.special("bpf_wq"), 16}}); },
               "none", E2BIG, "member 'b' is a second bpf_wq"));
  v.push_back(record("UnknownKptrTag", [](B& b) { return b.add_struct("v", 8, {{"p", b.kptr("kptr_foo", obj(b)), 0}}); }, "none",
               EINVAL, "is a pointer tagged 'kptr_foo'"));
  v.push_back(record("KptrToInt", [](B& b) { return b.add_struct("v", 8, {{"p", b.kptr("kptr", b.u64()), 0}}); }, "none", EINVAL,
               "a kptr must point to a struct"));
  v.push_back(record("KptrWithTwoTags",
               [](B& b) { return b.add_struct("v", 8, {{"p", b.ptr(b.type_tag("kptr", b.type_tag("foo", obj(b)))), 0}}); },
               "none", EINVAL, "two type tags"));
  v.push_back(record("KptrToDeclaredStruct", [](B& b) { return b.add_struct("v", 8, {{"p", b.kptr("kptr", b.fwd("ringb_fwd")), 0}}); },
               "none", EINVAL, "only declares"));
  v.push_back(record("Depth31", [](B& b) { return nest(b, 31); }, "+0 bpf_timer"));
  v.push_back(record("Depth32", [](B& b) { return nest(b, 32); }, "none", E2BIG, "levels deep"));
  v.push_back(record("ArrayDepth31", [](B& b) { return array_nest(b, 31); }, "+0 bpf_timer"));
  v.push_back(record("ArrayDepth32", [](B& b) { return array_nest(b, 32); }, "none", E2BIG, "an array nested 32 levels deep"));
  v.push_back(record("Bitfield",
               [](B& b) {
                 return b.add_struct("v", 24, {{"a", b.u32(), 0, 3, 0}, {"b", b.u32(), 0, 5, 3}, {"t", b.special("bpf_timer"), 8}});
               },
               "none", EINVAL, "member 'b' starts at bit 3"));
  v.push_back(record("WqTaskWorkRefcount",
               [](B& b) {
                 return b.add_struct("v", 32, {{"w", b.special("bpf_wq"), 0}, {"t", b.special("bpf_task_work"), 16}, {"r", refcount(b), 24}});
               },
               "+0 bpf_wq, +16 bpf_task_work, +24 bpf_refcount"));
  v.push_back(record("KptrKinds",
               [](B& b) {
                 const uint32_t o = obj(b);
                 return b.add_struct("v", 16, {{"p", b.kptr("kptr_untrusted", o), 0}, {"q", b.kptr("percpu_kptr", o), 8}});
               },
               "+0 kptr_untrusted(ringb_obj), +8 percpu_kptr(ringb_obj)"));
  v.push_back(record("ResLockRbRoot",
               [](B& b) {
                 rnode(b);
                 const uint32_t id = b.add_struct("v", 24, {{"l", b.special("bpf_res_spin_lock"), 0}, {"r", root(b), 8}});
                 b.contains(id, 1, "ringb_rnode", "n");
                 return id;
               },
               "+0 bpf_res_spin_lock, +8 bpf_rb_root(ringb_rnode node at +0)"));
  v.push_back(record("LockInUnionIsPlain",
               [](B& b) { return b.add_struct("v", 16, {{"u", b.add_union("u", 4, {{"a", lock(b), 0}}), 0}, {"x", b.u64(), 8}}); },
               "none"));
  v.push_back(record("TwelveKptrArray", [](B& b) { return b.add_struct("v", 96, {{"ps", b.array(b.kptr("kptr", obj(b)), 12), 0}}); },
               "none", E2BIG, "member 'ps[11]' is a special field past the 11"));
  v.push_back(record("TimerArray", [](B& b) { return b.add_struct("v", 32, {{"t", b.array(b.special("bpf_timer"), 2), 0}}); },
               "none", EINVAL, "member 't' is an array of bpf_timer"));
  v.push_back(record("EmptyLockArrayIsNothing",
               [](B& b) { return b.add_struct("v", 8, {{"l", b.array(lock(b), 0), 0}, {"x", b.u64(), 0}}); }, "none"));
  v.push_back(record("TimerInStructArray",
               [](B& b) {
                 const uint32_t in = b.add_struct("in", 16, {{"t", b.special("bpf_timer"), 0}});
                 return b.add_struct("v", 32, {{"a", b.array(in, 2), 0}});
               },
               "none", EINVAL, "member 'a[0].t' is a bpf_timer inside an array of struct in"));
  return v;
}

std::vector<ValueCase> make_value_cases() {
  std::vector<ValueCase> v;
  auto one = [](const char* special) {
    return [special](B& b) {
      const uint32_t s = b.special(special);
      const uint32_t size = special_size(special);
      if (size >= 8) return b.add_struct("v", size, {{"f", s, 0}});
      return b.add_struct("v", 8, {{"f", s, 0}, {"x", b.u32(), 4}});
    };
  };
  auto ptr = [](const char* tag) { return [tag](B& b) { return b.add_struct("v", 8, {{"p", b.kptr(tag, obj(b)), 0}}); }; };
  auto root_of = [](const char* lock_name, const char* root_name, bool list) {
    return [=](B& b) {
      if (list) lnode(b);
      else rnode(b);
      const uint32_t id = b.add_struct("v", 24, {{"l", b.special(lock_name), 0}, {"h", b.special(root_name), 8}});
      b.contains(id, 1, list ? "ringb_lnode" : "ringb_rnode", "n");
      return id;
    };
  };
  v.push_back({"Plain", [](B& b) { return b.add_struct("v", 8, {{"x", b.u64(), 0}}); }, 8});
  v.push_back({"Lock", one("bpf_spin_lock"), 8});
  v.push_back({"ResLock", one("bpf_res_spin_lock"), 8});
  v.push_back({"Timer", one("bpf_timer"), 16});
  v.push_back({"Wq", one("bpf_wq"), 16});
  v.push_back({"TaskWork", one("bpf_task_work"), 8});
  v.push_back({"Refcount", one("bpf_refcount"), 8});
  v.push_back({"Kptr", ptr("kptr"), 8});
  v.push_back({"KptrUntrusted", ptr("kptr_untrusted"), 8});
  v.push_back({"PercpuKptr", ptr("percpu_kptr"), 8});
  v.push_back({"Uptr", ptr("uptr"), 8});
  v.push_back({"ListHead", root_of("bpf_spin_lock", "bpf_list_head", true), 24});
  v.push_back({"RbRoot", root_of("bpf_spin_lock", "bpf_rb_root", false), 24});
  v.push_back({"ListHeadResLock", root_of("bpf_res_spin_lock", "bpf_list_head", true), 24});
  v.push_back({"Plain4", [](B& b) { return b.add_struct("v", 4, {{"x", b.u32(), 0}}); }, 4});
  v.push_back({"Lock4", [](B& b) { return b.add_struct("v", 4, {{"l", lock(b), 0}}); }, 4});
  v.push_back({"Refcount4", [](B& b) { return b.add_struct("v", 4, {{"r", refcount(b), 0}}); }, 4});
  return v;
}

}  // namespace

const std::vector<MetaCase>& meta_cases() {
  static const std::vector<MetaCase> v = make_meta_cases();
  return v;
}

const std::vector<RecordCase>& record_cases() {
  static const std::vector<RecordCase> v = make_record_cases();
  return v;
}

const std::vector<ValueCase>& value_cases() {
  static const std::vector<ValueCase> v = make_value_cases();
  return v;
}

}  // namespace ringb::testing
