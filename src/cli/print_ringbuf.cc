// print_ringbuf.cc — see print_ringbuf.h.
#include "print_ringbuf.h"

namespace ringb::cli {
namespace {

struct Printer {
  FILE* out;
  const char* map;
  int n = 0;
};

int print_record(void* ctx, void* data, size_t size) {
  auto* p = static_cast<Printer*>(ctx);
  std::fprintf(p->out, "ringbuf %s: record %d, %zu bytes:", p->map, p->n++, size);
  const auto* b = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < size; ++i) std::fprintf(p->out, " %02x", b[i]);
  std::fputc('\n', p->out);
  return 0;
}

}  // namespace

int print_ringbufs(const LoadedObject& lo, FILE* out) {
  int total = 0;
  for (const MapDef& def : lo.object().maps) {
    maps::Map* m = lo.map(def.name);
    if (!maps::is_ringbuf(m)) continue;
    Printer p{out, def.name.c_str()};
    maps::RingBufferConsumer c;
    if (Status s = c.add(m, print_record, &p); !s) return -s.error().code;
    const int n = c.consume();
    if (n < 0) return n;
    std::fprintf(out, "ringbuf %s: %d record%s\n", def.name.c_str(), n, n == 1 ? "" : "s");
    total += n;
  }
  return total;
}

}  // namespace ringb::cli
