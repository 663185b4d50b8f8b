/* __kconfig variables the loader must refuse, one way per VARIANT:
 * 1 a string too large for the .kconfig map (the fuzzer found the crafted
 * form of this), 2 a type kconfig cannot hold. */
#include "ringb_test.h"

#if VARIANT == 1
extern char CONFIG_RINGB_HUGE[2000000] __kconfig __weak;
#define USE CONFIG_RINGB_HUGE[7]
#else
struct pair { int a, b; };
extern struct pair CONFIG_RINGB_PAIR __kconfig __weak;
#define USE CONFIG_RINGB_PAIR.b
#endif

SEC("tc") int use_it(struct __sk_buff *skb) { return USE; }
