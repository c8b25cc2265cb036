/* tscgate: StrictModes-style trust checks, as sshd applies to its
 * configuration: a file that decides what the gate allows must be owned by
 * root (or the configured owner) and writable by nobody else.
 */
#ifndef TG_TRUST_H
#define TG_TRUST_H

#include <sys/stat.h>
#include <sys/types.h>

#include "tg-common.h"

G_BEGIN_DECLS

/* `path` must be owned by `owner_uid` and not writable by group or others
 * (a symbolic link owned by `owner_uid` is followed and its target checked).
 * Returns true when it passes; false with `error` (TG_ERROR_PERMISSION or
 * TG_ERROR_IO) naming the path, its owner and mode. */
bool tg_trust_check_path(const char *path, uid_t owner_uid, GError **error);

/* The same owner and mode checks on what fstat(2) or stat(2) returned for
 * `path` (named in the message). Returns true when it passes; false with
 * `error` (TG_ERROR_PERMISSION). */
bool tg_trust_check_stat(const char *path, const struct stat *st, uid_t owner_uid,
                         GError **error);

G_END_DECLS

#endif /* TG_TRUST_H */
