// kernel_btf.cc — the kernel's BTF for tracing programs' arguments: which
// file, the section's target (the kernel's bpf_check_attach_target and
// btf_get_prog_ctx_type), and struct member loads (btf_struct_access).
#include "ringb/kernel_btf.h"

#include <bpf/btf.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>

namespace ringb {

Expected<std::shared_ptr<Btf>> Btf::parse_file(const std::string& path) {
  struct btf* b = btf__parse(path.c_str(), nullptr);
  if (!b) {
    const int err = errno ? errno : EINVAL;
    return Error{err, path + ": cannot read BTF: " + std::strerror(err)};
  }
  return std::shared_ptr<Btf>(new Btf(b));
}

namespace kernel_btf {
namespace {

bool starts_with(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

// bpf_lsm_is_trusted: hooks whose arguments may be freed or half-built.
bool lsm_untrusted(const std::string& hook) {
  static const char* const kUntrusted[] = {"bpf_map_free", "bpf_prog_free", "file_alloc_security",
                                           "file_free_security", "sk_alloc_security", "sk_free_security",
                                           "task_free"};
  for (const char* u : kUntrusted)
    if (hook == u) return true;
  return false;
}

// libbpf's words (it looks the target up before the kernel sees the program).
Error not_found(const std::string& name) {
  return Error{ESRCH, "failed to find kernel BTF type ID of '" + name + "': -3"};
}

}  // namespace

Expected<std::shared_ptr<const Btf>> load(const std::string& path) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const Btf>> cache;
  std::lock_guard<std::mutex> g(mu);
  auto it = cache.find(path);
  if (it != cache.end()) return it->second;
  auto b = Btf::parse_file(path);
  if (!b) return b.error();
  std::shared_ptr<const Btf> shared = std::move(*b);
  cache.emplace(path, shared);
  return shared;
}

Expected<std::shared_ptr<const Btf>> load_default(const std::string& path) {
  if (path == kNone) return std::shared_ptr<const Btf>();
  if (!path.empty()) return load(path);
  struct stat sb {};
  if (::stat(kVmlinux, &sb) != 0) return std::shared_ptr<const Btf>();
  // The running kernel's, when it cannot be read, is as none: only a file
  // the host named is an error.
  auto b = load(kVmlinux);
  if (!b) return std::shared_ptr<const Btf>();
  return b;
}

bool typed_section(const std::string& s) {
  for (const char* p : {"tp_btf/", "fentry/", "fentry.s/", "fexit/", "fexit.s/", "fmod_ret/", "fmod_ret.s/", "lsm/",
                        "lsm.s/", "lsm_cgroup/"})
    if (starts_with(s, p)) return true;
  return false;
}

Expected<Target> target(const Btf& kbtf, const std::string& section) {
  Target t;
  const size_t slash = section.find('/');
  if (slash == std::string::npos || !typed_section(section)) return Error{EINVAL, "not a BTF-typed section"};
  t.section_kind = section.substr(0, slash);
  const std::string name = section.substr(slash + 1);
  uint32_t proto = 0;
  bool skip_first = false;
  if (t.section_kind == "tp_btf") {
    // The tracepoint's typedef: void (*btf_trace_NAME)(void *__data, args…).
    t.func = name;  // the kernel's messages name the tracepoint
    const uint32_t td = kbtf.find("btf_trace_" + name, BTF_KIND_TYPEDEF);
    if (!td) return not_found(name);
    const btf_type* ptr = kbtf.type(kbtf.type(td)->type);
    if (!ptr || !btf_is_ptr(ptr)) return Error{EINVAL, "attach_btf_id " + std::to_string(td) + " is not a typedef"};
    proto = ptr->type;
    skip_first = true;
    t.trusted = true;
  } else {
    const bool lsm = starts_with(t.section_kind, "lsm");
    t.func = lsm ? "bpf_lsm_" + name : name;
    const uint32_t fn = kbtf.find(t.func, BTF_KIND_FUNC);
    if (!fn) return not_found(name);
    proto = kbtf.type(fn)->type;
    t.has_ret = lsm || starts_with(t.section_kind, "fexit") || starts_with(t.section_kind, "fmod_ret");
    t.trusted = lsm && !lsm_untrusted(name);
  }
  const btf_type* fp = kbtf.type(proto);
  if (!fp || !btf_is_func_proto(fp)) return Error{EINVAL, "attach_btf_id " + std::to_string(proto) + " is not a function"};
  const btf_param* params = btf_params(fp);
  for (uint16_t i = skip_first ? 1 : 0; i < btf_vlen(fp); ++i) {
    Target::Arg a;
    a.type = params[i].type;
    const std::string an = kbtf.string_at(params[i].name_off);
    a.nullable = an.size() > 10 && an.compare(an.size() - 10, 10, "__nullable") == 0;
    t.args.push_back(a);
  }
  t.ret = fp->type;
  return t;
}

uint32_t pointee_struct(const Btf& btf, uint32_t ptr_type) {
  const btf_type* p = btf.type(btf.skip_modifiers(ptr_type));
  if (!p || !btf_is_ptr(p)) return 0;
  const uint32_t id = btf.skip_modifiers(p->type);
  const btf_type* s = btf.type(id);
  return s && btf_is_struct(s) ? id : 0;
}

MemberLoad member_load(const Btf& btf, uint32_t id, int64_t off, int size) {
  MemberLoad r;
  const int64_t sz = btf.size_of(id);
  if (sz < 0 || off < 0 || off + size > sz) return r;
  r.ok = true;
  // Down through embedded structs, unions and arrays to the member at `off`.
  for (int depth = 0; depth < 32; ++depth) {
    const btf_type* t = btf.type(btf.skip_modifiers(id));
    if (!t) return r;
    if (btf_is_array(t)) {
      const struct btf_array* a = btf_array(t);
      const int64_t esz = btf.size_of(a->type);
      if (esz <= 0) return r;
      off %= esz;
      id = a->type;
      continue;
    }
    if (!btf_is_composite(t)) return r;
    const btf_member* m = btf_members(t);
    bool found = false;
    for (uint16_t i = 0; i < btf_vlen(t); ++i) {
      if (btf_member_bitfield_size(t, i)) continue;  // bitfields are scalars
      const int64_t moff = btf_member_bit_offset(t, i) / 8;
      const int64_t msz = btf.size_of(m[i].type);
      if (msz <= 0 || off < moff || off >= moff + msz) continue;
      const btf_type* mt = btf.type(btf.skip_modifiers(m[i].type));
      if (off + size > moff + msz) {
        r.past_member = "access beyond the end of member " + btf.string_at(m[i].name_off) + " (mend:" +
                        std::to_string(moff + msz) + ") in struct " + btf.name(btf.skip_modifiers(id)) +
                        " with off " + std::to_string(off) + " size " + std::to_string(size);
        return r;
      }
      if (mt && btf_is_ptr(mt)) {
        if (off == moff && size == 8) {
          r.pointee = pointee_struct(btf, m[i].type);
          r.field = btf.string_at(m[i].name_off);
        }
        return r;
      }
      off -= moff;
      id = m[i].type;
      found = true;
      break;
    }
    if (!found) return r;
  }
  return r;
}

}  // namespace kernel_btf
}  // namespace ringb
