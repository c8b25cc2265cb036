/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: probe this host's TSC facts and timekeeping health, the way
 * libvirt does (virHostCPUGetTscInfo, src/util/virhostcpu.c) but without
 * libvirt: /dev/kvm -> KVM_CREATE_VM -> KVM_CREATE_VCPU -> KVM_GET_TSC_KHZ,
 * KVM_CHECK_EXTENSION(KVM_CAP_TSC_CONTROL); plus /proc/cpuinfo, sysfs,
 * /proc/cmdline and adjtimex(2).
 */
#ifndef TG_PROBE_H
#define TG_PROBE_H

#include "tg-hostfacts.h"

G_BEGIN_DECLS

/* Where the probe reads from. Tests point the file roots at fixture trees;
 * real use passes NULL to tg_probe_host() for the defaults below. */
typedef struct {
    const char *kvm_device;   /* default "/dev/kvm" */
    const char *proc_root;    /* default "/proc" (cpuinfo, cmdline) */
    const char *sys_root;     /* default "/sys" (module params, clocksource, cpufreq) */
    bool skip_kvm;            /* do not open the KVM device (facts unknown, reason "not probed") */
    bool skip_adjtimex;       /* do not call adjtimex (clock facts unknown) */
} TgProbeOptions;

/* Probe this host. Never fails as a whole: every fact that cannot be read is
 * left unknown with a specific reason (no /dev/kvm, permission denied, not
 * x86, KVM_GET_TSC_KHZ unsupported...). `opts` may be NULL.
 * Returns a new object (tg_host_facts_free). */
TgHostFacts *tg_probe_host(const TgProbeOptions *opts);

/* Read again, into `facts`, every fact that changes during a boot
 * (TgHostFactField.per_run: clock synchronisation and its error bounds,
 * the clocksources, the TSC-unstable mark, and the cpufreq policy in force
 * unless the cached `facts` say the TSC is invariant).
 * Cheap: procfs, sysfs and adjtimex(2), no KVM device. `opts` may be
 * NULL. */
void tg_probe_per_run(TgHostFacts *facts, const TgProbeOptions *opts);

G_END_DECLS

#endif /* TG_PROBE_H */
