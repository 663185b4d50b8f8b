// bench_verify.h — the verification-time section of `ringb bench`.
#pragma once

#include <string>
#include <vector>

namespace ringb::cli {

// Times ringb's verifier on every program of the objects in bench_dir and
// corpus_dir (the repository's own) and `extra`, against the kernel's
// "verification time" when `kernel`; prints rows and per-object totals.
bool bench_verify(const std::string& bench_dir, const std::string& corpus_dir, const std::vector<std::string>& extra,
                  bool kernel);

}  // namespace ringb::cli
