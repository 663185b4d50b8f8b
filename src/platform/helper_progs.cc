// helper_progs.cc — the program types of each helper ringb has, as the
// running kernel (Linux 6.18) answers: a program of each type calling the
// helper loads, or is refused with "program of this type cannot use helper".
// tests/kernel (kernel_helper_progs_tests) asks the kernel again, row by row.
#include "ringb/helper_progs.h"

#include "prog_type_bits.h"

#include <cstdint>
#include <iterator>

namespace ringb::platform {
namespace {

using namespace bits;

struct Row {
  int id;
  uint32_t types;
};

constexpr uint32_t kSkcTypes = kSocketFilter | kSchedCls | kSchedAct | kXdp | kCgroupSkb | kLwtIn | kLwtOut | kLwtXmit |
                               kSkSkb | kSkMsg | kLwtSeg6local | kFlowDissector | kSyscall;

// Helper id -> the program types that may call it.
constexpr Row kRows[] = {
    {1, kAll},
    {2, kAll},
    {3, kAll},
    {4, kKprobe | kTracepoint | kPerfEvent | kRawTracepoint | kSyscall},
    {5, kAll},
    {6, kAll},
    {7, kAll},
    {8, kAll},
    {9, kSchedCls | kSchedAct | kLwtXmit | kSkSkb},
    {10, kSchedCls | kSchedAct | kLwtXmit},
    {11, kSchedCls | kSchedAct | kLwtXmit},
    {12, kAll},
    {14, kAll},
    {15, kAll},
    {16, kAll},
    {26, kSocketFilter | kSchedCls | kSchedAct | kCgroupSkb | kLwtIn | kLwtOut | kLwtXmit | kSkSkb | kLwtSeg6local | kFlowDissector},
    {28, kSchedCls | kSchedAct | kXdp | kLwtIn | kLwtOut | kLwtXmit | kLwtSeg6local},
    {38, kSchedCls | kSchedAct | kLwtXmit | kSkSkb},
    {39, kSchedCls | kSchedAct | kLwtIn | kLwtOut | kLwtXmit | kSkSkb | kLwtSeg6local},
    {40, kSchedCls | kSchedAct | kLwtXmit},
    {42, kAll},
    {43, kSchedCls | kSchedAct | kLwtXmit | kSkSkb},
    {44, kXdp},
    {45, kKprobe | kTracepoint | kPerfEvent | kRawTracepoint | kSyscall},
    {52, kSkSkb},
    {53, 0},  // sock_ops only
    {54, kXdp},
    {60, kSkMsg},
    {65, kXdp},
    {67, kKprobe | kTracepoint | kPerfEvent | kRawTracepoint | kSyscall},
    {70, 0},  // sock_ops only
    {71, kSkMsg},
    {72, kSkSkb},
    {87, kAll},
    {88, kAll},
    {89, kAll},
    {93, kAll},
    {94, kAll},
    {105, kAll},
    {106, kAll},
    {112, kAll},
    {148, kAll},  // might sleep: sleepable programs only (the verifier)
    {191, kAll},
    {113, kAll},
    {114, kAll},
    {115, kAll},
    {118, kAll},
    {125, kAll},
    {141, kAll},
    {153, kAll},
    {154, kAll},
    {160, kSocketFilter | kSchedCls | kSchedAct | kXdp | kCgroupSkb | kLwtIn | kLwtOut | kLwtXmit | kSkSkb | kSkMsg | kLwtSeg6local | kFlowDissector},
    {163, kSchedCls | kSchedAct | kXdp},
    {164, kAll},
    {165, kAll},
    {181, kAll},
    {182, kAll},
    {194, kAll},
    {195, kAll},
    {208, kAll},
    {31, kSchedCls | kSchedAct},
    {50, kSchedCls | kSchedAct | kSkSkb},
    {61, kSkMsg},
    {62, kSkMsg},
    {63, kSkMsg},
    {90, kSkMsg},
    {91, kSkMsg},
    {49, 0},  // sock_ops, cgroup sock_addr and sockopt programs: outside the table's types
    {57, 0},
    {59, 0},  // sock_ops only
    {35, kAll},
    {46, kSocketFilter | kSchedCls | kSchedAct | kCgroupSkb | kSkSkb | kSyscall},
    {84, kSchedCls | kSchedAct | kXdp | kCgroupSkb | kSkSkb},
    {85, kSchedCls | kSchedAct | kXdp | kCgroupSkb | kSkSkb},
    {86, kSchedCls | kSchedAct | kXdp | kCgroupSkb | kSkSkb},
    {95, kSchedCls | kSchedAct | kCgroupSkb},
    {96, kSchedCls | kSchedAct | kCgroupSkb},
    {98, kSchedCls | kSchedAct | kCgroupSkb},
    {99, kSchedCls | kSchedAct | kXdp | kCgroupSkb | kSkSkb},
    {107, kSchedCls | kSchedAct | kCgroupSkb | kSkMsg | kSyscall},
    {108, kSchedCls | kSchedAct | kCgroupSkb | kSkMsg | kSyscall},
    {122, kSocketFilter | kSchedCls | kSchedAct | kCgroupSkb | kSkMsg},
    {130, kAll},
    {131, kAll},
    {132, kAll},
    {133, kAll},
    {134, kAll},
    {156, kAll},
    {157, kAll},
    {158, kAll},
    {197, kAll},
    {198, kAll},
    {199, kAll},
    {200, kAll},
    {201, kAll},
    {202, kAll},
    {203, kAll},
    {209, kAll},
    {210, kAll},
    {211, kAll},
    {23, kSchedCls | kSchedAct | kXdp | kLwtXmit},  // bpf_redirect (xdp's own, tc's)
    {51, kXdp},                                      // bpf_redirect_map
    {152, kSchedCls | kSchedAct},                    // bpf_redirect_neigh
    {155, kSchedCls | kSchedAct},                    // bpf_redirect_peer
    {81, kCgroupSkb},  // and the cgroup types outside the table (sock, sock_addr, sock_ops, sysctl, ...)
    // bpf_skc_to_* (bpf_sk_base_func_proto: the skb, xdp and sk_msg types; syscall)
    {136, kSkcTypes}, {137, kSkcTypes}, {138, kSkcTypes}, {139, kSkcTypes}, {140, kSkcTypes}, {178, kSkcTypes},
    {196, kSkcTypes},
    {34, kSchedCls | kSchedAct | kLwtIn | kLwtOut | kLwtXmit | kLwtSeg6local},  // the skb's flow hash
    {41, kSchedCls | kSchedAct | kLwtXmit},
    {48, kSchedCls | kSchedAct},
};

constexpr int kIds[] = {
1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 26, 28, 38, 39, 40, 42, 43, 44, 45, 52, 53, 54, 60, 65, 67, 70, 71, 72, 87, 88, 89, 93, 94, 105, 106, 112, 148, 191, 113, 114, 115, 118, 125, 141, 153, 154, 160, 163, 164, 165, 181, 182, 194, 195, 208, 31, 50, 61, 62, 63, 90, 91, 49, 57, 59,
35, 46, 84, 85, 86, 95, 96, 98, 99, 107, 108, 122, 130, 131, 132, 133, 134, 156, 157, 158, 197, 198, 199, 200, 201, 202, 203, 209, 210, 211, 23, 51, 152, 155, 81, 34, 41, 48,
136, 137, 138, 139, 140, 178, 196
};

}  // namespace

bool helper_table_covers(ProgType type) { return bit(type) != 0; }

bool helper_allowed(ProgType type, int id) {
  const uint32_t b = bit(type);
  // bpf_get_local_storage outside the table: the cgroup types and sock_ops
  // (cgroup_current_func_proto, sock_ops_func_proto), not tracing, lsm
  // (only its lsm_cgroup attach, which ringb does not load) or struct_ops.
  if (!b && id == 81)
    return type == ProgType::CgroupSock || type == ProgType::CgroupSockAddr || type == ProgType::SockOps ||
           type == ProgType::CgroupSysctl;
  // sk_lookup (sk_lookup_func_proto): bpf_sk_assign (its own prototype:
  // tc's, which takes any socket, ringb does not have), bpf_sk_release,
  // bpf_perf_event_output and the base set, which the table's kAll rows are.
  if (type == ProgType::SkLookup) {
    if (id == 124 || id == 86 || id == 25) return true;
    for (const Row& r : kRows)
      if (r.id == id) return r.types == kAll;
    return true;
  }
  // sk_reuseport (sk_reuseport_func_proto): bpf_sk_select_reuseport and the
  // base set. (Its own skb_load_bytes(_relative) and socket-pointer
  // get_socket_cookie are not in ringb: refused.)
  if (type == ProgType::SkReuseport) {
    if (id == 82) return true;
    for (const Row& r : kRows)
      if (r.id == id) return r.types == kAll;
    return true;
  }
  if (id == 124 || id == 82) return false;
  if (!b) return true;
  for (const Row& r : kRows)
    if (r.id == id) return (r.types & b) != 0;
  return true;
}

const int* helper_table_ids(size_t* count) {
  *count = std::size(kIds);
  return kIds;
}

}  // namespace ringb::platform
