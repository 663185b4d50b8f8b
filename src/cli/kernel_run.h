// kernel_run.h — the live kernel as the reference: load an object with
// libbpf and BPF_PROG_TEST_RUN one of its programs. Used by `ringb bench`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ringb/error.h"

namespace ringb::cli {

struct KernelRun {
  uint32_t retval = 0;
  uint64_t duration_ns = 0;  // the kernel's mean per run
};

// Loads `path` into the kernel (only loads and test-runs; nothing is
// attached), runs `prog` `repeat` times with `data_in`, unloads. EPERM when
// bpf() is not permitted here.
Expected<KernelRun> kernel_test_run(const std::string& path, const std::string& prog,
                                    const std::vector<uint8_t>& data_in, uint32_t repeat);

}  // namespace ringb::cli
