// show_maps.cc — see show_maps.h. The maps are walked in place (a cpu slot
// and an RCU section, as a program's bpf_for_each_map_elem), since host
// copies leave special fields out.
#include "show_maps.h"

#include <bpf/btf.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cinttypes>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <vector>

extern char** environ;

#include "ringb/cpu.h"
#include "ringb/cpumask.h"
#include "ringb/objects.h"
#include "ringb/rcu.h"

namespace ringb::cli {
namespace {

constexpr int kMaxDepth = 4;       // objects inside objects inside …
constexpr size_t kMaxObjects = 64; // per field, in the text

// "key=1 seq=3": the integer members of a struct, special fields and
// padding left out.
std::string scalars(const Btf& btf, uint32_t type_id, const void* base, const FieldRecord* rec) {
  const btf_type* t = btf.type(btf.skip_modifiers(type_id));
  if (!t || !btf_is_struct(t)) return "";
  std::string s;
  const btf_member* m = btf_members(t);
  for (uint16_t i = 0; i < btf_vlen(t); ++i) {
    const uint32_t off = btf_member_bit_offset(t, i) / 8;
    if (btf_member_bitfield_size(t, i)) continue;
    if (rec && rec->at(off)) continue;
    const btf_type* mt = btf.type(btf.skip_modifiers(m[i].type));
    if (!mt || !btf_is_int(mt) || mt->size > 8) continue;
    uint64_t v = 0;
    std::memcpy(&v, static_cast<const char*>(base) + off, mt->size);
    const bool is_signed = btf_int_encoding(mt) & BTF_INT_SIGNED;
    if (is_signed && mt->size < 8 && (v >> (mt->size * 8 - 1) & 1)) v |= ~uint64_t{0} << (mt->size * 8);
    if (!s.empty()) s += ' ';
    s += btf.string_at(m[i].name_off) + "=" +
         (is_signed ? std::to_string(static_cast<int64_t>(v)) : std::to_string(v));
  }
  return s;
}

std::string cpumask_text(const void* p) {
  const auto* m = static_cast<const obj::cpumask*>(p);
  std::string s;
  for (uint32_t c = 0; c < cpu::nr_cpus(); ++c)
    if (obj::bpf_cpumask_test_cpu(c, m)) s += (s.empty() ? "" : ",") + std::to_string(c);
  return "{" + s + "}";
}

// One object's line: "struct elem {key=1} refs=2".
std::string describe(const Btf& btf, const obj::Type* t, const void* p) {
  if (!t) return "?";
  std::string s = "struct " + t->name + " {" + scalars(btf, t->btf_id, p, &t->record.fields) + "}";
  if (const uint32_t r = obj::refcount(p, *t)) s += " refs=" + std::to_string(r);
  return s;
}

// The maps with a special-field record, walked in place: fn(key, value).
struct MapWalk {
  std::string name;
  const maps::Map* map;
  const obj::Record* record;
};

void each_value(maps::Map& m, const std::function<void(const void* key, void* value)>& fn) {
  cpu::CpuGuard guard;
  if (guard.cpu() < 0) return;
  rcu::ReadGuard rcu;
  if (void* v = m.direct_value_addr()) {
    const uint32_t zero = 0;
    fn(&zero, v);
    return;
  }
  struct Ctx {
    const std::function<void(const void*, void*)>* fn;
  } ctx{&fn};
  m.for_each_elem(
      [](const void* key, void* value, void* c) -> long {
        (*static_cast<Ctx*>(c)->fn)(key, value);
        return 0;
      },
      &ctx);
}

// Whether any list, tree or kptr of the value holds an object.
bool holds_objects(const obj::Record& r, const void* value) {
  for (const auto& c : obj::contents(r, value))
    if (!c.objects.empty()) return true;
  return false;
}

std::string key_text(const MapDef& def, const void* key) {
  uint64_t k = 0;
  std::memcpy(&k, key, def.key_size < 8 ? def.key_size : 8);
  return std::to_string(k);
}

class TextPrinter {
 public:
  TextPrinter(const Btf& btf, FILE* out) : btf_(btf), out_(out) {}

  void fields(const obj::Record& r, const void* base, int depth) {
    for (const obj::FieldContents& c : obj::contents(r, base)) {
      const std::string ind(static_cast<size_t>(depth) * 2 + 4, ' ');
      const Field& f = *c.field;
      if (f.kind == FieldKind::ListHead || f.kind == FieldKind::RbRoot) {
        std::fprintf(out_, "%s%s @%u: %zu object%s%s\n", ind.c_str(), field_kind_name(f.kind), f.offset,
                     c.objects.size(), c.objects.size() == 1 ? "" : "s",
                     f.kind == FieldKind::RbRoot && !c.objects.empty() ? " (in order)" : "");
      } else if (c.objects.empty()) {
        std::fprintf(out_, "%s%s @%u: NULL\n", ind.c_str(), field_kind_name(f.kind), f.offset);
        continue;
      } else {
        std::fprintf(out_, "%s%s @%u:", ind.c_str(), field_kind_name(f.kind), f.offset);
      }
      size_t shown = 0;
      for (const void* p : c.objects) {
        if (++shown > kMaxObjects) {
          std::fprintf(out_, "%s  … %zu more\n", ind.c_str(), c.objects.size() - kMaxObjects);
          break;
        }
        const bool inline_kptr = f.kind != FieldKind::ListHead && f.kind != FieldKind::RbRoot;
        std::string what = c.kptr ? c.kptr->name + (c.kptr->name == "bpf_cpumask" ? " " + cpumask_text(p) : "")
                                  : describe(btf_, c.type, p);
        if (f.kind == FieldKind::KptrPercpu) what = "per-cpu struct " + (c.type ? c.type->name : "?");
        std::fprintf(out_, inline_kptr ? " %s\n" : "%s  %s\n", inline_kptr ? what.c_str() : ind.c_str(),
                     inline_kptr ? "" : what.c_str());
        if (c.type && !c.type->record.fields.empty() && depth < kMaxDepth && f.kind != FieldKind::KptrPercpu)
          fields(c.type->record, p, depth + 1);
      }
    }
  }

 private:
  const Btf& btf_;
  FILE* out_;
};

}  // namespace

void show_maps(const LoadedObject& lo, FILE* out) {
  const Object& obj = lo.object();
  for (const MapDef& def : obj.maps) {
    maps::Map* m = lo.map(def.name);
    if (!m) continue;
    const obj::Record* rec = lo.map_record(def.name);
    const maps::Stats st = m->stats();
    std::fprintf(out, "map %s (%s): %" PRIu64 " element%s\n", def.name.c_str(), map_type_name(def.type),
                 st.elements, st.elements == 1 ? "" : "s");
    if (!rec || !obj.btf) continue;
    TextPrinter p(*obj.btf, out);
    each_value(*m, [&](const void* key, void* value) {
      if (!holds_objects(*rec, value)) return;  // nothing held: not worth a line
      std::fprintf(out, "  [%s] %s\n", key_text(def, key).c_str(),
                   scalars(*obj.btf, def.btf_value_type_id, value, &rec->fields).c_str());
      p.fields(*rec, value, 0);
    });
  }
}

namespace {

// Graphviz: one node per map value and per object, edges for what holds what.
class DotWriter {
 public:
  explicit DotWriter(const Btf& btf) : btf_(btf) {}

  std::string node_for_value(const std::string& label) {
    const std::string id = "v" + std::to_string(next_++);
    out_ << "  " << id << " [shape=box, style=filled, fillcolor=\"#dde8f5\", label=\"" << escape(label) << "\"];\n";
    return id;
  }

  void fields(const std::string& from, const obj::Record& r, const void* base, int depth) {
    for (const obj::FieldContents& c : obj::contents(r, base)) {
      const Field& f = *c.field;
      const std::string port = std::string(field_kind_name(f.kind)) + "@" + std::to_string(f.offset);
      std::vector<std::string> ids;
      for (const void* p : c.objects) ids.push_back(object(p, c, depth));
      if (f.kind == FieldKind::ListHead) {
        for (size_t i = 0; i < ids.size(); ++i)
          edge(i == 0 ? from : ids[i - 1], ids[i], i == 0 ? port : "next");
      } else if (f.kind == FieldKind::RbRoot) {
        if (c.root >= 0) edge(from, ids[static_cast<size_t>(c.root)], port);
        for (size_t i = 0; i < ids.size(); ++i) {
          if (c.left[i] >= 0) edge(ids[i], ids[static_cast<size_t>(c.left[i])], "L");
          if (c.right[i] >= 0) edge(ids[i], ids[static_cast<size_t>(c.right[i])], "R");
        }
      } else if (!ids.empty()) {
        edge(from, ids[0], port);
      }
    }
  }

  std::string text() const { return "digraph ringb {\n  rankdir=LR;\n  node [fontname=\"monospace\"];\n" + out_.str() + "}\n"; }

 private:
  std::string object(const void* p, const obj::FieldContents& c, int depth) {
    if (auto it = seen_.find(p); it != seen_.end()) return it->second;  // refcounted: in two places
    const std::string id = "o" + std::to_string(next_++);
    seen_[p] = id;
    std::string label = c.kptr ? c.kptr->name + (c.kptr->name == "bpf_cpumask" ? " " + cpumask_text(p) : "")
                               : describe(btf_, c.type, p);
    out_ << "  " << id << " [shape=ellipse, label=\"" << escape(label) << "\"];\n";
    if (c.type && !c.type->record.fields.empty() && depth < kMaxDepth && c.field->kind != FieldKind::KptrPercpu)
      fields(id, c.type->record, p, depth + 1);
    return id;
  }
  void edge(const std::string& a, const std::string& b, const std::string& label) {
    out_ << "  " << a << " -> " << b << " [label=\"" << escape(label) << "\"];\n";
  }
  static std::string escape(const std::string& s) {
    std::string o;
    for (char ch : s) {
      if (ch == '"' || ch == '\\') o += '\\';
      o += ch;
    }
    return o;
  }
  const Btf& btf_;
  std::ostringstream out_;
  std::map<const void*, std::string> seen_;
  int next_ = 0;
};

// Runs `dot -Tsvg in -o out`; false when dot is missing or fails.
bool render_svg(const std::string& in, const std::string& out) {
  std::vector<std::string> args = {"dot", "-Tsvg", in, "-o", out};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  if (posix_spawnp(&pid, "dot", nullptr, nullptr, argv.data(), environ) != 0) return false;
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

Expected<std::string> write_dot(const LoadedObject& lo, const std::string& path) {
  const Object& obj = lo.object();
  if (!obj.btf) return Error{EINVAL, "the object has no BTF: nothing to draw"};
  DotWriter w(*obj.btf);
  for (const MapDef& def : obj.maps) {
    maps::Map* m = lo.map(def.name);
    const obj::Record* rec = lo.map_record(def.name);
    if (!m || !rec) continue;
    each_value(*m, [&](const void* key, void* value) {
      if (!holds_objects(*rec, value)) return;
      const std::string id = w.node_for_value(def.name + "[" + key_text(def, key) + "]");
      w.fields(id, *rec, value, 0);
    });
  }
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) return Error{errno, "cannot write " + path + ": " + std::strerror(errno)};
  const std::string text = w.text();
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
  std::string written = path;
  if (render_svg(path, path + ".svg")) written += " and " + path + ".svg";
  return written;
}

}  // namespace ringb::cli
