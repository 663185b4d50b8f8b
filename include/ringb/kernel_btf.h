// ringb/kernel_btf.h — the kernel's BTF, which types the context arguments
// of tracing programs (tp_btf/, fentry/, fexit/, fmod_ret/, lsm/) as the
// kernel's btf_ctx_access does: the running kernel's /sys/kernel/btf/vmlinux
// or a file the host names (raw BTF, or an ELF object's .BTF section).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ringb/btf.h"
#include "ringb/error.h"

namespace ringb::kernel_btf {

inline constexpr const char* kVmlinux = "/sys/kernel/btf/vmlinux";
// As a path: no kernel BTF at all, even where the kernel has one.
inline constexpr const char* kNone = "none";

// Parses a BTF file (raw BTF or an ELF object with .BTF), through libbpf.
// Files are parsed once per process and shared.
Expected<std::shared_ptr<const Btf>> load(const std::string& path);
// `path` when not empty, else the running kernel's when it exists, else
// nullptr (no kernel BTF: tracing arguments cannot be typed; also when the
// running kernel's cannot be read); kNone: nullptr.
Expected<std::shared_ptr<const Btf>> load_default(const std::string& path);

// What a tracing program's context holds, from its section's target.
struct Target {
  std::string section_kind;  // "tp_btf", "fentry", "lsm", …
  std::string func;          // the BTF function (or btf_trace_ typedef) named in messages
  struct Arg {
    uint32_t type = 0;  // kernel BTF id of the argument's type (0: void)
    bool nullable = false;  // named NAME__nullable: may be NULL
  };
  std::vector<Arg> args;   // ctx[0], ctx[1], … (tp_btf: without the leading void *)
  bool has_ret = false;    // fexit, fmod_ret, lsm: ctx[args.size()] is the return value
  uint32_t ret = 0;
  // btf_ctx_access's prog_args_trusted: tp_btf and lsm hooks other than the
  // kernel's untrusted ones give PTR_TRUSTED; fentry/fexit plain PTR_TO_BTF_ID.
  bool trusted = false;
};

// Whether a section's arguments are BTF-typed (tp_btf/, fentry/, …).
bool typed_section(const std::string& section);
// The target of a typed section in `kbtf`. Errors: ESRCH with libbpf's
// message when the kernel has no such function or tracepoint ("failed to
// find kernel BTF type ID of 'NAME': -3").
Expected<Target> target(const Btf& kbtf, const std::string& section);

// The struct a pointer type points to (modifiers skipped), or 0.
uint32_t pointee_struct(const Btf& btf, uint32_t ptr_type);

// btf_struct_access for a load: the member of struct `id` at byte `off` of
// `size` bytes. ok false: beyond the struct; `pointee` the struct a pointer
// member loaded whole points to (0: the load gives a scalar); `past_member`:
// the kernel's "access beyond the end of member comm (mend:1768) in struct
// task_struct with off 1752 size 17" when the access runs past its member.
struct MemberLoad {
  bool ok = false;
  uint32_t pointee = 0;
  std::string field;  // the pointer member's name
  std::string past_member;
};
MemberLoad member_load(const Btf& btf, uint32_t id, int64_t off, int size);

}  // namespace ringb::kernel_btf
