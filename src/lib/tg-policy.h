/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: the cluster admin's policy XML ($(sysconfdir)/tscgate/policy.xml).
 *
 * Schema: xml/policy.rng (namespace TG_POLICY_NS), validated at load with
 * libxml2's RelaxNG support; semantic checks follow (duplicate rule names,
 * conflicting settings). Selection semantics and every element are described
 * in doc/tscgate-policy.5.
 */
#ifndef TG_POLICY_H
#define TG_POLICY_H

#include <sys/types.h>

#include "tg-decide.h"

G_BEGIN_DECLS

#define TG_POLICY_NS "urn:tscgate:policy:1"

typedef enum {
    TG_MODE_ENFORCE = 0,
    TG_MODE_AUDIT,        /* a would-be denial is logged as such and the operation allowed */
} TgMode;

/* Spellings of TgMode: "enforce", "audit" (<mode>). */
extern const TgEnumTable tg_mode_table;

const char *tg_mode_to_string(TgMode m);  /* "enforce" | "audit" */

typedef struct _TgPolicy TgPolicy;

/* One <host-directory> while its inventory is being read. */
typedef struct _TgPolicyDirectory TgPolicyDirectory;

/* How <host-directory> inventories are read. This layer does no I/O: the
 * caller (src/host/tg-inventory.c for files) reads the directory `path`
 * (the attribute resolved against the policy file's directory) and, in
 * name order, calls tg_policy_directory_add_facts() or _add_host() for
 * every host in it and tg_policy_directory_problem() for every entry it
 * cannot use: a missing or unreadable host would make the gate allow a
 * guest that host would have denied. */
typedef struct {
    void (*read_directory)(const char *path, TgPolicyDirectory *dir, gpointer user_data);
    gpointer user_data;
} TgPolicyInventoryReader;

/* Add a host named `name` to the directory's inventory (and host group). */
void tg_policy_directory_add_host(TgPolicyDirectory *dir, const char *name, guint64 tsc_hz,
                                  TgTri scaling);
/* Parse host facts (`tscgate probe` output or virsh capabilities) held in
 * memory, read from `path`, and add the host: named by its hostname fact,
 * else by `file_name` without ".xml". A document that does not parse is a
 * problem naming `path`. */
void tg_policy_directory_add_facts(TgPolicyDirectory *dir, const char *file_name,
                                   const char *path, const char *buf, gsize len);
/* Report a problem with the directory or one of its entries at the
 * <host-directory>'s line: `msg` is one line naming the path. */
void tg_policy_directory_problem(TgPolicyDirectory *dir, const char *msg);

/* Parse and check a policy held in memory (`filename` names it in messages
 * and anchors relative <host-directory> paths; NULL or "-" for stdin).
 * <host-directory> elements are read through `reader`; with a NULL reader
 * each is a problem. Every problem, one "FILE:LINE: ..." string each, sorted
 * by line, is appended to `problems` (g_free'd strings) and `first_code`
 * (nullable) gets the first one's TgErrorCode. Returns a new policy
 * (tg_policy_free) when there is no problem, else NULL. */
TgPolicy *tg_policy_read_xml(const char *buf, gsize len, const char *filename,
                             const TgPolicyInventoryReader *reader, GPtrArray *problems,
                             TgErrorCode *first_code);

/* Set `error` (domain TG_ERROR, `code`) to the first of `problems`, with a
 * count of the others. */
void tg_policy_problems_to_error(const GPtrArray *problems, TgErrorCode code,
                                 GError **error);

/* tg_policy_read_xml() without an inventory reader. On failure returns NULL
 * and sets `error` to the first problem ("FILE:LINE: what is wrong").
 * Returns a new policy (tg_policy_free). */
TgPolicy *tg_policy_parse_xml(const char *buf, gsize len, const char *filename,
                              GError **error);
void tg_policy_free(TgPolicy *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgPolicy, tg_policy_free)

/* The policy's mode, and whether the hook fails open when it cannot work
 * (probe failed, host facts unreadable). Defaults: enforce, fail-closed. */
TgMode tg_policy_mode(const TgPolicy *p);
bool tg_policy_fail_open(const TgPolicy *p);

/* Start from tg_settings_init() defaults, apply the global settings and the
 * rule that selects `guest` (see doc/tscgate-policy.5 for the selection
 * semantics) and fill `settings`. Pointers stored in `settings` are owned by
 * the policy and live as long as it. Returns the matched rule's name
 * (owned by the policy) or NULL when no rule matched. `why` (nullable)
 * receives a newly allocated explanation of the selection (g_free). */
const char *tg_policy_apply(const TgPolicy *p, const TgGuestProfile *guest,
                            TgSettings *settings, char **why);

/* The format version this tscgate reads (<policy version='1'>). */
#define TG_POLICY_VERSION 1

/* xml/policy.rng, embedded at build time (src/lib/tg-policy-rng.c, generated
 * by src/lib/Makemodule.am): NUL-terminated; length without the NUL. Static data. */
extern const char tg_policy_rng[];
extern const gsize tg_policy_rng_len;

/* tg_policy_read_xml() without an inventory reader, for validation: sets
 * *problems (nullable) to a new array of every problem (caller unrefs;
 * empty when valid). Returns true when valid. */
bool tg_policy_validate_buffer(const char *buf, gsize len, const char *filename,
                               GPtrArray **problems);


/* The compiled form of a loaded policy, for caches: append the whole model
 * to `out` in a compact binary encoding. tg_policy_from_compiled() of it
 * selects and applies exactly as `p` does. */
void tg_policy_compile(const TgPolicy *p, GByteArray *out);
/* Rebuild a policy from its compiled form, checking it as untrusted input
 * (bounds, counts, every enumeration, index and limit, nothing left over).
 * Returns a new policy (tg_policy_free) or NULL with `error`
 * (TG_ERROR_INVALID). */
TgPolicy *tg_policy_from_compiled(const guint8 *data, gsize len, GError **error);

/* Human summary of effective settings, one line ("tolerance 250 ppm; ..."),
 * newly allocated (g_free). Used by `tscgate policy explain`. */
char *tg_settings_describe(const TgSettings *s);

G_END_DECLS

#endif /* TG_POLICY_H */
