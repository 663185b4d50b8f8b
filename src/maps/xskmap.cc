// xskmap.cc — BPF_MAP_TYPE_XSKMAP (17): AF_XDP sockets by index, for
// bpf_redirect_map() in XDP, with net/xdp/xskmap.c's checks for Linux 6.18.
//
// ringb has no AF_XDP sockets, so the map is always empty: a host update
// that passes the kernel's flag and index checks is refused as the kernel
// refuses a value that is not an open fd (EBADF; ringb has no fds), program
// lookups and redirects find nothing (NULL; bpf_redirect_map falls back to
// its flags' action), and deletes of an index in range succeed.
//
//   create   key_size 4, value_size 4, max_entries above 0, map_flags within
//            NUMA_NODE|RDONLY|WRONLY: EINVAL
//   update   flags above BPF_EXIST: EINVAL; index past the end: E2BIG; then
//            EBADF
//   delete   index past the end: EINVAL; else 0
//   host lookup  EOPNOTSUPP, whatever the key (xsk_map_lookup_elem_sys_only)
#include "flags.h"
#include "map_types.h"
#include "redirect_entry.h"

namespace ringb::maps::detail {
namespace {

class XskMap final : public Map {
 public:
  explicit XskMap(const MapDef& def) : Map(def) {}

  void* lookup_elem(const void*) override { return nullptr; }
  Stats stats() const override {
    Stats s;
    s.elements = 0;  // never a socket
    s.memory_bytes = uint64_t{def_.max_entries} * sizeof(void*);
    return s;
  }

 protected:
  long do_host_lookup(const void*, void*, int) override { return -EOPNOTSUPP; }
  long do_host_update(const void* key, const void*, uint64_t flags, int) override {
    if (flags > kExist) return -EINVAL;
    if (u32_at(key) >= def_.max_entries) return -E2BIG;
    return -EBADF;  // no AF_XDP socket can be named
  }
  long do_host_delete(const void* key, int) override { return u32_at(key) >= def_.max_entries ? -EINVAL : 0; }
  long do_host_get_next_key(const void* key, void* next_key) override {
    return array_next_key(def_.max_entries, key, next_key);
  }
};

}  // namespace

MapResult create_xsk_map(const MapDef& def, const Options&) {
  const uint32_t allowed = kFNumaNode | kFRdonly | kFWronly;
  if (def.max_entries == 0 || def.key_size != 4 || def.value_size != 4)
    return einval("an xskmap needs key_size 4, value_size 4 (a socket fd) and max_entries above 0");
  if (def.map_flags & ~allowed) return bad_flags(def.map_flags, allowed, "xskmap");
  return std::unique_ptr<Map>(std::make_unique<XskMap>(def));
}

}  // namespace ringb::maps::detail
