// low_memory.cc — see low_memory.h.
#include "low_memory.h"

#include <sys/mman.h>
#include <unistd.h>

namespace ringb::api {

LowBuffer::LowBuffer(size_t size) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size_ = (size + page - 1) / page * page;
  void* p = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
                 -1, 0);
  if (p != MAP_FAILED && reinterpret_cast<uintptr_t>(p) + size_ <= (uintptr_t{1} << 32))
    base_ = static_cast<uint8_t*>(p);
  else if (p != MAP_FAILED)
    munmap(p, size_);
}

LowBuffer::~LowBuffer() {
  if (base_) munmap(base_, size_);
}

}  // namespace ringb::api
