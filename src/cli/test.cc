// test.cc — `ringb test [--data-in FILE] OBJ…`: runs every program that
// carries a test annotation (comment:test_retval=N, the kernel selftests'
// __retval) and compares; a closing "N passed, N failed, N skipped" line.
// As in the kernel's test loader, each program runs in a freshly loaded
// object (its own maps and globals), with 64 zero bytes as data_in unless
// --data-in says otherwise.
#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"
#include "load.h"

namespace ringb::cli {

int run_test(int argc, char** argv) {
  std::vector<uint8_t> data_in = default_packet();
  std::vector<std::string> paths;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--data-in" && i + 1 < argc) {
      auto d = read_file(argv[++i]);
      if (!d) return std::fprintf(stderr, "ringb test: %s\n", d.error().message.c_str()), 2;
      data_in = std::move(d.value());
    } else {
      paths.push_back(a);
    }
  }
  if (paths.empty()) {
    std::fprintf(stderr, "usage: ringb test [--data-in FILE] OBJ...\n");
    return 2;
  }
  int passed = 0, failed = 0, skipped = 0;
  Runtime rt;
  for (const std::string& path : paths) {
    auto obj = rt.load(path);
    if (!obj) {
      std::printf("FAIL %s: %s\n", path.c_str(), obj.error().message.c_str());
      ++failed;
      continue;
    }
    const Object& o = (*obj)->object();
    for (const Program& p : o.programs) {
      const TestAnnotations t = annotations_of(o, p);
      if (t.expect_failure) {
        std::printf("SKIP %s/%s: expects a verifier rejection (the verifier is not built yet)\n",
                    o.name.c_str(), p.name.c_str());
        ++skipped;
        continue;
      }
      if (!t.has_retval) continue;
      auto fresh = rt.load(path);  // each program alone, as the kernel's test loader does
      if (!fresh) {
        std::printf("FAIL %s/%s: %s\n", o.name.c_str(), p.name.c_str(), fresh.error().message.c_str());
        ++failed;
        continue;
      }
      TestRunOptions opts;
      opts.data_in = data_in;
      auto r = (*fresh)->test_run(p.name, opts);
      if (!r) {
        std::printf("FAIL %s/%s: %s\n", o.name.c_str(), p.name.c_str(), r.error().message.c_str());
        ++failed;
      } else if (static_cast<int64_t>(static_cast<int32_t>(r->retval)) != t.retval &&
                 static_cast<int64_t>(r->retval) != t.retval) {
        std::printf("FAIL %s/%s: retval %u, expected %lld\n", o.name.c_str(), p.name.c_str(),
                    r->retval, static_cast<long long>(t.retval));
        ++failed;
      } else {
        std::printf("ok   %s/%s: retval %lld\n", o.name.c_str(), p.name.c_str(),
                    static_cast<long long>(t.retval));
        ++passed;
      }
    }
  }
  std::printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
  return failed ? 1 : 0;
}

}  // namespace ringb::cli
