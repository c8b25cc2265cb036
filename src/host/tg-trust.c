/* tscgate: StrictModes-style trust checks on configuration files (see
 * tg-trust.h). */
#include <config.h>

#include "tg-trust.h"

#include <errno.h>
#include <sys/stat.h>

static bool
tg_trust_check_stat_what(const char *path, const struct stat *st, uid_t owner_uid,
                         const char *what, GError **error)
{
    unsigned mode = (unsigned)(st->st_mode & 07777);

    if (st->st_uid != owner_uid) {
        g_set_error(error, TG_ERROR, TG_ERROR_PERMISSION,
                    "%s%s: owned by uid %u (mode %04o), must be owned by uid %u", path, what,
                    (unsigned)st->st_uid, mode, (unsigned)owner_uid);
        return false;
    }
    if (st->st_mode & (S_IWGRP | S_IWOTH)) {
        g_set_error(error, TG_ERROR, TG_ERROR_PERMISSION,
                    "%s%s: writable by %s (owner uid %u, mode %04o); run chmod go-w", path,
                    what,
                    (st->st_mode & S_IWGRP) && (st->st_mode & S_IWOTH) ? "group and others"
                    : (st->st_mode & S_IWGRP) ? "group" : "others",
                    (unsigned)st->st_uid, mode);
        return false;
    }
    return true;
}

bool
tg_trust_check_path(const char *path, uid_t owner_uid, GError **error)
{
    struct stat st;

    if (lstat(path, &st) < 0) {
        int e = errno;
        g_set_error(error, TG_ERROR, e == EACCES ? TG_ERROR_PERMISSION : TG_ERROR_IO,
                    "%s: %s", path, g_strerror(e));
        return false;
    }
    if (S_ISLNK(st.st_mode)) {
        /* A symlink is followed only when the link itself is owned by the
         * trusted owner; then its target must pass the same checks. (The
         * link's own mode bits mean nothing on Linux.) */
        g_autofree char *target = NULL;
        struct stat tst;

        if (st.st_uid != owner_uid) {
            g_set_error(error, TG_ERROR, TG_ERROR_PERMISSION,
                        "%s: symbolic link owned by uid %u (mode %04o), must be owned by "
                        "uid %u", path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777),
                        (unsigned)owner_uid);
            return false;
        }
        target = g_file_read_link(path, NULL);
        if (stat(path, &tst) < 0) {
            int e = errno;
            g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s -> %s: %s", path,
                        target ? target : "?", g_strerror(e));
            return false;
        }
        {
            g_autofree char *what = g_strdup_printf(" -> %s", target ? target : "?");
            return tg_trust_check_stat_what(path, &tst, owner_uid, what, error);
        }
    }
    return tg_trust_check_stat_what(path, &st, owner_uid, "", error);
}

bool
tg_trust_check_stat(const char *path, const struct stat *st, uid_t owner_uid, GError **error)
{
    return tg_trust_check_stat_what(path, st, owner_uid, "", error);
}
