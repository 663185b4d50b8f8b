// area.cc — see area.h.
#include "area.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <utility>

namespace ringb::maps::detail {
namespace {

// Above this, an anonymous mapping (the kernel switches to vmalloc above
// order-3 pages; ringb keeps more in malloc for ASan's sake).
constexpr uint64_t kMmapThreshold = uint64_t{1} << 20;
// No map area is larger than this; anything beyond is an overflowed product.
constexpr uint64_t kMaxArea = uint64_t{1} << 46;

// The machine's memory. vmalloc refuses an area larger than all of RAM at
// once (ENOMEM), which is where the kernel fails a huge map; ringb does the
// same rather than lean on the OS's overcommit rules for a lazy mapping.
uint64_t machine_memory() {
  static const uint64_t bytes = [] {
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? uint64_t(pages) * uint64_t(page) : kMaxArea;
  }();
  return bytes;
}

Error enomem(uint64_t bytes, const char* what, const char* why) {
  return Error{ENOMEM, std::string("cannot allocate ") + std::to_string(bytes) + " bytes for the " +
                           what + ": " + why};
}

}  // namespace

Expected<Area> Area::alloc(uint64_t bytes, mem::MemCgroup* cgroup, const char* what) {
  if (bytes > kMaxArea || bytes > machine_memory())
    return enomem(bytes, what, "more than this machine's memory");
  if (bytes == 0) bytes = 8;
  if (cgroup && !cgroup->try_charge(bytes)) return enomem(bytes, what, "memory limit reached");
  Area a;
  a.size_ = bytes;
  a.cgroup_ = cgroup;
  if (bytes <= kMmapThreshold) {
    a.data_ = static_cast<char*>(std::calloc(1, bytes));
  } else {
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    a.data_ = p == MAP_FAILED ? nullptr : static_cast<char*>(p);
    a.mapped_ = true;
  }
  if (!a.data_) return enomem(bytes, what, "out of memory");  // a's destructor uncharges
  return a;
}

void Area::release() {
  if (data_) {
    if (mapped_)
      munmap(data_, size_);
    else
      std::free(data_);
  }
  if (cgroup_) cgroup_->uncharge(size_);
  data_ = nullptr;
  size_ = 0;
  cgroup_ = nullptr;
}

Area::~Area() { release(); }

Area::Area(Area&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      mapped_(other.mapped_),
      cgroup_(std::exchange(other.cgroup_, nullptr)) {}

Area& Area::operator=(Area&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapped_ = other.mapped_;
    cgroup_ = std::exchange(other.cgroup_, nullptr);
  }
  return *this;
}

}  // namespace ringb::maps::detail
