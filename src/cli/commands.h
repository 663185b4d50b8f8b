// commands.h — the subcommands of the ringb command line.
#pragma once

namespace ringb::cli {

// ringb demo: a scheduler-like program on the object model, under threads
// and a signal storm, against the kernel and native C++.
int run_demo(int argc, char** argv);
// ringb demo alloc: the allocator under threads and a signal storm.
int run_alloc_demo(int argc, char** argv);

// ringb dump: programs, maps, kfuncs, code with source lines, BTF.
int run_dump(int argc, char** argv);

// ringb run: one program, BPF_PROG_TEST_RUN style.
int run_run(int argc, char** argv);

// ringb test: every annotated program, checked against its annotation.
int run_test(int argc, char** argv);

// ringb compare: every program judged by the live kernel and by ringb.
int run_compare(int argc, char** argv);

// ringb verify: programs through ringb's verifier.
int run_verify(int argc, char** argv);

// ringb bench: the same objects in ringb and in the live kernel, as ratios.
int run_bench(int argc, char** argv);

}  // namespace ringb::cli
