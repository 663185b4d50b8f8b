// Maps of maps against the running kernel: the same outer maps, templates
// and inner maps made in both (kernel: bpf_map_create with inner_map_fd and
// map fds as values; ringb: MapDef::inner_map and map ids), the same host
// commands on both; return codes must agree, and a lookup must name the same
// inner map. Skipped where this process may not create maps.
#include <bpf/bpf.h>
#include <fcntl.h>
#include <unistd.h>

#include <map>

#include "test_util.h"

namespace ringb::maps::test {
namespace {

constexpr uint32_t AOM = static_cast<uint32_t>(MapType::ArrayOfMaps);
constexpr uint32_t HOM = static_cast<uint32_t>(MapType::HashOfMaps);
constexpr uint32_t kNoMap = 0xffffff;  // a ringb id and a kernel fd that are no map

int kernel_create(const MapDef& d, int inner_fd = -1) {
  LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = d.map_flags);
  if (inner_fd >= 0) o.inner_map_fd = static_cast<__u32>(inner_fd);
  const int fd = bpf_map_create(static_cast<bpf_map_type>(d.type), "ringb_mim", d.key_size, d.value_size,
                                d.max_entries, &o);
  return fd < 0 ? -errno : fd;
}

bool kernel_available() {
  static const bool ok = [] {
    const int fd = kernel_create(def_of(MapType::Hash, 4, 8, 1));
    if (fd < 0) return false;
    close(fd);
    return true;
  }();
  return ok;
}

#define REQUIRE_KERNEL()                                                                 \
  do {                                                                                   \
    if (!kernel_available()) GTEST_SKIP() << "cannot create BPF maps here (root, bpf())"; \
  } while (0)

uint32_t kernel_id_of(int fd) {
  bpf_map_info info = {};
  __u32 len = sizeof info;
  return bpf_obj_get_info_by_fd(fd, &info, &len) == 0 ? info.id : 0;
}

// Maps made in both worlds, by name: kernel fd, ringb map and id.
class Both {
 public:
  ~Both() {
    for (auto& [name, m] : maps_)
      if (m.fd >= 0) close(m.fd);
  }

  // Makes `def` in both (an outer map with the template named `tmpl`);
  // the two return codes, which must agree.
  long make(const std::string& name, MapDef def, const std::string& tmpl = "") {
    int inner_fd = -1;
    if (!tmpl.empty()) {
      inner_fd = maps_.at(tmpl).fd;
      def.inner_map = std::make_shared<MapDef>(maps_.at(tmpl).ringb->def());
    }
    return make_with(name, def, inner_fd);
  }
  long make_with(const std::string& name, const MapDef& def, int inner_fd) {
    const int fd = kernel_create(def, inner_fd);
    auto r = Map::create(def, options());
    const long krc = fd < 0 ? fd : 0, rrc = r.ok() ? 0 : -r.error().code;
    EXPECT_EQ(rrc, krc) << "creating " << name << (r.ok() ? "" : ": " + r.error().message);
    if (fd >= 0 && r.ok()) {
      Entry e;
      e.fd = fd;
      e.ringb = std::shared_ptr<Map>(std::move(r.value()));
      e.id = next_id_++;
      e.kernel_id = kernel_id_of(fd);
      maps_[name] = e;
      by_id_[e.id] = e.ringb;
    } else if (fd >= 0) {
      close(fd);
    }
    return krc;
  }

  // host_update of `outer`'s key with map `inner` ("" = no such map).
  void update(const std::string& outer, uint32_t key, const std::string& inner, uint64_t flags, long expected) {
    const Entry& o = maps_.at(outer);
    const uint32_t fd = inner.empty() ? kNoMap : static_cast<uint32_t>(maps_.at(inner).fd);
    const uint32_t id = inner.empty() ? kNoMap : maps_.at(inner).id;
    const long krc = bpf_map_update_elem(o.fd, &key, &fd, flags) ? -errno : 0;
    const long rrc = o.ringb->host_update(&key, 4, &id, 4, flags);
    EXPECT_EQ(krc, expected) << outer << "[" << key << "] = " << inner << " flags " << flags << " (kernel)";
    EXPECT_EQ(rrc, krc) << outer << "[" << key << "] = " << inner << " flags " << flags;
  }
  // host_lookup: both find nothing, or both the map named `inner`.
  void lookup(const std::string& outer, uint32_t key, const std::string& inner, long expected) {
    const Entry& o = maps_.at(outer);
    uint32_t kid = 0, rid = 0;
    const long krc = bpf_map_lookup_elem(o.fd, &key, &kid) ? -errno : 0;
    const long rrc = o.ringb->host_lookup(&key, 4, &rid, 4);
    EXPECT_EQ(krc, expected) << outer << "[" << key << "] (kernel)";
    EXPECT_EQ(rrc, krc) << outer << "[" << key << "]";
    if (krc == 0 && rrc == 0) {
      EXPECT_EQ(kid, maps_.at(inner).kernel_id) << outer << "[" << key << "] (kernel)";
      EXPECT_EQ(rid, maps_.at(inner).id) << outer << "[" << key << "]";
    }
  }
  void remove(const std::string& outer, uint32_t key, long expected) {
    const Entry& o = maps_.at(outer);
    const long krc = bpf_map_delete_elem(o.fd, &key) ? -errno : 0;
    const long rrc = o.ringb->host_delete(&key, 4);
    EXPECT_EQ(krc, expected) << "delete " << outer << "[" << key << "] (kernel)";
    EXPECT_EQ(rrc, krc) << "delete " << outer << "[" << key << "]";
  }
  // Any other command, as (kernel rc, ringb rc).
  template <typename K, typename R>
  void same(const std::string& outer, const char* what, K kernel, R ringb) {
    const Entry& o = maps_.at(outer);
    const long krc = kernel(o.fd) ? -errno : 0;
    const long rrc = ringb(*o.ringb);
    EXPECT_EQ(rrc, krc) << what << " on " << outer;
  }

  Options options() {
    Options o;
    o.map_resolver = [this](uint32_t id) -> Expected<MapRef> {
      auto it = by_id_.find(id);
      if (it == by_id_.end()) return Error{EBADF, "no map " + std::to_string(id)};
      return MapRef{it->second.get(), id, it->second};
    };
    return o;
  }

 private:
  struct Entry {
    int fd = -1;
    std::shared_ptr<Map> ringb;
    uint32_t id = 0, kernel_id = 0;
  };
  std::map<std::string, Entry> maps_;
  std::map<uint32_t, std::shared_ptr<Map>> by_id_;
  uint32_t next_id_ = 1;
};

MapDef outer_of(uint32_t type, uint32_t key, uint32_t value, uint32_t max, uint32_t flags = 0) {
  MapDef d = def_of(static_cast<MapType>(type), key, value, max, flags);
  d.name = "outer";
  return d;
}

TEST(MapInMapKernel, CreationChecks) {
  REQUIRE_KERNEL();
  Both b;
  ASSERT_EQ(b.make("arr", def_of(MapType::Array, 4, 4, 8)), 0);
  struct Case {
    uint32_t type, key, value, max, flags;
    long expected;
  };
  const Case cases[] = {
      {AOM, 4, 4, 4, 0, 0},
      {HOM, 4, 4, 4, 0, 0},
      {HOM, 8, 4, 4, 0, 0},
      {AOM, 8, 4, 4, 0, -EINVAL},
      {AOM, 4, 8, 4, 0, -EINVAL},
      {HOM, 4, 8, 4, 0, -EINVAL},
      {AOM, 4, 0, 4, 0, -EINVAL},
      {AOM, 4, 4, 0, 0, -EINVAL},
      {HOM, 4, 4, 0, 0, -EINVAL},
      {AOM, 4, 4, 4, kFInnerMap, -EINVAL},
      {HOM, 4, 4, 4, kFInnerMap, -EINVAL},
      {AOM, 4, 4, 4, kFNoPrealloc, -EINVAL},
      {HOM, 4, 4, 4, kFNoPrealloc, 0},
      {AOM, 4, 4, 4, kFRdonlyProg, -EINVAL},
      {AOM, 4, 4, 4, kFWronlyProg, -EINVAL},
      {HOM, 4, 4, 4, kFRdonlyProg, 0},
      {AOM, 4, 4, 4, kFRdonly, 0},
      {AOM, 4, 4, 4, kFWronly, 0},
      {AOM, 4, 4, 4, kFMmapable, -EINVAL},
      {AOM, 4, 4, 4, kFNumaNode, 0},
      {AOM, 4, 4, 4, kFPreserveElems, -EINVAL},
      {HOM, 4, 4, 4, kFZeroSeed, 0},
      {HOM, 4, 4, 4, kFNoCommonLru, -EINVAL},
  };
  int n = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(n);
    EXPECT_EQ(b.make("o" + std::to_string(n++), outer_of(c.type, c.key, c.value, c.max, c.flags), "arr"), c.expected);
  }
}

TEST(MapInMapKernel, Templates) {
  REQUIRE_KERNEL();
  Both b;
  ASSERT_EQ(b.make("arr", def_of(MapType::Array, 4, 4, 8)), 0);
  ASSERT_EQ(b.make("hash", def_of(MapType::Hash, 4, 8, 16)), 0);
  ASSERT_EQ(b.make("pca", def_of(MapType::PercpuArray, 4, 4, 4)), 0);
  ASSERT_EQ(b.make("pch", def_of(MapType::PercpuHash, 4, 4, 4)), 0);
  ASSERT_EQ(b.make("queue", def_of(MapType::Queue, 0, 4, 4)), 0);
  ASSERT_EQ(b.make("stack", def_of(MapType::Stack, 0, 4, 4)), 0);
  ASSERT_EQ(b.make("progs", def_of(MapType::ProgArray, 4, 4, 4)), 0);
  for (const char* t : {"arr", "hash", "pca", "pch", "queue", "stack"}) {
    SCOPED_TRACE(t);
    EXPECT_EQ(b.make(std::string("aom_") + t, outer_of(AOM, 4, 4, 4), t), 0);
  }
  EXPECT_EQ(b.make("aom_progs", outer_of(AOM, 4, 4, 4), "progs"), -kENOTSUPP);
  ASSERT_EQ(b.make("aom", outer_of(AOM, 4, 4, 4), "arr"), 0);
  ASSERT_EQ(b.make("hom", outer_of(HOM, 4, 4, 4), "arr"), 0);
  EXPECT_EQ(b.make("aom_aom", outer_of(AOM, 4, 4, 4), "aom"), -EINVAL);  // one level only
  EXPECT_EQ(b.make("aom_hom", outer_of(AOM, 4, 4, 4), "hom"), -EINVAL);
  // A template that is no map: a bad fd, and a file that is no BPF map
  // (ringb: no template at all).
  MapDef plain = outer_of(AOM, 4, 4, 4);
  const int devnull = open("/dev/null", O_RDONLY);
  ASSERT_GE(devnull, 0);
  EXPECT_EQ(b.make_with("aom_devnull", plain, devnull), -EINVAL);
  close(devnull);
  // The outer definition is checked before the template.
  EXPECT_EQ(b.make("aom_bad_and_no_template", outer_of(AOM, 4, 4, 0), "progs"), -EINVAL);
}

TEST(MapInMapKernel, ArrayOfMaps) {
  REQUIRE_KERNEL();
  Both b;
  ASSERT_EQ(b.make("tmpl", def_of(MapType::Array, 4, 4, 8)), 0);
  ASSERT_EQ(b.make("a", def_of(MapType::Array, 4, 4, 8)), 0);
  ASSERT_EQ(b.make("a_max9", def_of(MapType::Array, 4, 4, 9)), 0);
  ASSERT_EQ(b.make("a_value8", def_of(MapType::Array, 4, 8, 8)), 0);
  ASSERT_EQ(b.make("a_rdonly", def_of(MapType::Array, 4, 4, 8, kFRdonly)), 0);
  ASSERT_EQ(b.make("a_wronly", def_of(MapType::Array, 4, 4, 8, kFWronly)), 0);
  ASSERT_EQ(b.make("a_rdonly_prog", def_of(MapType::Array, 4, 4, 8, kFRdonlyProg)), 0);
  ASSERT_EQ(b.make("a_numa", def_of(MapType::Array, 4, 4, 8, kFNumaNode)), 0);
  ASSERT_EQ(b.make("h", def_of(MapType::Hash, 4, 4, 8)), 0);
  ASSERT_EQ(b.make("aom", outer_of(AOM, 4, 4, 4), "tmpl"), 0);
  ASSERT_EQ(b.make("other_outer", outer_of(AOM, 4, 4, 4), "tmpl"), 0);

  b.update("aom", 0, "a", kAny, 0);
  b.lookup("aom", 0, "a", 0);
  b.update("aom", 0, "a", kNoExist, -EINVAL);
  b.update("aom", 0, "a", kExist, -EINVAL);
  b.update("aom", 0, "a", kFLock, -EINVAL);
  b.update("aom", 4, "a", kAny, -E2BIG);
  b.lookup("aom", 1, "", -ENOENT);
  b.lookup("aom", 4, "", -ENOENT);
  b.update("aom", 1, "a_max9", kAny, -EINVAL);
  b.update("aom", 1, "a_value8", kAny, -EINVAL);
  b.update("aom", 1, "a_rdonly", kAny, 0);  // fd flags are no part of the map
  b.update("aom", 1, "a_wronly", kAny, 0);
  b.update("aom", 1, "a_rdonly_prog", kAny, -EINVAL);
  b.update("aom", 1, "a_numa", kAny, -EINVAL);
  b.update("aom", 1, "h", kAny, -EINVAL);
  b.update("aom", 1, "", kAny, -EBADF);
  b.update("aom", 4, "", kAny, -E2BIG);       // the index before the fd
  b.update("aom", 1, "", kNoExist, -EINVAL);  // the flags before the fd
  b.update("aom", 1, "tmpl", kAny, 0);        // the template is a map like the others
  b.lookup("aom", 1, "tmpl", 0);
  b.update("aom", 2, "other_outer", kAny, -EINVAL);
  b.update("aom", 2, "a", kAny, 0);           // one map in two slots
  b.lookup("aom", 2, "a", 0);
  b.remove("aom", 1, 0);
  b.remove("aom", 1, -ENOENT);
  b.remove("aom", 9, -E2BIG);
  b.lookup("aom", 1, "", -ENOENT);
  b.same(
      "aom", "get_next_key from null",
      [](int fd) {
        uint32_t next;
        return bpf_map_get_next_key(fd, nullptr, &next);
      },
      [](Map& m) {
        uint32_t next;
        return m.host_get_next_key(nullptr, &next, 4);
      });
  b.same(
      "aom", "get_next_key from the last",
      [](int fd) {
        uint32_t k = 3, next;
        return bpf_map_get_next_key(fd, &k, &next);
      },
      [](Map& m) {
        uint32_t k = 3, next;
        return m.host_get_next_key(&k, &next, 4);
      });
  b.same(
      "aom", "lookup_and_delete",
      [](int fd) {
        uint32_t k = 0, v;
        return bpf_map_lookup_and_delete_elem(fd, &k, &v);
      },
      [](Map& m) {
        uint32_t k = 0, v;
        return m.host_lookup_and_delete(&k, 4, &v, 4);
      });
  b.same("aom", "freeze", [](int fd) { return bpf_map_freeze(fd); }, [](Map& m) { return m.host_freeze(); });
  b.update("aom", 0, "a", kAny, -EPERM);
  b.remove("aom", 0, -EPERM);
  b.lookup("aom", 0, "a", 0);
}

TEST(MapInMapKernel, WhatMustMatchTheTemplate) {
  REQUIRE_KERNEL();
  Both b;
  // BPF_F_INNER_MAP: arrays of any size.
  ASSERT_EQ(b.make("flagged_tmpl", def_of(MapType::Array, 4, 4, 8, kFInnerMap)), 0);
  ASSERT_EQ(b.make("flagged_3", def_of(MapType::Array, 4, 4, 3, kFInnerMap)), 0);
  ASSERT_EQ(b.make("plain_8", def_of(MapType::Array, 4, 4, 8)), 0);
  ASSERT_EQ(b.make("aom_flagged", outer_of(AOM, 4, 4, 2), "flagged_tmpl"), 0);
  b.update("aom_flagged", 0, "flagged_3", kAny, 0);
  b.update("aom_flagged", 1, "plain_8", kAny, -EINVAL);
  // Hashes: any size, but the same flags.
  ASSERT_EQ(b.make("hash_tmpl", def_of(MapType::Hash, 4, 8, 16)), 0);
  ASSERT_EQ(b.make("hash_3", def_of(MapType::Hash, 4, 8, 3)), 0);
  ASSERT_EQ(b.make("hash_dyn", def_of(MapType::Hash, 4, 8, 16, kFNoPrealloc)), 0);
  ASSERT_EQ(b.make("hash_seed0", def_of(MapType::Hash, 4, 8, 16, kFZeroSeed)), 0);
  ASSERT_EQ(b.make("aom_hash", outer_of(AOM, 4, 4, 2), "hash_tmpl"), 0);
  b.update("aom_hash", 0, "hash_3", kAny, 0);
  b.update("aom_hash", 1, "hash_dyn", kAny, -EINVAL);
  b.update("aom_hash", 1, "hash_seed0", kAny, -EINVAL);
  // Per-cpu arrays: the same size, as arrays (this kernel, 6.18.44; earlier
  // builds allowed any), and without BPF_F_INNER_MAP to lift it.
  ASSERT_EQ(b.make("pca_tmpl", def_of(MapType::PercpuArray, 4, 4, 4)), 0);
  ASSERT_EQ(b.make("pca_4", def_of(MapType::PercpuArray, 4, 4, 4)), 0);
  ASSERT_EQ(b.make("pca_8", def_of(MapType::PercpuArray, 4, 4, 8)), 0);
  ASSERT_EQ(b.make("pca_v8", def_of(MapType::PercpuArray, 4, 8, 4)), 0);
  ASSERT_EQ(b.make("aom_pca", outer_of(AOM, 4, 4, 2), "pca_tmpl"), 0);
  b.update("aom_pca", 0, "pca_4", kAny, 0);
  b.update("aom_pca", 0, "pca_8", kAny, -EINVAL);
  b.update("aom_pca", 1, "pca_v8", kAny, -EINVAL);
  EXPECT_EQ(b.make("pca_flagged", def_of(MapType::PercpuArray, 4, 4, 4, kFInnerMap)), -EINVAL);  // arrays' flag only
  // Queues: any size, the same value size.
  ASSERT_EQ(b.make("q_tmpl", def_of(MapType::Queue, 0, 4, 4)), 0);
  ASSERT_EQ(b.make("q_8", def_of(MapType::Queue, 0, 4, 8)), 0);
  ASSERT_EQ(b.make("q_v8", def_of(MapType::Queue, 0, 8, 4)), 0);
  ASSERT_EQ(b.make("s_4", def_of(MapType::Stack, 0, 4, 4)), 0);
  ASSERT_EQ(b.make("aom_q", outer_of(AOM, 4, 4, 2), "q_tmpl"), 0);
  b.update("aom_q", 0, "q_8", kAny, 0);
  b.update("aom_q", 1, "q_v8", kAny, -EINVAL);
  b.update("aom_q", 1, "s_4", kAny, -EINVAL);
}

TEST(MapInMapKernel, HashOfMaps) {
  REQUIRE_KERNEL();
  for (uint32_t flags : {0u, kFNoPrealloc}) {
    SCOPED_TRACE(flags);
    Both b;
    ASSERT_EQ(b.make("tmpl", def_of(MapType::Array, 4, 4, 8)), 0);
    ASSERT_EQ(b.make("a", def_of(MapType::Array, 4, 4, 8)), 0);
    ASSERT_EQ(b.make("b", def_of(MapType::Array, 4, 4, 8)), 0);
    ASSERT_EQ(b.make("a_max9", def_of(MapType::Array, 4, 4, 9)), 0);
    ASSERT_EQ(b.make("hom", outer_of(HOM, 4, 4, 2, flags), "tmpl"), 0);
    b.update("hom", 5, "a", kAny, 0);
    b.lookup("hom", 5, "a", 0);
    b.update("hom", 5, "b", kNoExist, -EEXIST);
    b.update("hom", 6, "b", kExist, -ENOENT);
    b.update("hom", 6, "b", kAny, 0);
    b.update("hom", 7, "a", kAny, -E2BIG);
    b.update("hom", 7, "", kAny, -EBADF);        // the fd before the room
    b.update("hom", 7, "a_max9", kAny, -EINVAL);
    b.update("hom", 5, "b", kAny, 0);            // a replace in a full map
    b.lookup("hom", 5, "b", 0);
    b.update("hom", 5, "b", kFLock, -EINVAL);
    b.update("hom", 5, "b", 8, -EINVAL);
    b.update("hom", 5, "", 8, -EBADF);           // the fd before the flags
    b.update("hom", 5, "", kNoExist, -EBADF);
    b.update("hom", 5, "b", kExist, 0);
    b.lookup("hom", 9, "", -ENOENT);
    b.remove("hom", 9, -ENOENT);
    b.remove("hom", 5, 0);
    b.lookup("hom", 5, "", -ENOENT);
    b.update("hom", 5, "a", kNoExist, 0);
    b.same(
        "hom", "lookup_and_delete",
        [](int fd) {
          uint32_t k = 6, v;
          return bpf_map_lookup_and_delete_elem(fd, &k, &v);
        },
        [](Map& m) {
          uint32_t k = 6, v;
          return m.host_lookup_and_delete(&k, 4, &v, 4);
        });
  }
}

}  // namespace
}  // namespace ringb::maps::test
