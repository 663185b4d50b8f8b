// kernel_run.cc — see kernel_run.h.
#include "kernel_run.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace ringb::cli {
namespace {

int quiet(enum libbpf_print_level, const char*, va_list) { return 0; }

}  // namespace

Expected<std::unique_ptr<KernelObject>> KernelObject::load(const std::string& path) {
  libbpf_set_print(quiet);
  bpf_object* obj = bpf_object__open_file(path.c_str(), nullptr);
  if (!obj) return Error{errno ? errno : EINVAL, "kernel: cannot open " + path};
  const int err = bpf_object__load(obj);
  if (err) {
    bpf_object__close(obj);
    const int e = -err;
    return Error{e, std::string("kernel: load failed: ") + std::strerror(e)};
  }
  return std::unique_ptr<KernelObject>(new KernelObject(obj));
}

KernelObject::~KernelObject() { bpf_object__close(obj_); }

Expected<KernelRun> KernelObject::run(const std::string& prog, const std::vector<uint8_t>& data_in,
                                      const std::vector<uint8_t>& ctx_in, uint32_t repeat) const {
  bpf_program* p = bpf_object__find_program_by_name(obj_, prog.c_str());
  if (!p) return Error{ENOENT, "kernel: no program " + prog};
  const bool syscall = bpf_program__type(p) == BPF_PROG_TYPE_SYSCALL;
  std::vector<uint8_t> out(data_in.size() + 256);
  std::vector<uint8_t> ctx = ctx_in;
  bpf_test_run_opts opts;
  std::memset(&opts, 0, sizeof opts);
  opts.sz = sizeof opts;
  if (!ctx.empty()) {
    opts.ctx_in = ctx.data();
    opts.ctx_size_in = static_cast<__u32>(ctx.size());
  }
  if (!syscall) {
    opts.data_in = data_in.data();
    opts.data_out = out.data();
    opts.data_size_in = static_cast<__u32>(data_in.size());
    opts.data_size_out = static_cast<__u32>(out.size());
    opts.repeat = static_cast<int>(repeat);
  }
  const uint32_t calls = syscall ? (repeat ? repeat : 1) : 1;
  const auto t0 = std::chrono::steady_clock::now();
  for (uint32_t i = 0; i < calls; ++i)
    if (bpf_prog_test_run_opts(bpf_program__fd(p), &opts)) {
      const int e = errno;
      return Error{e, std::string("kernel: test run failed: ") + std::strerror(e)};
    }
  const auto t1 = std::chrono::steady_clock::now();
  KernelRun r{opts.retval, opts.duration};
  if (syscall) r.duration_ns = static_cast<uint64_t>(std::chrono::duration<double, std::nano>(t1 - t0).count() / calls);
  return r;
}

Expected<KernelRun> kernel_test_run(const std::string& path, const std::string& prog,
                                    const std::vector<uint8_t>& data_in, uint32_t repeat) {
  auto obj = KernelObject::load(path);
  if (!obj) return obj.error();
  return (*obj)->run(prog, data_in, {}, repeat);
}

}  // namespace ringb::cli
