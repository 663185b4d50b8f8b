/* externs_host.bpf.c — extern variables whose values only the host gives:
 * strong __kconfig options no kernel has, and a typed __ksym. */
#include "ringb_test.h"

extern _Bool CONFIG_RINGB_FEATURE __kconfig;
extern enum libbpf_tristate CONFIG_RINGB_TRI __kconfig;
extern int CONFIG_RINGB_NUM __kconfig;
extern unsigned char CONFIG_RINGB_SMALL __kconfig __weak;
extern char CONFIG_RINGB_NAME[6] __kconfig;
extern const __u64 ringb_host_counter __ksym;

SEC("syscall") int feature(void *ctx) { return CONFIG_RINGB_FEATURE; }
SEC("syscall") int tristate(void *ctx) { return CONFIG_RINGB_TRI; }
SEC("syscall") int number(void *ctx) { return CONFIG_RINGB_NUM; }
SEC("syscall") int small(void *ctx) { return CONFIG_RINGB_SMALL; }

/* The name's bytes, as a sum (and its last byte, which must stay NUL). */
SEC("syscall") int name_sum(void *ctx)
{
	int sum = 0;
	for (int i = 0; i < 5; i++)
		sum += CONFIG_RINGB_NAME[i];
	return CONFIG_RINGB_NAME[5] ? -1 : sum;
}

SEC("syscall") int host_counter(void *ctx) { return ringb_host_counter; }

/* bpf_jiffies64 ticks at the kernel's CONFIG_HZ (the test reads two runs). */
SEC("syscall") int jiffies(void *ctx) { return (int)bpf_jiffies64(); }
