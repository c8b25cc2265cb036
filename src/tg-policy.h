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

const char *tg_mode_to_string(TgMode m);  /* "enforce" | "audit" */

typedef struct _TgPolicy TgPolicy;

/* Parse and validate a policy from memory. On failure returns NULL and sets
 * `error` to the first problem ("FILE:LINE: what is wrong"). Host-inventory
 * directories named by the policy are read here. Returns a new policy
 * (tg_policy_free). */
TgPolicy *tg_policy_parse_xml(const char *buf, gsize len, const char *filename,
                              GError **error);
/* Same, from a file. */
TgPolicy *tg_policy_load(const char *path, GError **error);
void tg_policy_free(TgPolicy *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgPolicy, tg_policy_free)

/* Validate a policy file and collect every problem, one "FILE:LINE: ..."
 * string each, into `problems` (a new GPtrArray of g_free'd strings, caller
 * unrefs; empty when valid). Returns true when valid. */
bool tg_policy_validate_file(const char *path, GPtrArray **problems);

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

/* StrictModes-style trust check: `path` must be owned by `owner_uid` and not
 * writable by group or others. Returns false and sets `error`
 * (TG_ERROR_PERMISSION) naming the path, its owner and mode. */
bool tg_trust_check_path(const char *path, uid_t owner_uid, GError **error);

G_END_DECLS

#endif /* TG_POLICY_H */
