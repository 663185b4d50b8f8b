/* map_forms: .maps definitions in every form libbpf reads for a number:
 * __uint(name, N) (a pointer to an array of N) and __ulong(name, N) (an
 * anonymous enum whose one enumerator is N; libbpf's form for map_extra,
 * which is 64 bits). The loader test reads the values back. */
#include "ringb_test.h"

#define map_forms_cat2(a, b) a##b
#define map_forms_cat(a, b) map_forms_cat2(a, b)
#define __ulong(name, val) enum { map_forms_cat(__unique_value, __COUNTER__) = val } name

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__type(value, __u32);
	__uint(max_entries, 16);
	__ulong(map_extra, 3);
} bloom_small SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__type(value, __u64);
	__uint(max_entries, 16);
	__ulong(map_extra, 0x100000003ull);
} bloom_wide SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__type(value, __u32);
	__uint(max_entries, 16);
	__uint(map_extra, 5);
} bloom_uint SEC(".maps");

SEC("syscall") __retval(0)
int uses_nothing(void *ctx)
{
	return 0;
}
