// commands.h — the subcommands of the ringb command line.
#pragma once

namespace ringb::cli {

// ringb demo: the allocator under threads and a signal storm.
int run_demo(int argc, char** argv);

// ringb dump: programs, maps, kfuncs, code with source lines, BTF.
int run_dump(int argc, char** argv);

}  // namespace ringb::cli
