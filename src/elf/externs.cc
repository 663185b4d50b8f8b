// externs.cc — extern variables, as libbpf reads them from BTF:
//   DATASEC ".kconfig"  __kconfig values (LINUX_KERNEL_VERSION, CONFIG_*),
//                       laid out here in a read-only ".kconfig" array map
//                       whose contents the runtime fills in at load;
//   DATASEC ".ksyms"    __ksym variables (extern functions there are kfuncs),
//                       kernel symbols whose addresses the host supplies.
// Clang leaves every offset 0; the layout is ours (each at its alignment).
#include <bpf/btf.h>
#include <elf.h>
#include <linux/btf.h>

#include "loader.h"

namespace ringb::elf {
namespace {

// The .kconfig map's size bound: far above any real set of options, and
// below the kernel's largest array value (KMALLOC_MAX_SIZE).
constexpr uint64_t kMaxKconfigBytes = 1u << 20;

Error extern_error(const std::string& name, const std::string& what) {
  return Error{EINVAL, "extern '" + name + "': " + what};
}

bool is_weak(const ElfFile& file, const std::string& name) {
  for (const Symbol& s : file.symbols())
    if (s.section == SHN_UNDEF && s.name == name) return s.bind == STB_WEAK;
  return false;
}

// The kind of a __kconfig variable's type, as libbpf accepts them.
Status classify_kconfig(const Btf& btf, uint32_t type_id, ExternVar& v) {
  const uint32_t id = btf.skip_modifiers(type_id);
  const btf_type* t = btf.type(id);
  const int64_t size = btf.size_of(id);
  if (t && btf_is_int(t) && (btf_int_encoding(t) & BTF_INT_BOOL) && size == 1) {
    v.kind = ExternVar::Kind::Bool;
  } else if (t && btf_is_enum(t) && btf.name(id) == "libbpf_tristate") {
    v.kind = ExternVar::Kind::Tristate;
  } else if (t && (btf_is_int(t) || btf_is_enum(t)) &&
             (size == 1 || size == 2 || size == 4 || size == 8)) {
    v.kind = ExternVar::Kind::Int;
    v.is_signed = btf_is_int(t) ? (btf_int_encoding(t) & BTF_INT_SIGNED) != 0 : btf_kflag(t);
  } else if (t && btf_is_array(t) && btf_array(t)->nelems > 0 &&
             btf.size_of(btf_array(t)->type) == 1) {
    v.kind = ExternVar::Kind::Chars;
    if (size <= 0 || static_cast<uint64_t>(size) > kMaxKconfigBytes)
      return extern_error(v.name, "a __kconfig string of " + std::to_string(size) + " bytes is too large");
  } else {
    return extern_error(v.name, "a __kconfig variable of type '" + btf.describe(type_id) +
                                    "', which is not a bool, tristate, integer or char array");
  }
  v.size = static_cast<uint32_t>(size);
  return {};
}

// The ".kconfig" map: every __kconfig variable at its alignment, zero until
// the runtime fills it in.
void add_kconfig_map(Object& obj, uint32_t size) {
  MapDef m = global_data_map(".kconfig", size, /*read_only=*/true);
  m.initial_value.assign(size, 0);  // filled in at load (src/api/externs.cc)
  obj.btf->fix_datasec(".kconfig", size, [&](const std::string& var) {
    for (const ExternVar& v : obj.kconfig)
      if (v.name == var) return static_cast<int64_t>(v.offset);
    return int64_t{-1};
  });
  m.btf_value_type_id = obj.btf->find(".kconfig", BTF_KIND_DATASEC);
  obj.maps.push_back(std::move(m));
}

}  // namespace

Status collect_externs(const ElfFile& file, Object& obj) {
  // Without BTF no extern can be typed; programs.cc names any that is used.
  if (!obj.btf) return {};
  const Btf& btf = *obj.btf;
  uint32_t kconfig_size = 0;
  for (const std::string sec : {".kconfig", ".ksyms"}) {
    const uint32_t ds = btf.find(sec, BTF_KIND_DATASEC);
    if (!ds) continue;
    const btf_type* t = btf.type(ds);
    const btf_var_secinfo* vars = btf_var_secinfos(t);
    for (uint16_t i = 0; i < btf_vlen(t); ++i) {
      const btf_type* var = btf.type(vars[i].type);
      if (!var || btf_is_func(var)) continue;  // a kfunc
      ExternVar v;
      v.name = btf.name(vars[i].type);
      if (!btf_is_var(var)) return extern_error(v.name, sec + " entry is not a variable");
      v.weak = is_weak(file, v.name);
      if (sec == ".ksyms") {
        obj.ksyms.push_back(std::move(v));
        continue;
      }
      if (Status s = classify_kconfig(btf, var->type, v); !s) return s;
      const uint32_t align = v.kind == ExternVar::Kind::Chars ? 1 : v.size;
      v.offset = (kconfig_size + align - 1) / align * align;
      if (uint64_t{v.offset} + v.size > kMaxKconfigBytes)
        return extern_error(v.name, "the __kconfig variables take more than " +
                                        std::to_string(kMaxKconfigBytes) + " bytes");
      kconfig_size = v.offset + v.size;
      obj.kconfig.push_back(std::move(v));
    }
  }
  if (!obj.kconfig.empty()) add_kconfig_map(obj, (kconfig_size + 7) / 8 * 8);
  return {};
}

}  // namespace ringb::elf
