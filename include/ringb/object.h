// ringb/object.h — a BPF object file, loaded: programs (linked with their
// subprograms and relocated), map definitions, global data, BTF and line info.
//
// The loader follows libbpf's conventions, so the objects clang-19 builds for
// the kernel load unchanged:
//   - a program is a global function in an executable section whose name says
//     its type ("tc", "xdp", "syscall", "tracepoint/…", "?tc" = not autoloaded);
//   - .text holds subprograms, appended to every program that calls them;
//   - maps are BTF-defined in ".maps" (a map of maps' inner map template
//     from `__array(values, struct inner_def)`, named or anonymous; prog
//     arrays' and maps of maps' initial slots from `.values`); every
//     .data/.rodata/.bss section and every ".data.NAME"/".bss.NAME"/
//     ".rodata.NAME" is a one-element array map;
//   - extern functions in ".ksyms" are kfuncs, resolved by name later;
//   - extern variables: __kconfig ones live in a read-only ".kconfig" array
//     map whose contents the runtime fills in, __ksym ones are kernel
//     symbols whose addresses the host supplies (ld_imm64 src 3, imm = index
//     into Object::ksyms).
// After loading, instructions refer to maps and kfuncs by index into this
// object (ld_imm64 src 1/2, call src 2), and bpf-to-bpf calls are relative to
// the linked program, exactly as the kernel receives them from libbpf.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ringb/btf.h"
#include "ringb/error.h"
#include "ringb/fields.h"
#include "ringb/insn.h"

namespace ringb {

// The kernel's enum bpf_prog_type values that ringb knows by section name.
enum class ProgType : uint32_t {
  Unspec = 0,
  SocketFilter = 1,
  Kprobe = 2,
  SchedCls = 3,  // "tc", "classifier"
  SchedAct = 4,
  Tracepoint = 5,
  Xdp = 6,
  PerfEvent = 7,
  CgroupSkb = 8,
  CgroupSock = 9,  // "cgroup/sock", "cgroup/post_bind4"...
  LwtIn = 10,
  LwtOut = 11,
  LwtXmit = 12,
  SockOps = 13,
  SkSkb = 14,
  SkMsg = 16,
  RawTracepoint = 17,
  CgroupSockAddr = 18,  // "cgroup/bind4", "cgroup/connect6"...
  LwtSeg6local = 19,
  SkReuseport = 21,  // "sk_reuseport"
  FlowDissector = 22,
  CgroupSysctl = 23,
  Tracing = 26,  // fentry/fexit/fmod_ret/tp_btf/iter
  StructOps = 27,
  Lsm = 29,
  SkLookup = 30,  // "sk_lookup"
  Syscall = 31,
};

const char* prog_type_name(ProgType t);
// Tracing types whose test-run context is what ctx_in holds (pt_regs, a
// tracepoint record, raw_tp arguments, perf event data), not a packet.
bool prog_type_takes_ctx_in(ProgType t);

struct LineInfo {
  uint32_t insn;      // index into Program::insns
  std::string file;
  std::string source;  // the source line's text
  uint32_t line = 0, column = 0;
};

struct Program {
  std::string name;     // the function's name
  std::string section;  // as written, without a leading '?'
  ProgType type = ProgType::Unspec;
  uint32_t attach = 0;  // the kernel's expected_attach_type (enum bpf_attach_type) from the section, 0 if none
  bool autoload = true;
  bool sleepable = false;
  uint32_t btf_func_id = 0;  // BTF_KIND_FUNC of the program, 0 if none
  std::vector<Insn> insns;   // the program, then every subprogram it calls
  std::vector<LineInfo> lines;
  // Where each function of the linked program starts (index 0: the program).
  struct Func {
    uint32_t insn;
    std::string name;
    uint32_t btf_id;
  };
  std::vector<Func> funcs;
  // The exception callback (`__exception_cb(fn)`, the decl tag
  // "exception_callback:fn" on the program): where fn starts in `insns`.
  // bpf_throw returns through it; without one the program returns the cookie.
  static constexpr uint32_t kNoExceptionCallback = UINT32_MAX;
  uint32_t exception_cb = kNoExceptionCallback;
  // What the loader resolved, in order, for `ringb dump`: ELF relocations
  // ("map", "global data", "kconfig", "ksym", "kfunc", "call", "callback")
  // and CO-RE records ("CO-RE field_byte_offset", ...).
  struct Relocation {
    uint32_t insn;       // index into insns
    std::string kind;
    std::string target;  // symbol, or the CO-RE type and access string
  };
  std::vector<Relocation> relocations;
  // ld_imm64 instructions naming a map by fd (src 1, 2, 5 or 6) that no
  // relocation resolved: the kernel looks the raw fd up and refuses the
  // program ("fd N is not pointing to valid bpf_map"), and so does ringb.
  std::vector<uint32_t> unresolved_map_fds;
};

// bpf_map_type values ringb knows.
enum class MapType : uint32_t {
  Unspec = 0,
  Hash = 1,
  Array = 2,
  ProgArray = 3,
  PerfEventArray = 4,
  PercpuHash = 5,
  PercpuArray = 6,
  StackTrace = 7,
  LruHash = 9,
  LruPercpuHash = 10,
  LpmTrie = 11,
  ArrayOfMaps = 12,
  HashOfMaps = 13,
  Queue = 22,
  Stack = 23,
  RingBuf = 27,
  BloomFilter = 30,
  UserRingBuf = 31,
};

// "hash", "ringbuf", … for every bpf_map_type of Linux 6.18; "unknown" past them.
const char* map_type_name(uint32_t type);
// The name, or "unknown map type N".
std::string map_type_string(uint32_t type);

struct MapDef {
  std::string name;
  uint32_t type = 0;
  uint32_t key_size = 0, value_size = 0, max_entries = 0, map_flags = 0;
  uint64_t map_extra = 0;
  uint32_t btf_key_type_id = 0, btf_value_type_id = 0;  // 0: not described
  // Offset of the value's struct bpf_spin_lock (BPF_F_LOCK copies values
  // under it), or -1 when the value has none. Always fields.spin_lock_off
  // for definitions the loader makes.
  int32_t spin_lock_off = -1;
  // The value's special fields (ringb/fields.h): parse_fields() of the
  // value type with the kinds map values may hold (kMapValueFields); for
  // global data the section's DATASEC, offsets within the section, as the
  // kernel reads it. Empty for map types libbpf creates without BTF (queue,
  // stack, maps of maps, perf event arrays, ...).
  FieldRecord fields;
  // When the value's BTF describes fields the kernel cannot accept (two
  // bpf_timers, an unknown kptr tag, a section's bpf_list_head without a
  // lock, ...), it still creates the map, without any fields, and refuses
  // the programs that use them: `fields` is then empty and this says why.
  // code 0: nothing wrong.
  Error fields_error;
  // Global data: the section it stands for, and its initial contents
  // (empty for .bss: zero-filled).
  std::string section;
  bool global_data = false;
  bool read_only = false;  // .rodata: BPF_F_RDONLY_PROG
  std::vector<uint8_t> initial_value;
  // PROG_ARRAY: slots filled at load (libbpf's `.values = { [i] = &prog }`),
  // as (slot, program name).
  std::vector<std::pair<uint32_t, std::string>> init_progs;
  // ARRAY_OF_MAPS / HASH_OF_MAPS: the inner map template — what the kernel
  // takes as inner_map_fd and libbpf builds from `__array(values, struct
  // inner_def)` as the map "NAME.inner". Every map stored in the outer map
  // must match it (type, key and value size, flags, special fields; an
  // array's max_entries unless the template has BPF_F_INNER_MAP). Null for
  // other types.
  std::shared_ptr<const MapDef> inner_map;
  // ARRAY_OF_MAPS / HASH_OF_MAPS: slots filled at load (`.values = { [i] =
  // &other_map }`), as (slot or u32 key, map name in this object).
  std::vector<std::pair<uint32_t, std::string>> init_maps;
};

// An extern variable of libbpf's __kconfig (LINUX_KERNEL_VERSION, CONFIG_*)
// or __ksym kind. Weak ones may stay unresolved: they read as 0 / NULL.
struct ExternVar {
  enum class Kind : uint8_t {
    Bool,      // _Bool: y → 1, n → 0
    Tristate,  // enum libbpf_tristate: n → 0, y → 1, m → 2
    Int,       // a 1, 2, 4 or 8 byte integer
    Chars,     // char[N]: a string, cut to N - 1 bytes
    Other,     // __ksym: any type (its address is what matters)
  };
  std::string name;
  Kind kind = Kind::Other;
  bool is_signed = false;
  bool weak = false;
  uint32_t offset = 0, size = 0;  // __kconfig: where in the .kconfig map
};

class Object {
 public:
  // Opens and links an ELF object. Errors name the section, symbol or
  // instruction at fault.
  static Expected<Object> open_file(const std::string& path);
  static Expected<Object> open_memory(const void* data, size_t size, const std::string& name);

  std::string name;
  std::string license;
  std::vector<Program> programs;
  std::vector<MapDef> maps;
  std::vector<std::string> kfuncs;  // names, indexed by call src 2 imm
  std::vector<ExternVar> kconfig;   // laid out in the ".kconfig" map
  std::vector<ExternVar> ksyms;     // indexed by ld_imm64 src 3 imm
  std::shared_ptr<Btf> btf;         // the object's own BTF (may be null)
  // The structs programs may allocate that have special fields, as the
  // kernel finds them when it loads the BTF (parse_struct_metas); sorted
  // by btf_id. An error there fails the open, as it fails BPF_BTF_LOAD.
  std::vector<StructMeta> struct_metas;

  const Program* find_program(const std::string& name) const;
  int find_map(const std::string& name) const;  // index or -1
};

}  // namespace ringb
