// loader.cc — Object::open_file / open_memory: ELF → Object.
#include <cstring>
#include <fstream>
#include <iterator>

#include "loader.h"

namespace ringb {

Expected<Object> Object::open_memory(const void* data, size_t size, const std::string& name) {
  auto file = elf::ElfFile::open(data, size, name);
  if (!file) return file.error();
  Object obj;
  obj.name = name;
  auto prefixed = [&](const Error& e) { return Error{e.code, name + ": " + e.message}; };

  if (const elf::Section* lic = file->section("license"); lic && lic->data) {
    const char* s = reinterpret_cast<const char*>(lic->data);
    obj.license.assign(s, strnlen(s, lic->size));
  }
  std::unique_ptr<BtfExt> ext;
  if (const elf::Section* b = file->section(".BTF"); b && b->data) {
    auto btf = Btf::parse(b->data, b->size);
    if (!btf) return prefixed(btf.error());
    obj.btf = std::move(btf.value());
    if (const elf::Section* e = file->section(".BTF.ext"); e && e->data) {
      auto parsed = BtfExt::parse(e->data, e->size, *obj.btf);
      if (!parsed) return prefixed(parsed.error());
      ext = std::make_unique<BtfExt>(std::move(parsed.value()));
    }
  }
  if (Status s = elf::collect_maps(*file, obj); !s) return prefixed(s.error());
  if (Status s = elf::collect_externs(*file, obj); !s) return prefixed(s.error());
  if (Status s = elf::collect_programs(*file, ext.get(), obj); !s) return prefixed(s.error());
  if (Status s = elf::check_init_progs(obj); !s) return prefixed(s.error());
  // libbpf opens before it loads the BTF into the kernel, which is where
  // the kernel parses the struct metas: their errors come last.
  if (obj.btf) {
    auto metas = parse_struct_metas(*obj.btf);
    if (!metas) return prefixed(metas.error());
    obj.struct_metas = std::move(metas.value());
  }
  if (obj.programs.empty()) return Error{EINVAL, name + ": no programs (no global function in a program section)"};
  return obj;
}

Expected<Object> Object::open_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{ENOENT, path + ": cannot open"};
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Error{EIO, path + ": read error"};
  std::string name = path.substr(path.find_last_of('/') + 1);
  return open_memory(bytes.data(), bytes.size(), name);
}

const Program* Object::find_program(const std::string& n) const {
  for (const Program& p : programs)
    if (p.name == n) return &p;
  return nullptr;
}

int Object::find_map(const std::string& n) const {
  for (size_t i = 0; i < maps.size(); ++i)
    if (maps[i].name == n) return static_cast<int>(i);
  return -1;
}

}  // namespace ringb
