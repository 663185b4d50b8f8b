// low_memory.h — buffers below 4 GiB, for packets and the contexts that point
// at them: __sk_buff.data and xdp_md.data are 32-bit fields that programs
// widen to pointers, so the memory they point into must have 32-bit addresses
// (x86-64 MAP_32BIT; the kernel rewrites these loads instead).
#pragma once

#include <cstddef>
#include <cstdint>

namespace ringb::api {

class LowBuffer {
 public:
  explicit LowBuffer(size_t size);
  ~LowBuffer();
  LowBuffer(const LowBuffer&) = delete;
  LowBuffer& operator=(const LowBuffer&) = delete;

  bool ok() const { return base_ != nullptr; }
  uint8_t* data() const { return base_; }
  size_t size() const { return size_; }

 private:
  uint8_t* base_ = nullptr;
  size_t size_ = 0;
};

}  // namespace ringb::api
