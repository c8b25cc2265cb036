/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: the boot record, the lineage record (tg-lineage.h, schema
 * xml/lineage.rng) that `tscgate agent` writes into a guest's live
 * definition when the guest boots on this host: its nominal TSC rate (the
 * pinned one, else this host's KVM_GET_TSC_KHZ, which QEMU gives a vCPU at
 * boot: target/i386/kvm/kvm.c kvm_arch_init_vcpu) with origin "boot", and
 * one hop "boot" with this host's facts and the time (doc/tsc-model.md,
 * "Boot"). Pure: facts and time in, record and XML out.
 */
#ifndef TG_BOOTRECORD_H
#define TG_BOOTRECORD_H

#include "tg-guest.h"
#include "tg-hostfacts.h"

G_BEGIN_DECLS

/* The record for `guest` (its live domain XML, parsed) booted at `now` (UTC
 * seconds) on the host `host` (its facts) named `host_name` (nullable: then
 * host->hostname, else no host attribute). The nominal rate is the guest's
 * pinned rate (the last <timer name='tsc' frequency>), else the host's
 * probed rate, with origin "boot"; when neither is known the record says
 * unknown, which still replaces any older record (a stale one from a
 * persistent definition). The effective rate equals the nominal one (at
 * boot QEMU runs the vCPUs at it or refuses to start). Returns a new record
 * (tg_lineage_free), or NULL for a guest without a TSC (not x86: the model
 * gives those no record). */
TgLineage *tg_bootrecord_new(const TgGuestProfile *guest, const TgHostFacts *host,
                             const char *host_name, gint64 now);

/* The record as the element string virDomainSetMetadata takes with
 * VIR_DOMAIN_METADATA_ELEMENT, key TG_LINEAGE_NS_PREFIX and uri
 * TG_LINEAGE_NS: <lineage> without a namespace of its own (libvirt puts the
 * element and its children into `uri` under `key`, virXMLInjectNamespace,
 * and refuses an element that declares that prefix already), laid out at
 * the depth libvirt formats <metadata> children. Returns a new string
 * (g_free), or NULL only when libxml2 cannot allocate. */
char *tg_bootrecord_element(const TgLineage *record);

/* True when `record` is a boot record of the run that started at `since`
 * (UTC seconds) on host `host_name`: its newest hop is op "boot" on that
 * host at or after `since`. A record that is not (a hop of another run, a
 * boot elsewhere or before that run began) is stale on a guest known to
 * have booted here. `record` may be NULL (false). */
bool tg_bootrecord_is_current(const TgLineage *record, const char *host_name, gint64 since);

G_END_DECLS

#endif /* TG_BOOTRECORD_H */
