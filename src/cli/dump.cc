// dump.cc — `ringb dump OBJ`: what the loader made of an object file.
#include <linux/btf.h>
#include <bpf/btf.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "commands.h"
#include "ringb/disasm.h"
#include "ringb/object.h"

namespace ringb::cli {
namespace {

struct DumpOptions {
  std::string path;
  std::string prog;  // only this program's code
  bool code = true;
  bool btf = false;
};

bool parse(int argc, char** argv, DumpOptions& o) {
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--prog" && i + 1 < argc) o.prog = argv[++i];
    else if (a == "--no-code") o.code = false;
    else if (a == "--btf") o.btf = true;
    else if (!a.empty() && a[0] != '-' && o.path.empty()) o.path = a;
    else {
      std::fprintf(stderr, "ringb dump: unknown option '%s'\n", a.c_str());
      return false;
    }
  }
  if (o.path.empty()) {
    std::fprintf(stderr, "usage: ringb dump OBJ [--prog NAME] [--no-code] [--btf]\n");
    return false;
  }
  return true;
}

std::string type_of(const Object& obj, uint32_t id) {
  return obj.btf && id ? " (" + obj.btf->describe(id) + ")" : "";
}

void print_map(const Object& obj, const MapDef& m) {
  std::printf("%-20s %-13s key %u%s value %u%s max_entries %u flags 0x%x\n", m.name.c_str(),
              map_type_string(m.type).c_str(), m.key_size, type_of(obj, m.btf_key_type_id).c_str(),
              m.value_size, m.global_data ? "" : type_of(obj, m.btf_value_type_id).c_str(), m.max_entries,
              m.map_flags);
}

void print_maps(const Object& obj) {
  std::printf("maps:\n");
  for (size_t i = 0; i < obj.maps.size(); ++i) {
    const MapDef& m = obj.maps[i];
    std::printf("  [%zu] ", i);
    print_map(obj, m);
    if (m.global_data)
      std::printf("       global data from %s, %s\n", m.section.c_str(),
                  m.initial_value.empty() ? "zero-filled" : "initialised");
    if (m.inner_map) {
      std::printf("       inner map template: ");
      print_map(obj, *m.inner_map);
    }
    for (const auto& [slot, prog] : m.init_progs)
      std::printf("       slot %u: %s\n", slot, prog.c_str());
    if (!m.fields.empty()) std::printf("       fields: %s\n", describe_record(m.fields).c_str());
    if (m.fields_error.code) {
      const char* code = strerrorname_np(m.fields_error.code);
      std::printf("       no fields (the kernel creates it without any): %s (%s)\n", m.fields_error.message.c_str(),
                  code ? code : "?");
    }
    const bool hash = m.type == static_cast<uint32_t>(MapType::HashOfMaps);
    for (const auto& [slot, map] : m.init_maps)
      std::printf("       %s %u: map %s\n", hash ? "key" : "slot", slot, map.c_str());
  }
}

void print_struct_metas(const Object& obj) {
  if (obj.struct_metas.empty()) return;
  std::printf("struct metas (allocatable structs with special fields):\n");
  for (const StructMeta& m : obj.struct_metas)
    std::printf("  [%u] %-20s %4u bytes: %s\n", m.btf_id, m.name.c_str(), m.size, describe_record(m.record).c_str());
}

void print_code(const Object& obj, const Program& p) {
  std::printf("\n%s (section %s):\n", p.name.c_str(), p.section.c_str());
  size_t line = 0, func = 0;
  const LineInfo* last = nullptr;
  for (size_t pc = 0; pc < p.insns.size(); ++pc) {
    if (func < p.funcs.size() && p.funcs[func].insn == pc) {
      std::printf("%s<%s>:\n", pc ? "\n" : "", p.funcs[func].name.c_str());
      ++func;
    }
    while (line < p.lines.size() && p.lines[line].insn <= pc) {
      const LineInfo& li = p.lines[line];
      const bool same = last && last->line == li.line && last->file == li.file;
      if (li.insn == pc && !li.source.empty() && !same) {
        std::printf("; %s @ %s:%u\n", li.source.c_str(),
                    li.file.substr(li.file.find_last_of('/') + 1).c_str(), li.line);
        last = &li;
      }
      ++line;
    }
    std::printf("%5zu: (%02x) %s\n", pc, p.insns[pc].code, disasm(&p.insns[pc], &obj.kfuncs).c_str());
    if (isa::is_ld_imm64(p.insns[pc])) ++pc;
  }
  if (p.relocations.empty()) return;
  std::printf("\nrelocations of %s:\n", p.name.c_str());
  for (const Program::Relocation& r : p.relocations)
    std::printf("%5u: %-12s %s\n", r.insn, r.kind.c_str(), r.target.c_str());
}

void print_btf(const Btf& btf) {
  std::printf("\nBTF types:\n");
  for (uint32_t id = 1; id < btf.type_count(); ++id) {
    const btf_type* t = btf.type(id);
    std::printf("  [%u] %s '%s'\n", id, btf_kind(t) < 20 ? "kind" : "?", btf.describe(id).c_str());
  }
}

}  // namespace

int run_dump(int argc, char** argv) {
  DumpOptions o;
  if (!parse(argc, argv, o)) return 2;
  auto obj = Object::open_file(o.path);
  if (!obj) {
    std::fprintf(stderr, "ringb dump: %s\n", obj.error().message.c_str());
    return 1;
  }
  std::printf("object %s: license \"%s\", %zu programs, %zu maps, %u BTF types\n",
              obj->name.c_str(), obj->license.c_str(), obj->programs.size(), obj->maps.size(),
              obj->btf ? obj->btf->type_count() - 1 : 0);
  std::printf("programs:\n");
  for (const Program& p : obj->programs)
    std::printf("  %-24s section %-20s type %-14s %5zu insns, %zu functions%s%s\n", p.name.c_str(),
                p.section.c_str(), prog_type_name(p.type), p.insns.size(), p.funcs.size(),
                p.sleepable ? ", sleepable" : "", p.autoload ? "" : ", not autoloaded");
  print_maps(*obj);
  print_struct_metas(*obj);
  if (!obj->kfuncs.empty()) {
    std::printf("kfuncs:");
    for (const std::string& k : obj->kfuncs) std::printf(" %s", k.c_str());
    std::printf("\n");
  }
  if (!obj->kconfig.empty()) {
    std::printf("kconfig (map .kconfig):\n");
    for (const ExternVar& v : obj->kconfig)
      std::printf("  +%-4u %-32s %u bytes%s\n", v.offset, v.name.c_str(), v.size, v.weak ? ", weak" : "");
  }
  if (!obj->ksyms.empty()) {
    std::printf("ksyms:");
    for (size_t i = 0; i < obj->ksyms.size(); ++i)
      std::printf(" [%zu] %s%s", i, obj->ksyms[i].name.c_str(), obj->ksyms[i].weak ? " (weak)" : "");
    std::printf("\n");
  }
  if (o.code)
    for (const Program& p : obj->programs)
      if (o.prog.empty() || o.prog == p.name) print_code(*obj, p);
  if (o.btf && obj->btf) print_btf(*obj->btf);
  return 0;
}

}  // namespace ringb::cli
