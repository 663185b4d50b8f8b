// ringb — the command line. Each subcommand lives in its own file.
#include <cstdio>
#include <cstring>
#include <string>

#include "commands.h"

namespace {

void usage(FILE* out) {
  std::fprintf(out,
               "usage: ringb <command> [options]\n"
               "\n"
               "commands:\n"
               "  demo [--threads N] [--seconds S]\n"
               "      the BPF memory allocator at work: threads allocating and freeing\n"
               "      across cpus while a SIGPROF/SIGALRM storm interrupts them; prints\n"
               "      the allocator's statistics\n"
               "  dump OBJ [--prog NAME] [--no-code] [--btf]\n"
               "      what the loader makes of a BPF object: programs, maps, kfuncs, and\n"
               "      each program's linked code with its source lines\n"
               "  run OBJ [--prog NAME] [--data-in FILE] [--ctx-in FILE] [--data-out FILE]\n"
               "          [--ctx-out FILE] [--repeat N]\n"
               "          [--threads N] [--json] [--stats] [--kconfig FILE] [--show-maps] [--dot FILE]\n"
               "          [--ringbuf] [--kernel-btf FILE] [--cgroup-id N]\n"
               "      run a program as BPF_PROG_TEST_RUN does: its return value and time\n"
               "      per run (data_in defaults to 64 zero bytes, as in the kernel's tests);\n"
               "      --kconfig: CONFIG_X=value lines for __kconfig externs; --show-maps:\n"
               "      what the maps hold afterwards, objects, lists, trees and kptrs included;\n"
               "      --dot: the same as a Graphviz graph (and FILE.svg when dot is installed);\n"
               "      --ringbuf: every record left in the object's ringbuf maps, one line each;\n"
               "      --data-out, --ctx-out: the packet and context afterwards, into FILE;\n"
               "      --kernel-btf: the kernel BTF that types tp_btf/fentry/lsm arguments\n"
               "      (raw BTF or an object's .BTF; default /sys/kernel/btf/vmlinux; none: without);\n"
               "      --cgroup-id: cgroup storage attached at (N, the program's attach type),\n"
               "      not the run's own fresh storage (ringb/cgroup_storage.h)\n"
               "  verify OBJ [--prog NAME] [--json] [--log-level N] [--kernel-btf FILE]\n"
               "      ringb's verifier on each program: verdict, the kernel's message,\n"
               "      statistics; --log-level 1/2: the verifier log in the kernel's format\n"
               "  test [--data-in FILE] [--kernel-btf FILE] OBJ...\n"
               "      run every program annotated with __retval and compare\n"
               "  compare [--data-in FILE] [--run-all] [--verbose] [--kernel-btf FILE] OBJ...\n"
               "      every program judged by the live kernel and by ringb, each loaded\n"
               "      alone; annotated ones run in both; differences and a summary\n"
               "  bench [--objects DIR] [--corpus DIR] [--repeat N] [--verify-only] [--verify-object OBJ]...\n"
               "      interpreter and hash-map costs, ringb against the live kernel\n"
               "  help    this text\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const std::string cmd = argv[1];
  if (cmd == "demo") return ringb::cli::run_demo(argc - 2, argv + 2);
  if (cmd == "dump") return ringb::cli::run_dump(argc - 2, argv + 2);
  if (cmd == "run") return ringb::cli::run_run(argc - 2, argv + 2);
  if (cmd == "test") return ringb::cli::run_test(argc - 2, argv + 2);
  if (cmd == "compare") return ringb::cli::run_compare(argc - 2, argv + 2);
  if (cmd == "bench") return ringb::cli::run_bench(argc - 2, argv + 2);
  if (cmd == "verify") return ringb::cli::run_verify(argc - 2, argv + 2);
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    usage(stdout);
    return 0;
  }
  std::fprintf(stderr, "ringb: unknown command '%s'\n\n", cmd.c_str());
  usage(stderr);
  return 2;
}
