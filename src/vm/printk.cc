// printk.cc — see printk.h.
#include "printk.h"

#include <cerrno>
#include <cstring>

#include "probe.h"

namespace ringb::vm {
namespace {

constexpr size_t kBinArgs = 512;  // MAX_BPRINTF_BIN_ARGS: what the arguments may take, strings included

// Appends to a bounded buffer and counts what would have been written.
struct Out {
  char* buf;
  size_t size, len = 0;
  void put(char c) {
    if (len + 1 < size) buf[len] = c;
    ++len;
  }
  void put(const char* s, size_t n) {
    for (size_t i = 0; i < n; ++i) put(s[i]);
  }
};

struct Spec {
  bool left = false, zero = false, plus = false, space = false;
  unsigned width = 0;
};

void pad(Out& o, size_t n, char c) {
  for (size_t i = 0; i < n; ++i) o.put(c);
}

// s[0..n) in a field, right-aligned unless '-'.
void field(Out& o, const Spec& sp, const char* s, size_t n) {
  const size_t w = sp.width > n ? sp.width - n : 0;
  if (!sp.left) pad(o, w, ' ');
  o.put(s, n);
  if (sp.left) pad(o, w, ' ');
}

void number(Out& o, const Spec& sp, uint64_t v, bool negative, unsigned base, bool upper) {
  char digits[24];
  size_t n = 0;
  const char* set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  do {
    digits[n++] = set[v % base];
    v /= base;
  } while (v);
  const char sign = negative ? '-' : sp.plus ? '+' : sp.space ? ' ' : 0;
  const size_t len = n + (sign ? 1 : 0);
  const size_t w = sp.width > len ? sp.width - len : 0;
  if (!sp.left && !sp.zero) pad(o, w, ' ');
  if (sign) o.put(sign);
  if (!sp.left && sp.zero) pad(o, w, '0');
  while (n) o.put(digits[--n]);
  if (sp.left) pad(o, w, ' ');
}

void hex_pointer(Out& o, const Spec& sp, uint64_t v) {  // %px: 16 digits, zero-padded, no 0x
  char s[16];
  for (int i = 15; i >= 0; --i, v >>= 4) s[i] = "0123456789abcdef"[v & 15];
  field(o, sp, s, 16);
}

bool printable(unsigned char c) { return (c >= 0x20 && c < 0x7f) || (c >= '\t' && c <= '\r'); }

}  // namespace

long format_printk(const char* fmt, uint64_t fmt_size, const uint64_t* args, int nargs, char* out,
                   size_t out_size) {
  if (!fmt || fmt_size == 0 || !std::memchr(fmt, 0, fmt_size)) return -EINVAL;
  Out o{out, out_size};
  int used = 0;
  size_t bin = 0;  // bytes of copied strings
  for (size_t i = 0; fmt[i]; ++i) {
    if (!printable(static_cast<unsigned char>(fmt[i]))) return -EINVAL;
    if (fmt[i] != '%') {
      o.put(fmt[i]);
      continue;
    }
    if (fmt[i + 1] == '%') {
      o.put('%');
      ++i;
      continue;
    }
    if (used >= nargs) return -EINVAL;
    ++i;
    Spec sp;
    for (;; ++i) {  // "[0 +-][num]"
      if (fmt[i] == '0') sp.zero = true;
      else if (fmt[i] == '+') sp.plus = true;
      else if (fmt[i] == '-') sp.left = true;
      else if (fmt[i] == ' ') sp.space = true;
      else break;
    }
    if (fmt[i] >= '1' && fmt[i] <= '9')
      while (fmt[i] >= '0' && fmt[i] <= '9') sp.width = sp.width * 10 + static_cast<unsigned>(fmt[i++] - '0');
    const uint64_t a = args[used++];
    const char c = fmt[i];
    // %s, %pks, %pus: strncpy_from_*_nofault into what is left of the
    // argument buffer; a fault prints nothing, as in the kernel.
    auto string = [&]() -> bool {
      if (bin >= kBinArgs) return false;
      char str[kBinArgs];
      bool unavailable;
      long n = a ? probe_read_str(str, a, kBinArgs - bin, &unavailable) : -EFAULT;
      if (n < 0) n = 1, str[0] = 0;
      bin += static_cast<size_t>(n);
      field(o, sp, str, static_cast<size_t>(n - 1));
      return true;
    };
    if (c == 'p') {
      const char n1 = fmt[i + 1], n2 = n1 ? fmt[i + 2] : 0;
      if ((n1 == 'k' || n1 == 'u') && n2 == 's') {  // %pks, %pus
        i += 2;
        if (!string()) return -ENOSPC;
        continue;
      }
      if ((n1 == 'i' || n1 == 'I') && (n2 == '4' || n2 == '6')) {
        uint8_t ip[16] = {};
        const size_t n = n2 == '4' ? 4 : 16;
        if (probe_read(ip, a, n) != Probe::Ok) std::memset(ip, 0, n);
        char s[48];
        size_t k = 0;
        if (n == 4) {
          for (size_t b = 0; b < 4; ++b) {
            if (b) s[k++] = '.';
            const unsigned v = ip[b];
            if (n1 == 'i') {  // %pi4: three digits each
              s[k++] = static_cast<char>('0' + v / 100);
              s[k++] = static_cast<char>('0' + v / 10 % 10);
              s[k++] = static_cast<char>('0' + v % 10);
            } else {
              if (v >= 100) s[k++] = static_cast<char>('0' + v / 100);
              if (v >= 10) s[k++] = static_cast<char>('0' + v / 10 % 10);
              s[k++] = static_cast<char>('0' + v % 10);
            }
          }
        } else {  // %pI6: eight colon-separated groups; %pi6: 32 digits
          for (size_t b = 0; b < 16; ++b) {
            if (n1 == 'I' && b && b % 2 == 0) s[k++] = ':';
            s[k++] = "0123456789abcdef"[ip[b] >> 4];
            s[k++] = "0123456789abcdef"[ip[b] & 15];
          }
        }
        field(o, sp, s, k);
        i += 2;
        continue;
      }
      if (n1 == 'B') ++i;  // a symbol: ringb has none, the address is printed
      else if (n1 == 'K' || n1 == 'x') ++i;
      else if ((n1 >= '0' && n1 <= '9') || (n1 >= 'a' && n1 <= 'z') || (n1 >= 'A' && n1 <= 'Z')) return -EINVAL;
      hex_pointer(o, sp, a);
      continue;
    }
    if (c == 'c') {
      const char ch = static_cast<char>(a);
      field(o, sp, &ch, 1);
      continue;
    }
    if (c == 's') {
      if (!string()) return -ENOSPC;
      continue;
    }
    int longs = 0;
    if (fmt[i] == 'l') ++longs, ++i;
    if (fmt[i] == 'l') ++longs, ++i;
    const char conv = fmt[i];
    if (conv != 'd' && conv != 'i' && conv != 'u' && conv != 'x' && conv != 'X') return -EINVAL;
    const bool is_signed = conv == 'd' || conv == 'i';
    // Without l/ll the argument is an int, as the kernel stores it.
    uint64_t v = longs ? a : (is_signed ? static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(a)))
                                        : static_cast<uint32_t>(a));
    bool negative = false;
    if (is_signed && static_cast<int64_t>(v) < 0) {
      negative = true;
      v = 0 - v;
    }
    number(o, sp, v, negative, conv == 'x' || conv == 'X' ? 16 : 10, conv == 'X');
  }
  if (out_size) out[o.len < out_size ? o.len : out_size - 1] = 0;
  return static_cast<long>(o.len);
}

}  // namespace ringb::vm
