/* tscgate: reading and writing whole files, and loading the parsed models
 * from files (see tg-file.h). */
#include <config.h>

#include "tg-file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

bool
tg_read_file(const char *path, char **contents, gsize *len, GError **error)
{
    bool is_stdin = g_strcmp0(path, "-") == 0;
    const char *name = is_stdin ? TG_STDIN_NAME : path;
    g_autoptr(GByteArray) data = NULL;
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

    data = g_byte_array_new();
    for (;;) {
        guint8 chunk[65536];
        ssize_t n = read(fd, chunk, sizeof(chunk));

        if (n < 0) {
            int e = errno;
            if (e == EINTR)
                continue;
            if (!is_stdin)
                close(fd);
            g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: %s", name, g_strerror(e));
            return false;
        }
        if (n == 0)
            break;
        if (data->len + (gsize)n > TG_MAX_INPUT_BYTES) {
            if (!is_stdin)
                close(fd);
            g_set_error(error, TG_ERROR, TG_ERROR_IO,
                        "%s: input is larger than %u bytes", name, TG_MAX_INPUT_BYTES);
            return false;
        }
        g_byte_array_append(data, chunk, (guint)n);
    }
    if (!is_stdin)
        close(fd);

    *len = data->len;
    g_byte_array_append(data, (const guint8 *)"", 1); /* NUL terminator */
    *contents = (char *)g_byte_array_free(g_steal_pointer(&data), FALSE);
    return true;
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
    return tg_guest_profile_parse_xml(buf, len, g_strcmp0(path, "-") == 0 ? TG_STDIN_NAME : path,
                                      error);
}
TgHostFacts *
tg_host_facts_load(const char *path, GError **error)
{
    g_autofree char *buf = NULL;
    gsize len = 0;

    if (!tg_read_file(path, &buf, &len, error))
        return NULL;
    return tg_host_facts_parse_xml(buf, len, g_strcmp0(path, "-") == 0 ? TG_STDIN_NAME : path,
                                   error);
}

TgPolicy *
tg_policy_load(const char *path, GError **error)
{
    g_autofree char *buf = NULL;
    gsize len = 0;

    if (!tg_read_file(path, &buf, &len, error))
        return NULL;
    return tg_policy_parse_xml(buf, len, path, error);
}

bool
tg_policy_validate_file(const char *path, GPtrArray **problems)
{
    g_autofree char *buf = NULL;
    g_autoptr(GError) err = NULL;
    gsize len = 0;

    if (!tg_read_file(path, &buf, &len, &err)) {
        if (problems) {
            *problems = g_ptr_array_new_with_free_func(g_free);
            g_ptr_array_add(*problems, g_strdup(err->message));
        }
        return false;
    }
    return tg_policy_validate_buffer(buf, len, path, problems);
}
