// commands.h — the subcommands of the ringb command line.
#pragma once

namespace ringb::cli {

// ringb demo: the allocator under threads and a signal storm.
int run_demo(int argc, char** argv);

}  // namespace ringb::cli
