// show_maps.h — `ringb run --show-maps` and `--dot FILE`: what a loaded
// object's maps hold after the run, objects included — each list in order,
// each rbtree in order (and, in the picture, its shape), each kptr, with
// refcounts — as text, and as a Graphviz graph (SVG next to it when `dot`
// is installed).
#pragma once

#include <cstdio>
#include <string>

#include "ringb/error.h"
#include "ringb/runtime.h"

namespace ringb::cli {

// Prints every map of `lo` that holds special fields (and, briefly, the
// others) to `out`.
void show_maps(const LoadedObject& lo, FILE* out);

// Writes the same as a Graphviz digraph to `path`; when `dot` is on PATH,
// also renders `path` with .svg appended. Returns the files written.
Expected<std::string> write_dot(const LoadedObject& lo, const std::string& path);

}  // namespace ringb::cli
