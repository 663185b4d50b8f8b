// ringbuf_map.cc — BPF_MAP_TYPE_RINGBUF (27) and BPF_MAP_TYPE_USER_RINGBUF (31)
// (the kernel's kernel/bpf/ringbuf.c): creation, the double-mapped ring, and
// the program side — reserve/commit/query for the kernel-producer ring, drain
// for the user-producer one. Layout: ringbuf_layout.h.
//
// Reserve takes the ring's spinlock as Linux 6.18 takes its rqspinlock: a
// signal handler that interrupted a reserve on its own cpu slot finds its own
// tag in the lock (the AA case) and gets NULL instead of deadlocking. Nothing
// on these paths allocates; the ring is mapped at creation.
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>

#include "cpu_scope.h"
#include "flags.h"
#include "map_types.h"
#include "ringb/mem.h"
#include "ringb/ringbuf.h"
#include "ringbuf_layout.h"

namespace ringb::maps {
namespace detail {
namespace {

constexpr uint32_t kUserRingBuf = static_cast<uint32_t>(MapType::UserRingBuf);
// RINGBUF_MAX_DATA_SZ: the header's 24-bit page offset, less the meta pages.
constexpr uint64_t kMaxDataSz = ((uint64_t{1} << 24) - 2 - 1) * kRingPageSize;

uint64_t machine_memory() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? uint64_t(pages) * uint64_t(page) : UINT64_MAX;
}

Error enomem(uint64_t bytes, const char* why) {
  return Error{ENOMEM, "cannot map a " + std::to_string(bytes) + "-byte ring: " + why};
}

class RingBufMap final : public Map {
 public:
  explicit RingBufMap(const MapDef& def) : Map(def) {}
  ~RingBufMap() override {
    if (base_) {
      if (ring_ctl(base_)->event_fd >= 0) close(ring_ctl(base_)->event_fd);
      ring_ctl(base_)->~RingCtl();
      munmap(base_, mapped_);
    }
    if (cgroup_) cgroup_->uncharge(charged_);
  }

  // ringbuf_map_alloc(): only BPF_F_NUMA_NODE; no key or value; a power-of-2
  // multiple of the page size.
  static Status check_def(const MapDef& def) {
    const char* type = def.type == kUserRingBuf ? "user_ringbuf" : "ringbuf";
    if (def.map_flags & ~kFNumaNode) return bad_flags(def.map_flags, kFNumaNode, type);
    const uint32_t n = def.max_entries;
    if (def.key_size || def.value_size || n == 0 || (n & (n - 1)) || n % kRingPageSize)
      return einval(std::string("a ") + type +
                    " map needs key_size and value_size 0 and max_entries a power of 2 and a "
                    "multiple of 4096 (got " +
                    std::to_string(def.key_size) + ", " + std::to_string(def.value_size) + ", " +
                    std::to_string(n) + ")");
    // Widened: clang's -Wtautological-constant-out-of-range-compare refuses
    // a 32-bit n against this 64-bit bound (the fuzz build is clang's).
    if (static_cast<uint64_t>(n) > kMaxDataSz) return e2big("a ring holds at most " + std::to_string(kMaxDataSz) + " bytes");
    return {};
  }

  // bpf_ringbuf_area_alloc(): meta pages and data pages in a memfd, the data
  // pages mapped a second time right after the first.
  Status init(const Options& options) {
    const uint64_t data = def_.max_entries, file = kRingDataOff + data;
    if (file > machine_memory()) return enomem(file, "more than this machine's memory");
    if (options.cgroup && !options.cgroup->try_charge(file)) return enomem(file, "memory limit reached");
    cgroup_ = options.cgroup;
    charged_ = file;
    const int fd = memfd_create("ringb-ringbuf", MFD_CLOEXEC);
    if (fd < 0) return enomem(file, std::strerror(errno));
    Status s = map_twice(fd, data);
    close(fd);  // the mappings keep the pages
    if (!s) return s;
    RingCtl* ctl = new (base_) RingCtl;
    ctl->mask = data - 1;
    ctl->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (ctl->event_fd < 0) return Error{errno, std::string("eventfd: ") + std::strerror(errno)};
    return {};
  }

  char* base() const { return base_; }

  Stats stats() const override {
    Stats s;
    s.elements = producer_pos(base_).load(std::memory_order_acquire) -
                 consumer_pos(base_).load(std::memory_order_acquire);
    s.memory_bytes = charged_;
    s.prealloc = true;
    return s;
  }

 protected:
  // ringbuf_map_lookup_elem() and friends: -ENOTSUPP.
  long do_host_lookup(const void*, void*, int) override { return -kENOTSUPP; }
  long do_host_update(const void*, const void*, uint64_t, int) override { return -kENOTSUPP; }
  long do_host_delete(const void*, int) override { return -kENOTSUPP; }
  long do_host_get_next_key(const void*, void*) override { return -kENOTSUPP; }

 private:
  Status map_twice(int fd, uint64_t data) {
    const uint64_t file = kRingDataOff + data;
    if (ftruncate(fd, static_cast<off_t>(file)) != 0) return enomem(file, std::strerror(errno));
    mapped_ = file + data;
    void* area = mmap(nullptr, mapped_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (area == MAP_FAILED) {
      mapped_ = 0;
      return enomem(file, std::strerror(errno));
    }
    base_ = static_cast<char*>(area);
    if (mmap(base_, file, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED ||
        mmap(base_ + file, data, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
             static_cast<off_t>(kRingDataOff)) == MAP_FAILED) {
      const int err = errno;
      munmap(base_, mapped_);
      base_ = nullptr;
      return enomem(file, std::strerror(err));
    }
    return {};
  }

  char* base_ = nullptr;
  uint64_t mapped_ = 0;
  mem::MemCgroup* cgroup_ = nullptr;
  uint64_t charged_ = 0;
};

}  // namespace

MapResult create_ringbuf_map(const MapDef& def, const Options& options) {
  if (Status s = RingBufMap::check_def(def); !s) return s.error();
  auto map = std::make_unique<RingBufMap>(def);
  if (Status s = map->init(options); !s) return s.error();
  return std::unique_ptr<Map>(std::move(map));
}

char* ring_base(const Map* map) { return static_cast<const RingBufMap*>(map)->base(); }

void ring_wake(char* base) {
  const int saved = errno;
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(ring_ctl(base)->event_fd, &one, sizeof one);
  errno = saved;
}

}  // namespace detail

using namespace detail;

bool is_ringbuf(const Map* map) { return map && map->def().type == static_cast<uint32_t>(MapType::RingBuf); }
bool is_user_ringbuf(const Map* map) { return map && map->def().type == kUserRingBuf; }

// __bpf_ringbuf_reserve(), Linux 6.18.
void* ringbuf_reserve(Map* map, uint64_t size) {
  if (size > kRingMaxRecordSz) return nullptr;
  char* base = ring_base(map);
  RingCtl* ctl = ring_ctl(base);
  const uint64_t len = (size + kRingbufHdrSz + 7) & ~uint64_t{7};
  if (len > ctl->mask + 1) return nullptr;
  const uint64_t cons = consumer_pos(base).load(std::memory_order_acquire);
  CpuScope scope;
  if (scope.cpu() < 0) return nullptr;
  if (ctl->lock.lock(lock_tag(scope.cpu())) != 0) return nullptr;  // AA: a handler on its own reserve
  uint64_t pend = ctl->pending_pos;
  const uint64_t prod = producer_pos(base).load(std::memory_order_relaxed);
  const uint64_t new_prod = prod + len;
  char* data = ring_data(base);
  // Skip the records committed since: the oldest still busy bounds the ring.
  while (pend < prod) {
    const uint32_t l = hdr_len(data + (pend & ctl->mask)).load(std::memory_order_acquire);
    if (l & kRingbufBusyBit) break;
    pend += record_span(l);
  }
  ctl->pending_pos = pend;
  if (new_prod - cons > ctl->mask || new_prod - pend > ctl->mask) {
    ctl->lock.unlock();
    return nullptr;
  }
  auto* hdr = reinterpret_cast<RingHdr*>(data + (prod & ctl->mask));
  hdr->pg_off = static_cast<uint32_t>((reinterpret_cast<char*>(hdr) - base) / kRingPageSize);
  hdr_len(hdr).store(static_cast<uint32_t>(size) | kRingbufBusyBit, std::memory_order_relaxed);
  producer_pos(base).store(new_prod, std::memory_order_release);
  ctl->lock.unlock();
  return reinterpret_cast<char*>(hdr) + kRingbufHdrSz;
}

// bpf_ringbuf_commit().
void ringbuf_commit(void* sample, uint64_t flags, bool discard) {
  auto* hdr = reinterpret_cast<RingHdr*>(static_cast<char*>(sample) - kRingbufHdrSz);
  const uintptr_t at = reinterpret_cast<uintptr_t>(hdr);
  char* base = reinterpret_cast<char*>((at & ~(kRingPageSize - 1)) - uint64_t{hdr->pg_off} * kRingPageSize);
  uint32_t new_len = hdr_len(hdr).load(std::memory_order_relaxed) ^ kRingbufBusyBit;
  if (discard) new_len |= kRingbufDiscardBit;
  hdr_len(hdr).exchange(new_len, std::memory_order_acq_rel);
  const uint64_t rec_pos = reinterpret_cast<char*>(hdr) - ring_data(base);
  const uint64_t cons = consumer_pos(base).load(std::memory_order_acquire) & ring_ctl(base)->mask;
  if (flags & kRbForceWakeup)
    ring_wake(base);
  else if (cons == rec_pos && !(flags & kRbNoWakeup))
    ring_wake(base);
}

uint64_t ringbuf_query(Map* map, uint64_t flags) {
  char* base = ring_base(map);
  switch (flags) {
    case kRbAvailData:
      return producer_pos(base).load(std::memory_order_acquire) - consumer_pos(base).load(std::memory_order_acquire);
    case kRbRingSize: return ring_ctl(base)->mask + 1;
    case kRbConsPos: return consumer_pos(base).load(std::memory_order_acquire);
    case kRbProdPos: return producer_pos(base).load(std::memory_order_acquire);
    default: return 0;
  }
}

RingPositions ringbuf_positions(const Map* map) {
  char* base = ring_base(map);
  return {consumer_pos(base).load(std::memory_order_acquire), producer_pos(base).load(std::memory_order_acquire),
          ring_ctl(base)->mask + 1};
}

const uint8_t* ringbuf_data(const Map* map) { return reinterpret_cast<const uint8_t*>(ring_data(ring_base(map))); }

}  // namespace ringb::maps
