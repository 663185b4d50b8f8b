// externs.cc — giving extern variables their values at load, as libbpf does:
//   __kconfig  written into the object's ".kconfig" map: LINUX_KERNEL_VERSION
//              and friends from this machine, CONFIG_* from the host's text
//              (Runtime::Options::kconfig), else from the running kernel's
//              config (/proc/config.gz, /boot/config-RELEASE);
//   __ksym     each `&symbol` becomes the address the host registered
//              (Functions::add_ksym): ld_imm64 src 3 turns into a constant.
// A weak extern nobody gives a value reads as 0 (a ksym: NULL); a strong one
// fails the load with its name.
#include "externs.h"

#include <sys/utsname.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

namespace ringb::api {
namespace {

using Values = std::map<std::string, std::string>;

// "CONFIG_X=value" lines; '#' comments and blank lines skipped.
void parse_config_text(const std::string& text, Values& out) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    const size_t eq = line.find('=');
    if (line.empty() || line[0] == '#' || eq == std::string::npos || eq == 0) continue;
    out.emplace(line.substr(0, eq), line.substr(eq + 1));  // the first one wins
  }
}

std::string read_kernel_config() {
  std::string text;
  if (gzFile gz = gzopen("/proc/config.gz", "rb")) {
    char buf[8192];
    int n;
    while ((n = gzread(gz, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
    gzclose(gz);
    if (!text.empty()) return text;
  }
  utsname u{};
  if (uname(&u) != 0) return text;
  if (FILE* f = std::fopen((std::string("/boot/config-") + u.release).c_str(), "r")) {
    char buf[8192];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    std::fclose(f);
  }
  return text;
}

// KERNEL_VERSION(a, b, c) of the running kernel, c capped at 255 as the
// kernel's own LINUX_VERSION_CODE is.
uint64_t kernel_version_code() {
  utsname u{};
  unsigned a = 0, b = 0, c = 0;
  if (uname(&u) == 0) std::sscanf(u.release, "%u.%u.%u", &a, &b, &c);
  return (uint64_t{a} << 16) + (uint64_t{b} << 8) + (c > 255 ? 255 : c);
}

// The LINUX_* names libbpf knows; any other LINUX_ name is an error there too.
bool linux_builtin(const std::string& name, uint64_t& value) {
  if (name == "LINUX_KERNEL_VERSION") value = kernel_version_code();
  else if (name == "LINUX_HAS_BPF_COOKIE") value = 1;
  else if (name == "LINUX_HAS_SYSCALL_WRAPPER") value = 1;  // x86-64 since 4.17
  else return false;
  return true;
}

Error bad_value(const ExternVar& v, const std::string& value, const char* why) {
  return Error{EINVAL, "extern '" + v.name + "' (__kconfig): value '" + value + "' " + why};
}

void store_int(uint8_t* at, uint64_t value, uint32_t size) {
  std::memcpy(at, &value, size);  // little-endian: the low `size` bytes
}

// Writes one value in the extern's own type (libbpf's rules: y/n/m for bool
// and tristate, a number for integers, a quoted string for char arrays).
Status write_value(const ExternVar& v, const std::string& value, uint8_t* at) {
  using K = ExternVar::Kind;
  if (v.kind == K::Bool || v.kind == K::Tristate) {
    uint64_t x;
    if (value == "y") x = 1;
    else if (value == "n") x = 0;
    else if (value == "m" && v.kind == K::Tristate) x = 2;
    else return bad_value(v, value, v.kind == K::Bool ? "is not y or n" : "is not y, n or m");
    store_int(at, x, v.size);
    return {};
  }
  if (v.kind == K::Chars) {
    if (value.size() < 2 || value.front() != '"' || value.back() != '"')
      return bad_value(v, value, "is not a quoted string");
    const std::string s = value.substr(1, value.size() - 2);
    std::memset(at, 0, v.size);
    std::memcpy(at, s.data(), std::min<size_t>(s.size(), v.size - 1));  // cut, NUL-terminated
    return {};
  }
  if (v.kind != K::Int) return bad_value(v, value, "is for a type kconfig cannot hold");
  errno = 0;
  char* end = nullptr;
  const bool negative = !value.empty() && value[0] == '-';
  const uint64_t x = negative ? static_cast<uint64_t>(std::strtoll(value.c_str(), &end, 0))
                              : std::strtoull(value.c_str(), &end, 0);
  if (value.empty() || errno || *end) return bad_value(v, value, "is not a number");
  if (v.size < 8) {
    const int bits = static_cast<int>(v.size * 8);
    const bool fits = v.is_signed ? (static_cast<int64_t>(x) >= -(int64_t{1} << (bits - 1)) &&
                                     static_cast<int64_t>(x) < (int64_t{1} << (bits - 1)))
                                  : !negative && x < (uint64_t{1} << bits);
    if (!fits) return bad_value(v, value, "does not fit its type");
  }
  store_int(at, x, v.size);
  return {};
}

Status fill_kconfig(Object& obj, const LoadPlan& plan, const std::string& host_text) {
  const int m = obj.find_map(".kconfig");
  if (obj.kconfig.empty() || m < 0 || !plan.maps[static_cast<size_t>(m)]) return {};
  std::vector<uint8_t>& data = obj.maps[static_cast<size_t>(m)].initial_value;
  Values values;
  parse_config_text(host_text, values);
  bool kernel_read = false;
  for (const ExternVar& v : obj.kconfig) {
    if (v.offset + v.size > data.size()) return Error{EINVAL, "extern '" + v.name + "' lies outside .kconfig"};
    uint8_t* at = data.data() + v.offset;
    uint64_t builtin;
    if (values.count(v.name) == 0 && linux_builtin(v.name, builtin)) {
      if (v.kind != ExternVar::Kind::Int && v.kind != ExternVar::Kind::Bool)
        return Error{EINVAL, "extern '" + v.name + "' (__kconfig) must be an integer"};
      store_int(at, builtin, v.size);
      continue;
    }
    if (values.count(v.name) == 0 && !kernel_read && v.name.rfind("CONFIG_", 0) == 0) {
      parse_config_text(read_kernel_config(), values);  // the host's own text keeps precedence
      kernel_read = true;
    }
    auto it = values.find(v.name);
    if (it != values.end()) {
      if (Status s = write_value(v, it->second, at); !s) return s;
    } else if (!v.weak) {
      return Error{ENOENT, "extern '" + v.name + "' (__kconfig) has no value: " +
                               (v.name.rfind("CONFIG_", 0) == 0
                                    ? "give it a line \"" + v.name + "=...\" in Runtime::Options::kconfig "
                                          "(ringb run --kconfig FILE), or declare it __weak"
                                    : std::string("ringb knows LINUX_KERNEL_VERSION, LINUX_HAS_BPF_COOKIE and "
                                                  "LINUX_HAS_SYSCALL_WRAPPER"))};
    }
  }
  return {};
}

Status resolve_ksyms(Object& obj, const LoadPlan& plan, const vm::Functions& fns) {
  for (size_t k = 0; k < obj.programs.size(); ++k) {
    if (!plan.programs[k]) continue;
    Program& p = obj.programs[k];
    for (size_t i = 0; i + 1 < p.insns.size(); ++i) {
      Insn& insn = p.insns[i];
      if (!isa::is_ld_imm64(insn)) continue;
      Insn& next = p.insns[++i];
      if (insn.src != isa::kPseudoBtfId) continue;
      if (insn.imm < 0 || static_cast<size_t>(insn.imm) >= obj.ksyms.size())
        return Error{EINVAL, "program '" + p.name + "', instruction " + std::to_string(i - 1) +
                                 ": kernel symbol " + std::to_string(insn.imm) + " is not in the object"};
      const ExternVar& v = obj.ksyms[static_cast<size_t>(insn.imm)];
      const void* address = fns.ksym(v.name);
      if (!address && !v.weak)
        return Error{ENOENT, "program '" + p.name + "', instruction " + std::to_string(i - 1) +
                                 ": unknown kernel symbol '" + v.name +
                                 "' (__ksym): the host registers it with Functions::add_ksym, or the "
                                 "program declares it __weak"};
      const auto a = reinterpret_cast<uint64_t>(address);
      insn.src = 0;
      insn.imm = static_cast<int32_t>(static_cast<uint32_t>(a));
      next.imm = static_cast<int32_t>(static_cast<uint32_t>(a >> 32));
    }
  }
  return {};
}

}  // namespace

uint32_t config_hz(const std::string& kconfig) {
  Values values;
  parse_config_text(kconfig, values);
  if (!values.count("CONFIG_HZ")) parse_config_text(read_kernel_config(), values);
  const auto it = values.find("CONFIG_HZ");
  if (it == values.end()) return 250;
  const unsigned long hz = std::strtoul(it->second.c_str(), nullptr, 10);
  return hz >= 24 && hz <= 10000 ? static_cast<uint32_t>(hz) : 250;
}

Status resolve_externs(Object& obj, const LoadPlan& plan, const std::string& kconfig, const vm::Functions& fns) {
  if (Status s = fill_kconfig(obj, plan, kconfig); !s) return s;
  return resolve_ksyms(obj, plan, fns);
}

}  // namespace ringb::api
