/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: choosing a TSC rate to pin a guest at, and pinning it in a
 * domain definition (`tscgate pin`, `tscgate plan`). Pure: parsed models
 * and memory buffers in, results out.
 *
 * A pinned guest boots at its pinned rate F on a host without TSC scaling
 * only when F is within the tolerance of the host's rate
 * (qemuProcessStartValidateTSC, libvirt src/qemu/qemu_process.c), and on a
 * host with scaling only inside KVM's ratio limits (set_tsc_khz, Linux
 * arch/x86/kvm/x86.c); it then keeps F through every migration between such
 * hosts. The chooser asks the decision engine (tg_decide_outcome) about the
 * guest as it would be with F pinned, so it judges exactly as the hook does.
 */
#ifndef TG_PIN_H
#define TG_PIN_H

#include "tg-policy.h"

G_BEGIN_DECLS

/* The guest `guest` as it would be with `hz` pinned and cold-booted:
 * a shallow copy into `out` (it borrows every pointer of `guest`; do not
 * free it) with the pinned rate set (first and last), no lineage record
 * (the boot makes any record stale) and its class derived again. */
void tg_pin_profile(const TgGuestProfile *guest, guint64 hz, TgGuestProfile *out);

/* Which rates fit which hosts, for one guest (or every guest whose pinned
 * form gets the same settings): the candidate rates are the hosts' rates
 * and the edges of their tolerance windows. */
typedef struct _TgPinTable TgPinTable;

/* Build the table for `guest` pinned, under `policy` (nullable: the
 * default rules), over `hosts` (borrowed for the table's life; entries
 * whose rate is unknown fit no rate). Returns a new table
 * (tg_pin_table_free). */
TgPinTable *tg_pin_table_new(const TgGuestProfile *guest, const TgPolicy *policy,
                             TgHostFacts *const *hosts, gsize n_hosts);
void tg_pin_table_free(TgPinTable *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgPinTable, tg_pin_table_free)

/* True when the table's settings are those the policy gives `guest`
 * pinned, and its kind is the guest's: the table then answers for it. */
bool tg_pin_table_applies(const TgPinTable *t, const TgGuestProfile *guest,
                          const TgPolicy *policy);

typedef struct {
    guint64 hz;        /* the rate to pin, 0 = none fits any host */
    gsize n_hosts;     /* how many of the hosts it boots and runs on */
} TgPinChoice;

/* The rate that fits the most hosts of the table, leaving out host index
 * `exclude` (G_MAXSIZE: none). Ties go to a host's own rate over a window
 * edge, then to `prefer_hz` (nullable 0: none), then to the lower rate;
 * a window edge is moved to the middle of the windows it fits when that
 * fits as many. Returns false (and hz 0) when no rate fits any host. */
bool tg_pin_table_best(const TgPinTable *t, gsize exclude, guint64 prefer_hz,
                       TgPinChoice *out);

/* tg_pin_table_new + tg_pin_table_best over every host. */
bool tg_pin_choose(const TgGuestProfile *guest, const TgPolicy *policy,
                   TgHostFacts *const *hosts, gsize n_hosts, TgPinChoice *out);

/* Pin `hz` in the domain definition `xml` (libvirt's inactive XML): add
 * <timer name='tsc' frequency='HZ'/> to <clock> (creating <clock
 * offset='utc'/>, libvirt's default, when there is none), or, when a
 * <timer name='tsc'> is already there, set its frequency. A definition
 * that already pins a rate is refused (TG_ERROR_INVALID "... already pins
 * N Hz ...") unless `force`, which then sets every pinned rate to `hz`.
 * Nothing else of the document changes. Returns the new document (the
 * root element serialised, g_free), or NULL with `error`. */
char *tg_pin_edit_xml(const char *xml, gsize len, const char *filename, guint64 hz,
                      bool force, GError **error);

G_END_DECLS

#endif /* TG_PIN_H */
