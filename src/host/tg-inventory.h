/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: loading a policy from files: policy.xml and the <host-directory>
 * inventories it names (directories of `tscgate probe` outputs). The
 * policy itself parses from memory (src/lib/tg-policy.h); this is where
 * its files and directories are opened, read and trust-checked.
 */
#ifndef TG_INVENTORY_H
#define TG_INVENTORY_H

#include <sys/types.h>

#include "tg-file.h"
#include "tg-policy.h"

G_BEGIN_DECLS

/* One file or directory a policy was loaded from, and the version read. */
typedef struct {
    char *path;
    TgFileId id;
    bool is_dir;
} TgConfigSource;

/* Free a TgConfigSource (GDestroyNotify for a GPtrArray of them). */
void tg_config_source_free(gpointer data);
/* A new empty GPtrArray of TgConfigSource (g_ptr_array_unref). */
GPtrArray *tg_config_sources_new(void);

/* tg_policy_read_xml() of a policy held in memory, whose <host-directory>
 * inventories are read from this host: each directory must be one (opened
 * without blocking, never a symbolic link owned by someone else), and every
 * entry in it whose name ends in ".xml" (not starting with a dot) must be a
 * regular host facts file no larger than TG_MAX_INPUT_BYTES. Unless
 * `owner_uid` is TG_TRUST_ANY_OWNER, directories and files are trust-checked
 * (owned by `owner_uid`, not group/other-writable) on the opened descriptor.
 * Each problem names the path. The directories and files read are appended
 * to `sources` (nullable, TgConfigSource*). Problems and return value as
 * tg_policy_read_xml(). */
TgPolicy *tg_inventory_read_policy(const char *buf, gsize len, const char *filename,
                                   uid_t owner_uid, GPtrArray *sources,
                                   GPtrArray *problems, TgErrorCode *first_code);

/* Load `path` as the gate does: policy.xml read with tg_file_read_trusted()
 * for `owner_uid` (TG_TRUST_ANY_OWNER: no owner/mode checks), then
 * tg_inventory_read_policy(). policy.xml and the inventory go to `sources`
 * (nullable). `digest` (nullable) is set to the digest of the bytes read
 * (tg_host_facts_policy_digest, g_free) once they are read, even when they
 * do not parse. Returns a new policy (tg_policy_free) or NULL with `error`. */
TgPolicy *tg_policy_load_trusted(const char *path, uid_t owner_uid, GPtrArray *sources,
                                 char **digest, GError **error);

/* Load a policy file ("-" = stdin) as `tscgate` does for a user: any file
 * tg_read_file() reads, inventory read as tg_inventory_read_policy() with
 * TG_TRUST_ANY_OWNER; `digest` (nullable) is set to the digest of the bytes
 * parsed (tg_host_facts_policy_digest, g_free). Returns a new policy
 * (tg_policy_free) or NULL with `error`. */
TgPolicy *tg_policy_load(const char *path, char **digest, GError **error);

/* Validate a policy held in memory with its inventory, as `tscgate policy
 * validate` does: sets *problems (nullable) to a new array of every
 * problem (caller unrefs; empty when valid). Returns true when valid. */
bool tg_policy_validate_inventory(const char *buf, gsize len, const char *filename,
                                  GPtrArray **problems);

/* Validate a policy file and collect every problem, one "FILE:LINE: ..."
 * string each, into `problems` (a new GPtrArray of g_free'd strings, caller
 * unrefs; empty when valid). Returns true when valid. */
bool tg_policy_validate_file(const char *path, GPtrArray **problems);

G_END_DECLS

#endif /* TG_INVENTORY_H */
