/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: loading a policy and its host inventories from files (see
 * tg-inventory.h). */
#include <config.h>

#include "tg-inventory.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tg-trust.h"

void
tg_config_source_free(gpointer data)
{
    TgConfigSource *s = data;

    g_free(s->path);
    g_free(s);
}

GPtrArray *
tg_config_sources_new(void)
{
    return g_ptr_array_new_with_free_func(tg_config_source_free);
}

static void
tg_config_source_add(GPtrArray *sources, const char *path, const TgFileId *id, bool is_dir)
{
    TgConfigSource *s;

    if (!sources)
        return;
    s = g_new0(TgConfigSource, 1);
    s->path = g_strdup(path);
    s->id = *id;
    s->is_dir = is_dir;
    g_ptr_array_add(sources, s);
}

typedef struct {
    uid_t owner_uid;
    GPtrArray *sources;   /* nullable */
    GError *trust_error;  /* the first trust failure, reported as is by the gate */
} TgInventoryCtx;

/* Report `err` (its message names the path) as a problem of `dir`, for an
 * `entry` of it or the directory itself; a trust failure
 * (TG_ERROR_PERMISSION) is also kept for the caller. */
static void
tg_inventory_problem(TgInventoryCtx *ctx, TgPolicyDirectory *dir, bool entry,
                     const GError *err)
{
    g_autofree char *msg = entry ? g_strdup_printf("<host-directory>: %s", err->message)
                                 : g_strdup(err->message);

    tg_policy_directory_problem(dir, msg);
    if (!ctx->trust_error && g_error_matches(err, TG_ERROR, TG_ERROR_PERMISSION))
        ctx->trust_error = g_error_copy(err);
}

/* Open the directory `path` without blocking and, unless `owner_uid` is
 * TG_TRUST_ANY_OWNER, trust-check it on the descriptor. A symbolic link on
 * the way is followed only when the trusted owner owns it, every link of a
 * chain (tg_trust_resolve_at(), as tg_file_open_trusted_at() does for files).
 * Returns the stream (closedir) or NULL with `error`. */
static DIR *
tg_inventory_open_dir(const char *path, uid_t owner_uid, TgFileId *id, GError **error)
{
    int flags = O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC;
    struct stat st;
    DIR *d;
    int fd;

    if (owner_uid == TG_TRUST_ANY_OWNER) {
        fd = open(path, flags);
    } else {
        g_autoptr(GError) rerr = NULL;
        g_autofree char *last = NULL;
        int e = 0;
        int dfd = tg_trust_resolve_at(AT_FDCWD, path, path, owner_uid, 0, &last, NULL, &e,
                                      &rerr);

        if (dfd < 0) {
            /* A failed call is named like the other directory errors; a
             * link of another owner or too many links as they are. */
            if (e)
                g_set_error(error, TG_ERROR, e == EACCES ? TG_ERROR_PERMISSION : TG_ERROR_IO,
                            "<host-directory> '%s': %s", path, g_strerror(e));
            else
                g_propagate_error(error, g_steal_pointer(&rerr));
            return NULL;
        }
        fd = openat(dfd, last, flags | O_NOFOLLOW);
        e = errno;
        close(dfd);
        errno = e;
    }
    if (fd < 0 || fstat(fd, &st) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        g_set_error(error, TG_ERROR, e == EACCES ? TG_ERROR_PERMISSION : TG_ERROR_IO,
                    "<host-directory> '%s': %s", path, g_strerror(e));
        return NULL;
    }
    if (owner_uid != TG_TRUST_ANY_OWNER && !tg_trust_check_stat(path, &st, owner_uid, error)) {
        close(fd);
        return NULL;
    }
    if (!(d = fdopendir(fd))) {
        int e = errno;
        close(fd);
        g_set_error(error, TG_ERROR, TG_ERROR_IO, "<host-directory> '%s': %s", path,
                    g_strerror(e));
        return NULL;
    }
    tg_file_id_from_stat(id, &st);
    return d;
}

static int
tg_str_ptr_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Does `name` end in ".xml" in any case ("hostb.XML", "hostb.Xml")? */
static bool
tg_inventory_xml_suffix_any_case(const char *name)
{
    size_t n = strlen(name);

    return n >= 4 && g_ascii_strcasecmp(name + n - 4, ".xml") == 0;
}

/* The names in `d` that end in ".xml" in any case and do not start with a
 * dot, sorted: the host facts files, and the ones misnamed *.XML, which
 * are errors rather than silently left out. */
static GPtrArray *
tg_inventory_names(DIR *d)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    struct dirent *ent;

    while ((ent = readdir(d)))
        if (ent->d_name[0] != '.' && tg_inventory_xml_suffix_any_case(ent->d_name))
            g_ptr_array_add(names, g_strdup(ent->d_name));
    g_ptr_array_sort(names, tg_str_ptr_cmp);
    return names;
}

/* Read one directory of `tscgate probe` outputs, in name order. Every
 * entry named *.xml must be a usable host facts file: a dangling symbolic
 * link (shared storage not mounted), a FIFO or a directory is an error, as
 * a host left out could have denied the guest. So are an entry named
 * *.XML (any other case), which an admin meant as a host, and a directory
 * with no *.xml entry at all: the empty mount point of a share that is not
 * mounted. Other names (README, dot files) are not hosts and are left
 * alone. */
static void
tg_inventory_read_dir(const char *path, TgPolicyDirectory *dir, gpointer user_data)
{
    TgInventoryCtx *ctx = user_data;
    g_autoptr(GPtrArray) names = NULL;
    g_autoptr(GError) derr = NULL;
    TgFileId id;
    DIR *d;

    if (!(d = tg_inventory_open_dir(path, ctx->owner_uid, &id, &derr))) {
        tg_inventory_problem(ctx, dir, false, derr);
        return;
    }
    tg_config_source_add(ctx->sources, path, &id, true);
    names = tg_inventory_names(d);

    if (names->len == 0) {
        g_autofree char *msg = g_strdup_printf("<host-directory> '%s': no host facts file "
                                               "(*.xml) in it", path);

        closedir(d);
        tg_policy_directory_problem(dir, msg);
        return;
    }
    for (guint i = 0; i < names->len; i++) {
        const char *fname = names->pdata[i];
        g_autofree char *fpath = g_build_filename(path, fname, NULL);
        g_autofree char *buf = NULL;
        g_autoptr(GError) err = NULL;
        gsize len = 0;

        if (!g_str_has_suffix(fname, ".xml")) {
            g_autofree char *msg = g_strdup_printf("<host-directory>: %s: not read: only names "
                                                   "ending in .xml (lower case) are host facts "
                                                   "files; rename it", fpath);

            tg_policy_directory_problem(dir, msg);
            continue;
        }

        /* Opened without blocking, regular files only, trust-checked on
         * the descriptor (tg-file.h), relative to the directory checked
         * above, so that it cannot be swapped for another meanwhile. */
        if (!tg_file_read_trusted_at(dirfd(d), fname, fpath, ctx->owner_uid,
                                     TG_MAX_INPUT_BYTES, &buf, &len, &id, &err)) {
            tg_inventory_problem(ctx, dir, true, err);
            continue;
        }
        tg_config_source_add(ctx->sources, fpath, &id, false);
        tg_policy_directory_add_facts(dir, fname, fpath, buf, len);
    }
    closedir(d);
}

static TgPolicy *
tg_inventory_read(const char *buf, gsize len, const char *filename, uid_t owner_uid,
                  GPtrArray *sources, GPtrArray *problems, TgErrorCode *first_code,
                  GError **trust_error)
{
    TgInventoryCtx ctx = { owner_uid, sources, NULL };
    TgPolicyInventoryReader reader = { tg_inventory_read_dir, &ctx };
    TgPolicy *p = tg_policy_read_xml(buf, len, filename, &reader, problems, first_code);

    if (ctx.trust_error)
        g_propagate_error(trust_error, ctx.trust_error);
    return p;
}

TgPolicy *
tg_inventory_read_policy(const char *buf, gsize len, const char *filename, uid_t owner_uid,
                         GPtrArray *sources, GPtrArray *problems, TgErrorCode *first_code)
{
    return tg_inventory_read(buf, len, filename, owner_uid, sources, problems, first_code,
                             NULL);
}

static TgPolicy *
tg_policy_from_buffer(const char *buf, gsize len, const char *path, uid_t owner_uid,
                      GPtrArray *sources, GError **error)
{
    g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) trust_error = NULL;
    TgErrorCode code = TG_ERROR_INVALID;
    TgPolicy *p = tg_inventory_read(buf, len, path, owner_uid, sources, problems, &code,
                                    &trust_error);

    /* A file or directory that fails its trust check is named as such,
     * like policy.xml itself, whatever else is wrong. */
    if (trust_error)
        g_propagate_error(error, g_steal_pointer(&trust_error));
    else if (!p)
        tg_policy_problems_to_error(problems, code, error);
    return p;
}

TgPolicy *
tg_policy_load_trusted(const char *path, uid_t owner_uid, GPtrArray *sources, char **digest,
                       GError **error)
{
    g_autofree char *buf = NULL;
    gsize len = 0;
    TgFileId id;

    if (!tg_file_read_trusted(path, owner_uid, TG_MAX_INPUT_BYTES, &buf, &len, &id, error))
        return NULL;
    /* the bytes read, valid or not: a policy-error record names them too */
    if (digest)
        *digest = tg_host_facts_policy_digest(buf, len);
    tg_config_source_add(sources, path, &id, false);
    return tg_policy_from_buffer(buf, len, path, owner_uid, sources, error);
}

TgPolicy *
tg_policy_load(const char *path, char **digest, GError **error)
{
    g_autofree char *buf = NULL;
    gsize len = 0;
    TgPolicy *p;

    if (!tg_read_file(path, &buf, &len, error))
        return NULL;
    p = tg_policy_from_buffer(buf, len, tg_input_name(path), TG_TRUST_ANY_OWNER, NULL, error);
    /* the digest of the very bytes parsed: stdin and a file that changes
     * cannot be read twice */
    if (p && digest)
        *digest = tg_host_facts_policy_digest(buf, len);
    return p;
}

bool
tg_policy_validate_inventory(const char *buf, gsize len, const char *filename,
                             GPtrArray **problems)
{
    GPtrArray *pr = g_ptr_array_new_with_free_func(g_free);
    TgPolicy *p = tg_inventory_read_policy(buf, len, filename, TG_TRUST_ANY_OWNER, NULL, pr,
                                           NULL);
    bool ok = p != NULL;

    tg_policy_free(p);
    if (problems)
        *problems = pr;
    else
        g_ptr_array_unref(pr);
    return ok;
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
    return tg_policy_validate_inventory(buf, len, path, problems);
}
