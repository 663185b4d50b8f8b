// ringbuf_api.cc — LoadedObject::ring_buffer and ::user_ring_buffer: the
// host's consumer and producer (ringb/ringbuf.h) on a loaded object's rings.
#include "ringb/runtime.h"

namespace ringb {
namespace {
Error no_map(const std::string& name) {
  return Error{EINVAL, "the object has no map '" + name + "' (or it was not loaded)"};
}
}  // namespace

Expected<std::unique_ptr<maps::RingBufferConsumer>> LoadedObject::ring_buffer(
    const std::string& name, maps::RingBufferConsumer::Callback cb, void* ctx) const {
  maps::Map* m = map(name);
  if (!m) return no_map(name);
  auto c = std::make_unique<maps::RingBufferConsumer>();
  if (Status s = c->add(m, cb, ctx); !s) return s.error();
  return c;
}

Expected<std::unique_ptr<maps::UserRingBufferProducer>> LoadedObject::user_ring_buffer(
    const std::string& name) const {
  maps::Map* m = map(name);
  if (!m) return no_map(name);
  return maps::UserRingBufferProducer::create(m);
}

}  // namespace ringb
