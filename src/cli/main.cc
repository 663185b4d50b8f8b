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
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    usage(stdout);
    return 0;
  }
  std::fprintf(stderr, "ringb: unknown command '%s'\n\n", cmd.c_str());
  usage(stderr);
  return 2;
}
