/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: the compiled configuration cache. A policy and its inventory,
 * once loaded and validated, are kept in the runtime directory as
 * RUNTIME_DIR/policy-HASH.cache (HASH: of policy.xml's path): the policy's
 * compiled form (tg_policy_to_variant) and the (path, TgFileId) of every
 * source it was loaded from (policy.xml, each inventory directory and
 * file). A gated run whose sources all still have those ids reads the
 * cache instead of parsing XML, compiling the RelaxNG schema and reading
 * every inventory file.
 *
 * The cache is never trusted: the runtime directory must be owned by the
 * trusted owner and not group/other-writable, the cache file a regular file
 * owned by the trusted owner, not group/other-writable, bounded, with a
 * matching format and tscgate version and checksum, decoding as untrusted
 * input. Anything else, or any source changed, is a miss: the policy is
 * loaded from its sources and the cache rewritten atomically.
 */
#ifndef TG_CONFIGCACHE_H
#define TG_CONFIGCACHE_H

#include <sys/types.h>

#include "tg-policy.h"

G_BEGIN_DECLS

/* Largest cache file read. */
#define TG_CONFIGCACHE_MAX_BYTES (64u * 1024u * 1024u)

typedef enum {
    TG_CONFIGCACHE_HIT = 0,     /* read from the cache */
    TG_CONFIGCACHE_STORED,      /* loaded from the sources, cache written */
    TG_CONFIGCACHE_UNCACHED,    /* loaded from the sources, no usable cache */
} TgConfigcacheResult;

/* "RUNTIME_DIR/policy-HASH.cache" for `policy_path`, newly allocated. */
char *tg_configcache_path(const char *runtime_dir, const char *policy_path);

/* Load the policy `policy_path` as tg_policy_load_trusted() does for
 * `owner_uid`, through the cache in `runtime_dir` (NULL: tg_hostcache_dir()).
 * `result` (nullable) says how; `note` (nullable) receives why a cache that
 * was there could not be used or written (g_free; NULL when none);
 * `digest` (nullable) the digest of policy.xml as tg_policy_load_trusted()
 * gives it, from the cache on a hit (g_free; NULL when it was not read). Returns
 * a new policy (tg_policy_free) or NULL with `error` (the policy's own
 * error: cache problems never fail a load). */
TgPolicy *tg_configcache_load(const char *policy_path, uid_t owner_uid,
                              const char *runtime_dir, TgConfigcacheResult *result,
                              char **note, char **digest, GError **error);

G_END_DECLS

#endif /* TG_CONFIGCACHE_H */
