// kernel_verdict.h — what the live kernel says of one program: load it
// alone (with the object's __auxiliary programs), as the kernel selftests'
// test_loader does, keep the verifier's log, and test-run it once if asked.
// Only loads and test-runs; nothing is attached, and objects with struct_ops
// are never loaded (registering one could change the machine).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ringb::cli {

struct KernelVerdict {
  enum class Kind {
    Accepted,  // the verifier accepted it
    Rejected,  // the verifier refused it (log holds why)
    NotHere,   // no verdict on this machine: why says (EPERM, no attach target, libbpf 1.1 …)
  };
  Kind kind = Kind::NotHere;
  int err = 0;       // errno of a failed load
  std::string log;   // the verifier's log of a rejected program
  std::string why;   // NotHere: the reason
  bool ran = false;  // test-run asked and done
  uint32_t retval = 0;
  std::string run_error;  // test-run asked and failed
};

// `run`: test-run an accepted program with `data_in` (none for SEC("syscall")).
KernelVerdict kernel_verdict(const std::string& path, const std::string& prog,
                             const std::vector<std::string>& aux, bool run,
                             const std::vector<uint8_t>& data_in);

}  // namespace ringb::cli
