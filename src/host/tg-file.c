/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: reading and writing whole files, and loading the parsed models
 * from files (see tg-file.h). */
#include <config.h>

#include "tg-file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tg-trust.h"

/* Read `fd` to its end, at most `max` bytes (else `too_big`, "NAME: WHAT
 * is larger than MAX bytes"), into *contents (NUL-terminated, g_free) and
 * *len; `hint` is the size to expect. Leaves `fd` open. Returns false with
 * `error` naming `name`. */
static bool
tg_read_fd(int fd, const char *name, gsize max, gsize hint, TgErrorCode too_big,
           const char *what, char **contents, gsize *len, GError **error)
{
    g_autoptr(GByteArray) data = g_byte_array_sized_new((guint)MIN(hint, max) + 1);

    for (;;) {
        guint8 chunk[65536];
        ssize_t n = read(fd, chunk, sizeof(chunk));

        if (n < 0) {
            int e = errno;

            if (e == EINTR)
                continue;
            g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: %s", name, g_strerror(e));
            return false;
        }
        if (n == 0)
            break;
        /* A file may grow while it is read: the bound holds all the same. */
        if (data->len + (gsize)n > max) {
            g_set_error(error, TG_ERROR, too_big, "%s: %s is larger than %" G_GSIZE_FORMAT
                        " bytes", name, what, max);
            return false;
        }
        g_byte_array_append(data, chunk, (guint)n);
    }
    *len = data->len;
    g_byte_array_append(data, (const guint8 *)"", 1); /* NUL terminator */
    *contents = (char *)g_byte_array_free(g_steal_pointer(&data), FALSE);
    return true;
}

bool
tg_read_file(const char *path, char **contents, gsize *len, GError **error)
{
    bool is_stdin = g_strcmp0(path, "-") == 0;
    const char *name = tg_input_name(path);
    bool ok;
    int fd;

    if (!path || !*path) {
        g_set_error(error, TG_ERROR, TG_ERROR_IO, "empty file name");
        return false;
    }
    if (is_stdin) {
        fd = STDIN_FILENO;
    } else {
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
            int e = errno;
            g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: %s", name, g_strerror(e));
            return false;
        }
    }

    ok = tg_read_fd(fd, name, TG_MAX_INPUT_BYTES, 0, TG_ERROR_IO, "input", contents, len, error);
    if (!is_stdin)
        close(fd);
    return ok;
}

void
tg_file_id_from_stat(TgFileId *id, const struct stat *st)
{
    id->dev = (guint64)st->st_dev;
    id->ino = (guint64)st->st_ino;
    id->size = (guint64)st->st_size;
    id->mtime_ns = (gint64)st->st_mtim.tv_sec * G_GINT64_CONSTANT(1000000000) + st->st_mtim.tv_nsec;
    id->ctime_ns = (gint64)st->st_ctim.tv_sec * G_GINT64_CONSTANT(1000000000) + st->st_ctim.tv_nsec;
}

bool
tg_file_id_equal(const TgFileId *a, const TgFileId *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

const char *
tg_file_type_name(mode_t mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG:
        return "regular file";
    case S_IFDIR:
        return "directory";
    case S_IFIFO:
        return "FIFO";
    case S_IFSOCK:
        return "socket";
    case S_IFCHR:
        return "character device";
    case S_IFBLK:
        return "block device";
    case S_IFLNK:
        return "symbolic link";
    default:
        return "special file";
    }
}

int
tg_file_open_trusted_at(int dir_fd, const char *name, const char *path, uid_t owner_uid,
                        struct stat *st_out, GError **error)
{
    int flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
    struct stat st;
    int fd;

    if (!name || !*name) {
        g_set_error(error, TG_ERROR, TG_ERROR_IO, "empty file name");
        return -1;
    }
    if (!path)
        path = name;
    if (owner_uid == TG_TRUST_ANY_OWNER) {
        /* No owner to trust: links are followed as the kernel does. */
        fd = openat(dir_fd, name, flags);
    } else {
        /* Every symbolic link on the way must be the trusted owner's; the
         * file reached is opened with O_NOFOLLOW, so a link swapped in
         * after the walk is refused by open(2) itself. */
        g_autofree char *last = NULL;
        int dfd = tg_trust_resolve_at(dir_fd, name, path, owner_uid, 0, &last, NULL, NULL,
                                      error);

        if (dfd < 0)
            return -1;
        fd = openat(dfd, last, flags | O_NOFOLLOW);
        if (fd < 0 && errno == ELOOP) {
            close(dfd);
            g_set_error(error, TG_ERROR, TG_ERROR_PERMISSION,
                        "%s: replaced by a symbolic link while being opened", path);
            return -1;
        }
        {
            int e = errno;

            close(dfd);
            errno = e;
        }
    }
    /* O_NONBLOCK: opening a FIFO (or a device) never waits for a writer. */
    if (fd < 0) {
        int e = errno;
        g_set_error(error, TG_ERROR, e == EACCES ? TG_ERROR_PERMISSION : TG_ERROR_IO,
                    "%s: %s", path, g_strerror(e));
        return -1;
    }
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: %s", path, g_strerror(e));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        g_set_error(error, TG_ERROR, TG_ERROR_INVALID, "%s: is a %s, not a regular file", path,
                    tg_file_type_name(st.st_mode));
        return -1;
    }
    if (owner_uid != TG_TRUST_ANY_OWNER && !tg_trust_check_stat(path, &st, owner_uid, error)) {
        close(fd);
        return -1;
    }
    if (st_out)
        *st_out = st;
    return fd;
}

bool
tg_file_read_trusted_at(int dir_fd, const char *name, const char *path, uid_t owner_uid,
                        gsize max_bytes, char **contents, gsize *len, TgFileId *id,
                        GError **error)
{
    struct stat st;
    int fd = tg_file_open_trusted_at(dir_fd, name, path, owner_uid, &st, error);
    bool ok;

    if (fd < 0)
        return false;
    if (!path)
        path = name;
    /* Refused before reading: a sparse 2 GB file costs nothing to stat. */
    if ((guint64)st.st_size > (guint64)max_bytes) {
        close(fd);
        g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                    "%s: file is larger than %" G_GSIZE_FORMAT " bytes", path, max_bytes);
        return false;
    }
    ok = tg_read_fd(fd, path, max_bytes, (gsize)st.st_size, TG_ERROR_INVALID, "file", contents,
                    len, error);
    close(fd);
    if (ok && id)
        tg_file_id_from_stat(id, &st);
    return ok;
}

bool
tg_file_read_trusted(const char *path, uid_t owner_uid, gsize max_bytes,
                     char **contents, gsize *len, TgFileId *id, GError **error)
{
    return tg_file_read_trusted_at(AT_FDCWD, path, path, owner_uid, max_bytes, contents, len,
                                   id, error);
}

bool
tg_write_file_atomic(const char *path, const char *contents, gsize len,
                     GError **error)
{
    g_autoptr(GError) err = NULL;

    /* G_FILE_SET_CONSISTENT: temp file in the same directory, written and
     * fsync'd, then rename(2) over `path`: readers see the old or the new
     * file, never a partial one. */
    if (!g_file_set_contents_full(path, contents, (gssize)len,
                                  G_FILE_SET_CONTENTS_CONSISTENT, 0644, &err)) {
        g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s", err->message);
        return false;
    }
    return true;
}

TgGuestProfile *
tg_guest_profile_load(const char *path, GError **error)
{
    g_autofree char *buf = NULL;
    gsize len = 0;

    if (!tg_read_file(path, &buf, &len, error))
        return NULL;
    return tg_guest_profile_parse_xml(buf, len, tg_input_name(path), error);
}
TgHostFacts *
tg_host_facts_load(const char *path, GError **error)
{
    g_autofree char *buf = NULL;
    gsize len = 0;

    if (!tg_read_file(path, &buf, &len, error))
        return NULL;
    return tg_host_facts_parse_xml(buf, len, tg_input_name(path), error);
}
