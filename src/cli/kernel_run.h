// kernel_run.h — the live kernel as the reference: load an object with
// libbpf and BPF_PROG_TEST_RUN its programs. Used by `ringb bench` and
// `ringb demo`. Only loads and test-runs; nothing is ever attached.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ringb/error.h"

struct bpf_object;

namespace ringb::cli {

struct KernelRun {
  uint32_t retval = 0;
  uint64_t duration_ns = 0;  // mean per run: the kernel's own figure, or (syscall
                             // programs, which it does not time) ours around the call
};

// An object loaded into the kernel, unloaded when this goes.
class KernelObject {
 public:
  // EPERM when bpf() is not permitted here; the kernel's verdict otherwise.
  static Expected<std::unique_ptr<KernelObject>> load(const std::string& path);
  ~KernelObject();

  // `repeat` runs of `prog`. The kernel repeats a program itself except a
  // SEC("syscall") one, which takes a context (ctx_in) and runs once per
  // call: those are timed here, syscall included.
  Expected<KernelRun> run(const std::string& prog, const std::vector<uint8_t>& data_in,
                          const std::vector<uint8_t>& ctx_in, uint32_t repeat) const;

 private:
  explicit KernelObject(bpf_object* obj) : obj_(obj) {}
  bpf_object* obj_;
};

// Loads `path`, runs `prog` `repeat` times with `data_in`, unloads.
Expected<KernelRun> kernel_test_run(const std::string& path, const std::string& prog,
                                    const std::vector<uint8_t>& data_in, uint32_t repeat);

}  // namespace ringb::cli
