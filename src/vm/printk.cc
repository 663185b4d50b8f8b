// printk.cc — see printk.h.
#include "printk.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ringb::vm {

long format_printk(const char* fmt, uint64_t fmt_size, const uint64_t* args, int nargs,
                   std::string& out) {
  if (!fmt || fmt_size == 0 || !std::memchr(fmt, 0, fmt_size)) return -EINVAL;
  int used = 0;
  for (const char* p = fmt; *p; ++p) {
    if (*p != '%') {
      out += *p;
      continue;
    }
    if (p[1] == '%') {
      out += '%';
      ++p;
      continue;
    }
    // %[flags][width][.precision][l|ll|h|hh]conv
    std::string spec = "%";
    ++p;
    while (*p && std::strchr("-+ #0", *p)) spec += *p++;
    while (*p >= '0' && *p <= '9') spec += *p++;
    if (*p == '.') {
      spec += *p++;
      while (*p >= '0' && *p <= '9') spec += *p++;
    }
    int longs = 0;
    while (*p == 'l' || *p == 'h' || *p == 'z') {
      if (*p == 'l' || *p == 'z') ++longs;
      ++p;
    }
    const char conv = *p;
    if (!conv || !std::strchr("diuxXcsp", conv)) return -EINVAL;
    if (used >= nargs) return -EINVAL;
    const uint64_t a = args[used++];
    char buf[128];
    if (conv == 's') {
      const char* s = reinterpret_cast<const char*>(a);
      spec += 's';
      std::snprintf(buf, sizeof buf, spec.c_str(), s ? s : "(null)");
    } else if (conv == 'p') {
      while (p[1] && std::strchr("KSsBbhiIkMmUuRrEe4", p[1])) ++p;  // %pK, %pS, … print as %p
      std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(a));
    } else if (conv == 'c') {
      spec += 'c';
      std::snprintf(buf, sizeof buf, spec.c_str(), static_cast<int>(static_cast<char>(a)));
    } else {
      spec += "ll";
      spec += conv;
      const bool is_signed = conv == 'd' || conv == 'i';
      // Without l/ll the argument is an int: truncate as the kernel does.
      const uint64_t v = longs ? a : (is_signed ? static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(a)))
                                                : static_cast<uint32_t>(a));
      std::snprintf(buf, sizeof buf, spec.c_str(), static_cast<unsigned long long>(v));
    }
    out += buf;
  }
  return static_cast<long>(out.size());
}

}  // namespace ringb::vm
