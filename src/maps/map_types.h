// map_types.h — one factory per map type; Map::create (map.cc) dispatches on
// MapDef::type after the checks common to every type. Each factory validates
// the definition as the type's *_map_alloc_check does in the kernel, then
// builds the map.
#pragma once

#include <memory>

#include "ringb/maps.h"

namespace ringb::maps::detail {

using MapResult = Expected<std::unique_ptr<Map>>;

MapResult create_array_map(const MapDef& def, const Options& options);         // array_map.cc
MapResult create_percpu_array_map(const MapDef& def, const Options& options);  // percpu_array_map.cc
MapResult create_hash_map(const MapDef& def, const Options& options);          // hash_map.cc
MapResult create_percpu_hash_map(const MapDef& def, const Options& options);   // percpu_hash_map.cc
MapResult create_queue_map(const MapDef& def, const Options& options);         // queue_stack_map.cc
MapResult create_stack_map(const MapDef& def, const Options& options);         // queue_stack_map.cc
MapResult create_prog_array_map(const MapDef& def, const Options& options);    // prog_array_map.cc
MapResult create_array_of_maps(const MapDef& def, const Options& options);     // map_in_map.cc
MapResult create_hash_of_maps(const MapDef& def, const Options& options);      // map_in_map.cc
MapResult create_lru_hash_map(const MapDef& def, const Options& options);         // lru_hash_map.cc
MapResult create_lru_percpu_hash_map(const MapDef& def, const Options& options);  // lru_hash_map.cc
MapResult create_bloom_filter_map(const MapDef& def, const Options& options);     // bloom_filter_map.cc
MapResult create_lpm_trie_map(const MapDef& def, const Options& options);         // lpm_trie_map.cc
MapResult create_local_storage_map(const MapDef& def, const Options& options);  // local_storage_map.cc
MapResult create_cgroup_storage_map(const MapDef& def, const Options& options);  // cgroup_storage_map.cc (also PERCPU_)
MapResult create_sock_map(const MapDef& def, const Options& options);           // sock_map.cc (SOCKMAP, SOCKHASH)
MapResult create_ringbuf_map(const MapDef& def, const Options& options);      // ringbuf_map.cc (also USER_RINGBUF)
MapResult create_dev_map(const MapDef& def, const Options& options);          // devmap.cc (DEVMAP, DEVMAP_HASH)
MapResult create_cpu_map(const MapDef& def, const Options& options);          // cpumap.cc
MapResult create_xsk_map(const MapDef& def, const Options& options);          // xskmap.cc

}  // namespace ringb::maps::detail
