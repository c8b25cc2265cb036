/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: the compiled configuration cache (see tg-configcache.h).
 *
 * File format: a header line "tscgate-configcache FORMAT VERSION", a line
 * with the SHA-256 (hex) of everything after it, a line "digest D" (D:
 * policy.xml's digest, tg_host_facts_policy_digest), a line "sources N", N
 * lines "d|f DEV INO SIZE MTIME_NS CTIME_NS PATH" (PATH as g_strescape()
 * writes it; the first is policy.xml), then the compiled policy
 * (tg_policy_compile) to the end of the file.
 */
#include <config.h>

#include "tg-configcache.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tg-file.h"
#include "tg-hostcache.h"
#include "tg-inventory.h"
#include "tg-trust.h"

#define TG_CONFIGCACHE_FORMAT 2

char *
tg_configcache_path(const char *runtime_dir, const char *policy_path)
{
    g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, policy_path, -1);
    g_autofree char *name = g_strdup_printf("policy-%.16s.cache", sum);

    return g_build_filename(runtime_dir, name, NULL);
}

static char *
tg_configcache_header(void)
{
    return g_strdup_printf("tscgate-configcache %d %s\n", TG_CONFIGCACHE_FORMAT,
                           PACKAGE_VERSION);
}

/* The next line of [*p, end) without its newline (newly allocated), or
 * NULL when there is none. */
static char *
tg_next_line(const char **p, const char *end)
{
    const char *nl = memchr(*p, '\n', (gsize)(end - *p));
    char *line;

    if (!nl)
        return NULL;
    line = g_strndup(*p, (gsize)(nl - *p));
    *p = nl + 1;
    return line;
}

/* The next space-terminated decimal field of `*p` (advanced past the
 * space). Returns false when there is none. */
static bool
tg_next_u64(const char **p, guint64 *out)
{
    const char *q = *p;
    guint64 v = 0;

    if (!g_ascii_isdigit(*q))
        return false;
    for (; g_ascii_isdigit(*q); q++) {
        guint d = (guint)(*q - '0');

        if (v > (G_MAXUINT64 - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (*q != ' ')
        return false;
    *p = q + 1;
    *out = v;
    return true;
}

/* The directory of the last source checked, open, so that the files of
 * an inventory directory are looked up by name in it (one path component
 * instead of the whole path each time). */
typedef struct {
    char *dir;
    int fd;
} TgStatDir;

static void
tg_stat_dir_clear(TgStatDir *sd)
{
    g_clear_pointer(&sd->dir, g_free);
    if (sd->fd >= 0)
        close(sd->fd);
    sd->fd = -1;
}

/* stat(2) of `path`, following symbolic links as stat(2) does. */
static int
tg_stat_in(TgStatDir *sd, const char *path, struct stat *st)
{
    const char *slash = strrchr(path, '/');

    if (!slash || slash == path)
        return stat(path, st);
    if (!sd->dir || strncmp(sd->dir, path, (gsize)(slash - path)) != 0 ||
        sd->dir[slash - path] != '\0') {
        tg_stat_dir_clear(sd);
        sd->dir = g_strndup(path, (gsize)(slash - path));
        sd->fd = open(sd->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
    if (sd->fd < 0)
        return stat(path, st);
    return fstatat(sd->fd, slash + 1, st, 0);
}

/* One source line "d|f DEV INO SIZE MTIME CTIME PATH": is its file or
 * directory still the version recorded? Sets *bad for a line that does not
 * parse. The first source must be `policy_path` itself. */
static bool
tg_configcache_source_fresh(TgStatDir *sd, const char *line, bool first,
                            const char *policy_path, bool *bad)
{
    g_autofree char *path = NULL;
    const char *p = line + 2;
    TgFileId id, now;
    struct stat st;
    guint64 v[5];
    bool is_dir;

    if ((line[0] != 'd' && line[0] != 'f') || line[1] != ' ') {
        *bad = true;
        return false;
    }
    for (int i = 0; i < 5; i++) {
        if (!tg_next_u64(&p, &v[i])) {
            *bad = true;
            return false;
        }
    }
    is_dir = line[0] == 'd';
    id = (TgFileId){ v[0], v[1], v[2], (gint64)v[3], (gint64)v[4] };
    /* g_strescape() output: only escaped paths need decoding */
    path = strchr(p, '\\') ? g_strcompress(p) : g_strdup(p);
    if (first && (is_dir || strcmp(path, policy_path) != 0))
        return false;
    if (tg_stat_in(sd, path, &st) < 0 ||
        (is_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)))
        return false;
    tg_file_id_from_stat(&now, &st);
    return tg_file_id_equal(&now, &id);
}

/* Read the cache at `path`, `name` in the runtime directory open as
 * `dfd`. Returns the policy, or NULL: `*note` says why when the cache was
 * there but unusable (NULL for a plain miss: none yet, another format or
 * version, a source changed). */
static TgPolicy *
tg_configcache_read(int dfd, const char *name, const char *path, const char *policy_path,
                    uid_t owner_uid, char **note, char **digest)
{
    g_autofree char *buf = NULL;
    g_autofree char *header = tg_configcache_header();
    g_autofree char *sum = NULL;
    g_autofree char *digest_line = NULL;
    g_autofree char *count_line = NULL;
    g_autoptr(GError) err = NULL;
    gsize len = 0, hlen = strlen(header);
    const char *p, *end;
    guint64 n = 0;
    bool bad = false;
    TgStatDir sd = { NULL, -1 };
    TgPolicy *pol;

    if (!tg_file_read_trusted_at(dfd, name, path, owner_uid, TG_CONFIGCACHE_MAX_BYTES, &buf,
                                 &len, NULL, &err)) {
        if (!g_error_matches(err, TG_ERROR, TG_ERROR_IO) || faccessat(dfd, name, F_OK, 0) == 0)
            *note = g_strdup_printf("configuration cache ignored: %s", err->message);
        return NULL;
    }
    if (len < hlen || memcmp(buf, header, hlen) != 0)
        return NULL;
    if (len < hlen + 65 || buf[hlen + 64] != '\n') {
        *note = g_strdup_printf("configuration cache ignored: %s: truncated", path);
        return NULL;
    }
    p = buf + hlen + 65;
    end = buf + len;
    sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)p, (gsize)(end - p));
    if (memcmp(sum, buf + hlen, 64) != 0) {
        *note = g_strdup_printf("configuration cache ignored: %s: checksum mismatch", path);
        return NULL;
    }
    digest_line = tg_next_line(&p, end);
    if (!digest_line || !g_str_has_prefix(digest_line, "digest ") || !digest_line[7]) {
        *note = g_strdup_printf("configuration cache ignored: %s: no policy digest", path);
        return NULL;
    }
    count_line = tg_next_line(&p, end);
    if (!count_line || !g_str_has_prefix(count_line, "sources ") ||
        !tg_parse_u64(count_line + 8, &n) || n == 0 || n > len) {
        *note = g_strdup_printf("configuration cache ignored: %s: no source list", path);
        return NULL;
    }
    for (guint64 i = 0; i < n; i++) {
        g_autofree char *line = tg_next_line(&p, end);
        bool fresh;

        if (!line) {
            bad = true;
            break;
        }
        fresh = tg_configcache_source_fresh(&sd, line, i == 0, policy_path, &bad);
        if (bad)
            break;
        /* A source changed: a plain miss. */
        if (!fresh) {
            tg_stat_dir_clear(&sd);
            return NULL;
        }
    }
    tg_stat_dir_clear(&sd);
    if (bad) {
        *note = g_strdup_printf("configuration cache ignored: %s: bad source list", path);
        return NULL;
    }
    pol = tg_policy_from_compiled((const guint8 *)p, (gsize)(end - p), &err);
    if (!pol)
        *note = g_strdup_printf("configuration cache ignored: %s: %s", path, err->message);
    else if (digest)
        *digest = g_strdup(digest_line + 7);
    return pol;
}

static bool
tg_configcache_write(const char *path, const TgPolicy *p, const char *digest,
                     const GPtrArray *sources, GError **error)
{
    g_autofree char *header = tg_configcache_header();
    g_autofree char *sum = NULL;
    g_autoptr(GByteArray) body = g_byte_array_new();
    g_autoptr(GString) out = NULL;
    g_autofree char *digest_line = g_strdup_printf("digest %s\n", digest);
    g_autofree char *count = g_strdup_printf("sources %u\n", sources->len);

    g_byte_array_append(body, (const guint8 *)digest_line, (guint)strlen(digest_line));
    g_byte_array_append(body, (const guint8 *)count, (guint)strlen(count));
    for (guint i = 0; i < sources->len; i++) {
        const TgConfigSource *s = sources->pdata[i];
        g_autofree char *esc = g_strescape(s->path, NULL);
        g_autofree char *line = g_strdup_printf(
            "%c %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %"
            G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %s\n", s->is_dir ? 'd' : 'f', s->id.dev,
            s->id.ino, s->id.size, (guint64)s->id.mtime_ns, (guint64)s->id.ctime_ns, esc);

        g_byte_array_append(body, (const guint8 *)line, (guint)strlen(line));
    }
    tg_policy_compile(p, body);
    sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, body->data, body->len);
    out = g_string_sized_new(strlen(header) + 65 + body->len);
    g_string_append(out, header);
    g_string_append(out, sum);
    g_string_append_c(out, '\n');
    g_string_append_len(out, (const char *)body->data, (gssize)body->len);
    return tg_write_file_atomic(path, out->str, out->len, error);
}

TgPolicy *
tg_configcache_load(const char *policy_path, uid_t owner_uid, const char *runtime_dir,
                    TgConfigcacheResult *result, char **note, char **digest, GError **error)
{
    g_autofree char *sum = NULL;
    g_autofree char *dir = runtime_dir ? g_strdup(runtime_dir) : tg_hostcache_dir();
    g_autofree char *path = NULL;
    g_autofree char *why = NULL;
    g_autoptr(GError) derr = NULL;
    g_autoptr(GPtrArray) sources = NULL;
    TgConfigcacheResult res = TG_CONFIGCACHE_UNCACHED;
    int dfd = owner_uid != TG_TRUST_ANY_OWNER && dir && *dir
                  ? tg_hostcache_open_dir(dir, owner_uid, &derr) : -1;
    bool usable = dfd >= 0;
    TgPolicy *p = NULL;

    if (derr)
        why = g_strdup_printf("configuration cache not used: %s", derr->message);
    if (usable) {
        g_autofree char *name = NULL;

        path = tg_configcache_path(dir, policy_path);
        name = g_path_get_basename(path);
        p = tg_configcache_read(dfd, name, path, policy_path, owner_uid, &why, &sum);
        close(dfd);
        if (p)
            res = TG_CONFIGCACHE_HIT;
    }
    if (!p) {
        sources = tg_config_sources_new();
        p = tg_policy_load_trusted(policy_path, owner_uid, sources, &sum, error);
        /* Written only by the trusted owner itself: anything else would be
         * refused on the next read. */
        if (p && usable && geteuid() == owner_uid) {
            g_autoptr(GError) werr = NULL;

            if (tg_configcache_write(path, p, sum, sources, &werr)) {
                res = TG_CONFIGCACHE_STORED;
            } else if (!why) {
                why = g_strdup_printf("configuration cache not written: %s", werr->message);
            }
        }
    }
    if (result)
        *result = res;
    if (note)
        *note = g_steal_pointer(&why);
    if (digest)
        *digest = g_steal_pointer(&sum);
    return p;
}
