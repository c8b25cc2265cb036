/* SPDX-License-Identifier: LGPL-2.1-or-later */
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

/* `owner_uid` value that skips the owner and mode checks (still regular
 * files only, never blocking). */
#define TG_TRUST_ANY_OWNER ((uid_t)-1)

/* Most symbolic links followed in resolving one path with owner checks. */
#define TG_TRUST_MAX_LINKS 8

/* Resolve `name` (absolute, or relative to the directory open as `dir_fd`;
 * AT_FDCWD for the working directory) one component at a time, following a
 * symbolic link anywhere in it (the last component, a directory on the
 * way, a link's own target) only when the link is owned by `owner_uid`, at
 * most TG_TRUST_MAX_LINKS links in all (`flags`: TG_TRUST_ROOT_LINKS,
 * TG_TRUST_SECURE_DIRS, below); each link is opened with
 * O_PATH|O_NOFOLLOW and its owner and target read from that descriptor.
 * `path` (nullable: `name`) is what messages call it. Returns an O_PATH
 * descriptor of the directory holding the last component (caller closes)
 * and sets *last (g_free) to that component, not a symbolic link when
 * looked at ("." when `name` is a directory such as "/"), for the caller
 * to open relative to the descriptor with O_NOFOLLOW, so that a link
 * swapped in meanwhile is refused; *via (nullable, g_free; NULL when no
 * link was followed) to the first link's target as written. Returns -1
 * with `error` naming the path (TG_ERROR_PERMISSION for a link of another
 * owner or EACCES, else TG_ERROR_IO) and *err_no (nullable) set to the
 * failing call's errno, 0 when no call failed (a link of another owner,
 * too many links). */
int tg_trust_resolve_at(int dir_fd, const char *name, const char *path, uid_t owner_uid,
                        unsigned flags, char **last, char **via, int *err_no,
                        GError **error);

/* Flags of tg_trust_resolve_at(). */
enum {
    /* A link owned by root is followed too. */
    TG_TRUST_ROOT_LINKS = 1 << 0,
    /* Every directory walked through, from the first ("/" for an absolute
     * name) to the one holding the last component, must pass
     * tg_trust_check_secure_dir(). */
    TG_TRUST_SECURE_DIRS = 1 << 1,
};

/* Who besides the owner may write a file of `mode`, for messages: "group
 * and others", "group" or "others" (static; only for a mode that is group-
 * or other-writable). */
const char *tg_trust_writers(mode_t mode);

/* A directory others cannot use to swap what is in it, OpenSSH's rule for
 * the directories above a key file (secure_filename, auth.c): `st` (what
 * fstat(2) said of `path`) is a directory owned by root or `owner_uid`,
 * not writable by group or others unless sticky (/tmp). Returns true when
 * it passes; false with `error` (TG_ERROR_PERMISSION, TG_ERROR_IO for
 * something not a directory) naming `path`, its owner and mode. */
bool tg_trust_check_secure_dir(const char *path, const struct stat *st, uid_t owner_uid,
                               GError **error);

/* `path` must be owned by `owner_uid` and not writable by group or others;
 * a symbolic link on the way is followed only when `owner_uid` owns it
 * (tg_trust_resolve_at()), and what it leads to is checked. Returns true
 * when it passes; false with `error` (TG_ERROR_PERMISSION or TG_ERROR_IO)
 * naming the path, its owner and mode. */
bool tg_trust_check_path(const char *path, uid_t owner_uid, GError **error);

/* The same owner and mode checks on what fstat(2) or stat(2) returned for
 * `path` (named in the message). Returns true when it passes; false with
 * `error` (TG_ERROR_PERMISSION). */
bool tg_trust_check_stat(const char *path, const struct stat *st, uid_t owner_uid,
                         GError **error);

G_END_DECLS

#endif /* TG_TRUST_H */
