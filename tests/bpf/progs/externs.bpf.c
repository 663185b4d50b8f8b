/* externs: libbpf's extern variables.  __kconfig ones live in a read-only
 * .kconfig map the loader fills in (LINUX_KERNEL_VERSION from the running
 * kernel; a __weak CONFIG_ nobody defines reads as 0); a __weak __ksym that
 * no one provides has address 0.  The values asserted here hold on any
 * kernel that runs these programs, so the kernel and ringb agree. */
#include "ringb_test.h"

#define KERNEL_VERSION(a, b, c) (((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern _Bool LINUX_HAS_BPF_COOKIE __kconfig __weak;
extern int CONFIG_RINGB_NOT_A_REAL_OPTION __kconfig __weak;
extern enum libbpf_tristate CONFIG_RINGB_NOT_A_TRISTATE __kconfig __weak;
extern char CONFIG_RINGB_NOT_A_STRING[16] __kconfig __weak;
extern const void ringb_not_a_kernel_symbol __ksym __weak;

/* Any kernel that runs BPF test runs of tc programs is newer than 4.0. */
SEC("tc") __retval(1)
int kernel_version_is_recent(struct __sk_buff *skb)
{
	return LINUX_KERNEL_VERSION > KERNEL_VERSION(4, 0, 0) &&
	       LINUX_KERNEL_VERSION < KERNEL_VERSION(100, 0, 0);
}

/* BPF cookies arrived in 5.15; the kernel reports 1 here. */
SEC("tc") __retval(1)
int has_bpf_cookie(struct __sk_buff *skb)
{
	return LINUX_HAS_BPF_COOKIE;
}

/* Weak __kconfig values nobody sets are zero, whatever their type. */
SEC("tc") __retval(0)
int weak_kconfig_is_zero(struct __sk_buff *skb)
{
	return CONFIG_RINGB_NOT_A_REAL_OPTION | CONFIG_RINGB_NOT_A_TRISTATE |
	       CONFIG_RINGB_NOT_A_STRING[0] | CONFIG_RINGB_NOT_A_STRING[15];
}

/* A weak __ksym that does not resolve has address NULL. */
SEC("tc") __retval(1)
int weak_ksym_is_null(struct __sk_buff *skb)
{
	return &ringb_not_a_kernel_symbol == 0;
}
