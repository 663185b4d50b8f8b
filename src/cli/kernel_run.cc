// kernel_run.cc — see kernel_run.h.
#include "kernel_run.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>

namespace ringb::cli {
namespace {

int quiet(enum libbpf_print_level, const char*, va_list) { return 0; }

}  // namespace

Expected<KernelRun> kernel_test_run(const std::string& path, const std::string& prog,
                                    const std::vector<uint8_t>& data_in, uint32_t repeat) {
  libbpf_set_print(quiet);
  bpf_object* obj = bpf_object__open_file(path.c_str(), nullptr);
  if (!obj) return Error{errno ? errno : EINVAL, "kernel: cannot open " + path};
  const int err = bpf_object__load(obj);
  if (err) {
    bpf_object__close(obj);
    const int e = -err;
    return Error{e, std::string("kernel: load failed: ") + std::strerror(e)};
  }
  bpf_program* p = bpf_object__find_program_by_name(obj, prog.c_str());
  if (!p) {
    bpf_object__close(obj);
    return Error{ENOENT, "kernel: no program " + prog};
  }
  std::vector<uint8_t> out(data_in.size() + 256);
  bpf_test_run_opts opts;
  std::memset(&opts, 0, sizeof opts);
  opts.sz = sizeof opts;
  opts.data_in = data_in.data();
  opts.data_out = out.data();
  opts.data_size_in = static_cast<__u32>(data_in.size());
  opts.data_size_out = static_cast<__u32>(out.size());
  opts.repeat = static_cast<int>(repeat);
  const int rc = bpf_prog_test_run_opts(bpf_program__fd(p), &opts);
  const int e = errno;
  bpf_object__close(obj);
  if (rc) return Error{e, std::string("kernel: test run failed: ") + std::strerror(e)};
  return KernelRun{opts.retval, opts.duration};
}

}  // namespace ringb::cli
