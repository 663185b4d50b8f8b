// btf_ext.cc — parses .BTF.ext: per-section func info, line info and CO-RE
// relocation records. Every length and offset is checked against the section.
#include <cstring>

#include "ringb/btf.h"

namespace ringb {
namespace {

struct Header {  // struct btf_ext_header
  uint16_t magic;
  uint8_t version, flags;
  uint32_t hdr_len;
  uint32_t func_info_off, func_info_len, line_info_off, line_info_len;
  uint32_t core_relo_off, core_relo_len;  // present when hdr_len covers them
};

constexpr uint16_t kMagic = 0xeB9F;

Error bad(const std::string& what) { return Error{EINVAL, "malformed .BTF.ext: " + what}; }

// One info block: rec_size, then { sec_name_off, num_info, records } …
template <typename Rec>
Status parse_block(const uint8_t* base, size_t size, uint32_t off, uint32_t len, const Btf& btf,
                   const char* what, std::map<std::string, std::vector<Rec>>& out) {
  if (len == 0) return {};
  if (off > size || len > size - off || len < 4) return bad(std::string(what) + " out of bounds");
  const uint8_t* p = base + off;
  const uint8_t* end = p + len;
  uint32_t rec_size;
  std::memcpy(&rec_size, p, 4);
  p += 4;
  if (rec_size < sizeof(Rec)) return bad(std::string(what) + " record size too small");
  while (p < end) {
    if (end - p < 8) return bad(std::string(what) + " truncated section header");
    uint32_t name_off, n;
    std::memcpy(&name_off, p, 4);
    std::memcpy(&n, p + 4, 4);
    p += 8;
    if (static_cast<uint64_t>(n) * rec_size > static_cast<uint64_t>(end - p))
      return bad(std::string(what) + " records run past the end");
    std::vector<Rec>& recs = out[btf.string_at(name_off)];
    for (uint32_t i = 0; i < n; ++i, p += rec_size) {
      Rec r;
      std::memcpy(&r, p, sizeof(Rec));
      recs.push_back(r);
    }
  }
  return {};
}

}  // namespace

Expected<BtfExt> BtfExt::parse(const void* data, size_t size, const Btf& btf) {
  Header h = {};
  if (size < 24) return bad("shorter than its header");
  std::memcpy(&h, data, size < sizeof(h) ? size : sizeof(h));
  if (h.magic != kMagic) return bad("bad magic");
  if (h.hdr_len < 24 || h.hdr_len > size) return bad("bad header length");
  if (h.hdr_len < sizeof(Header)) h.core_relo_off = h.core_relo_len = 0;
  const auto* base = static_cast<const uint8_t*>(data) + h.hdr_len;
  const size_t rest = size - h.hdr_len;
  BtfExt ext;
  if (Status s = parse_block(base, rest, h.func_info_off, h.func_info_len, btf, "func info",
                             ext.func_info); !s)
    return s.error();
  if (Status s = parse_block(base, rest, h.line_info_off, h.line_info_len, btf, "line info",
                             ext.line_info); !s)
    return s.error();
  if (Status s = parse_block(base, rest, h.core_relo_off, h.core_relo_len, btf, "CO-RE relocations",
                             ext.core_relos); !s)
    return s.error();
  return ext;
}

}  // namespace ringb
