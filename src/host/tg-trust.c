/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: StrictModes-style trust checks on configuration files (see
 * tg-trust.h). */
#include <config.h>

#include "tg-trust.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *
tg_trust_writers(mode_t mode)
{
    if ((mode & S_IWGRP) && (mode & S_IWOTH))
        return "group and others";
    return (mode & S_IWGRP) ? "group" : "others";
}

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
                    tg_trust_writers(st->st_mode),
                    (unsigned)st->st_uid, mode);
        return false;
    }
    return true;
}

/* Push the components of `target` onto `stack` (popped from the end), so
 * that they are walked in order before what is already there; empty and
 * "." components are dropped. */
static void
tg_trust_push_components(GPtrArray *stack, const char *target)
{
    g_auto(GStrv) parts = g_strsplit(target, "/", -1);
    guint n = g_strv_length(parts);

    for (guint i = n; i > 0; i--) {
        const char *c = parts[i - 1];

        if (*c && strcmp(c, ".") != 0)
            g_ptr_array_add(stack, g_strdup(c));
    }
}

/* An O_PATH descriptor of the directory `dir` relative to `at`. */
static int
tg_trust_open_dir_path(int at, const char *dir)
{
    return openat(at, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

bool
tg_trust_check_secure_dir(const char *path, const struct stat *st, uid_t owner_uid,
                          GError **error)
{
    unsigned mode = (unsigned)(st->st_mode & 07777);

    if (!S_ISDIR(st->st_mode)) {
        g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: is not a directory", path);
        return false;
    }
    if (st->st_uid != 0 && st->st_uid != owner_uid) {
        g_set_error(error, TG_ERROR, TG_ERROR_PERMISSION,
                    "%s: owned by uid %u (mode %04o), must be owned by uid 0 or %u", path,
                    (unsigned)st->st_uid, mode, (unsigned)owner_uid);
        return false;
    }
    if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(st->st_mode & S_ISVTX)) {
        g_set_error(error, TG_ERROR, TG_ERROR_PERMISSION,
                    "%s: writable by %s (mode %04o); run chmod go-w", path,
                    tg_trust_writers(st->st_mode),
                    mode);
        return false;
    }
    return true;
}

/* With TG_TRUST_SECURE_DIRS, check the directory open as `fd` (`shown`
 * in messages; "" = the working directory). */
static bool
tg_trust_dir_ok(int fd, const char *shown, uid_t owner_uid, unsigned flags, int *err_no,
                GError **error)
{
    struct stat st;

    if (!(flags & TG_TRUST_SECURE_DIRS))
        return true;
    if (fstat(fd, &st) < 0) {
        int e = errno;

        if (err_no)
            *err_no = e;
        g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: %s", *shown ? shown : ".",
                    g_strerror(e));
        return false;
    }
    return tg_trust_check_secure_dir(*shown ? shown : ".", &st, owner_uid, error);
}

int
tg_trust_resolve_at(int dir_fd, const char *name, const char *path, uid_t owner_uid,
                    unsigned flags, char **last, char **via, int *err_no, GError **error)
{
    g_autoptr(GPtrArray) stack = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *first_target = NULL;
    g_autofree char *shown = NULL;  /* the directory walked so far, for messages */
    guint links = 0;
    int cur, e = 0;

    if (err_no)
        *err_no = 0;
    if (!path)
        path = name;
    if (g_path_is_absolute(name)) {
        cur = tg_trust_open_dir_path(AT_FDCWD, "/");
        shown = g_strdup("/");
    } else {
        cur = tg_trust_open_dir_path(dir_fd, ".");
        /* `path` names `name` as the user knows it: what comes before. */
        shown = g_str_has_suffix(path, name) ? g_strndup(path, strlen(path) - strlen(name))
                                             : g_strdup("");
    }
    if (cur < 0) {
        e = errno;
        goto fail_errno;
    }
    if (!tg_trust_dir_ok(cur, shown, owner_uid, flags, err_no, error)) {
        close(cur);
        return -1;
    }
    tg_trust_push_components(stack, name);

    while (stack->len > 0) {
        g_autofree char *comp = g_ptr_array_steal_index(stack, stack->len - 1);
        g_autofree char *here = NULL;
        char target[4096];
        struct stat st;
        ssize_t n;
        int fd = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);

        if (fd < 0 || fstat(fd, &st) < 0) {
            e = errno;
            if (fd >= 0)
                close(fd);
            goto fail_errno;
        }
        if (!S_ISLNK(st.st_mode)) {
            if (stack->len == 0) {
                close(fd);
                if (via)
                    *via = g_steal_pointer(&first_target);
                *last = g_steal_pointer(&comp);
                return cur;
            }
            if (!S_ISDIR(st.st_mode)) {
                close(fd);
                e = ENOTDIR;
                goto fail_errno;
            }
            close(cur);
            cur = fd;
            here = g_build_filename(shown, comp, NULL);
            g_free(shown);
            shown = g_steal_pointer(&here);
            if (!tg_trust_dir_ok(cur, shown, owner_uid, flags, err_no, error)) {
                close(cur);
                return -1;
            }
            continue;
        }
        here = *shown ? g_build_filename(shown, comp, NULL) : g_strdup(comp);
        if (owner_uid != TG_TRUST_ANY_OWNER && st.st_uid != owner_uid &&
            !((flags & TG_TRUST_ROOT_LINKS) && st.st_uid == 0)) {
            close(fd);
            close(cur);
            g_set_error(error, TG_ERROR, TG_ERROR_PERMISSION,
                        "%s: symbolic link owned by uid %u (mode %04o), must be owned by uid %u",
                        here, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777),
                        (unsigned)owner_uid);
            return -1;
        }
        if (++links > TG_TRUST_MAX_LINKS) {
            close(fd);
            close(cur);
            g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: more than %u symbolic links", path,
                        TG_TRUST_MAX_LINKS);
            return -1;
        }
        /* The target is read from the link opened above: the link checked
         * is the link read. */
        n = readlinkat(fd, "", target, sizeof(target) - 1);
        e = errno;
        close(fd);
        if (n < 0)
            goto fail_errno;
        if (n == 0) {
            e = ENOENT;
            goto fail_errno;
        }
        target[n] = '\0';
        /* Messages show what the name itself links to, not a link met on
         * the way to its directory. */
        if (!first_target && stack->len == 0)
            first_target = g_strdup(target);
        if (target[0] == '/') {
            close(cur);
            cur = tg_trust_open_dir_path(AT_FDCWD, "/");
            g_free(shown);
            shown = g_strdup("/");
            if (cur < 0) {
                e = errno;
                goto fail_errno;
            }
            if (!tg_trust_dir_ok(cur, shown, owner_uid, flags, err_no, error)) {
                close(cur);
                return -1;
            }
        }
        tg_trust_push_components(stack, target);
    }
    /* Nothing left to open but the directory itself ("/", "dir/.."). */
    if (via)
        *via = g_steal_pointer(&first_target);
    *last = g_strdup(".");
    return cur;

fail_errno:
    if (cur >= 0)
        close(cur);
    if (err_no)
        *err_no = e;
    g_set_error(error, TG_ERROR, e == EACCES ? TG_ERROR_PERMISSION : TG_ERROR_IO, "%s: %s",
                path, g_strerror(e));
    return -1;
}

bool
tg_trust_check_path(const char *path, uid_t owner_uid, GError **error)
{
    g_autofree char *last = NULL;
    g_autofree char *via = NULL;
    g_autofree char *what = NULL;
    struct stat st;
    int dfd = tg_trust_resolve_at(AT_FDCWD, path, path, owner_uid, 0, &last, &via, NULL,
                                  error);
    bool ok;

    if (dfd < 0)
        return false;
    if (fstatat(dfd, last, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        int e = errno;

        close(dfd);
        g_set_error(error, TG_ERROR, e == EACCES ? TG_ERROR_PERMISSION : TG_ERROR_IO,
                    "%s: %s", path, g_strerror(e));
        return false;
    }
    close(dfd);
    /* A link followed is named with its target, as the admin wrote it. */
    what = via ? g_strdup_printf(" -> %s", via) : g_strdup("");
    ok = tg_trust_check_stat_what(path, &st, owner_uid, what, error);
    return ok;
}

bool
tg_trust_check_stat(const char *path, const struct stat *st, uid_t owner_uid, GError **error)
{
    return tg_trust_check_stat_what(path, st, owner_uid, "", error);
}
