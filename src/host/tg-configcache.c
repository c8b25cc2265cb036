/* tscgate: the compiled configuration cache (see tg-configcache.h).
 *
 * File format: one header line "tscgate-configcache FORMAT VERSION", one
 * line with the SHA-256 (hex) of the rest, then the GVariant
 * (a(sbtttxx) POLICY) in normal form: the sources (path, is a directory,
 * dev, ino, size, mtime_ns, ctime_ns) and the compiled policy.
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

#define TG_CONFIGCACHE_FORMAT 1
#define TG_SOURCE_TYPE "(sbtttxx)"

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

/* The runtime directory, created when missing (mode 0755), must be a
 * directory owned by `owner_uid` and not group/other-writable (checked on
 * the opened descriptor, never following a symbolic link). */
static bool
tg_configcache_dir_ok(const char *dir, uid_t owner_uid, GError **error)
{
    struct stat st;
    int fd;

    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        int e = errno;
        g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: %s", dir, g_strerror(e));
        return false;
    }
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: %s", dir, g_strerror(e));
        return false;
    }
    close(fd);
    return tg_trust_check_stat(dir, &st, owner_uid, error);
}

/* Does every source still have the id recorded? */
static bool
tg_configcache_fresh(GVariant *sources)
{
    GVariantIter it;
    const char *path;
    gboolean is_dir;
    TgFileId id;

    g_variant_iter_init(&it, sources);
    while (g_variant_iter_next(&it, "(&sbtttxx)", &path, &is_dir, &id.dev, &id.ino, &id.size,
                               &id.mtime_ns, &id.ctime_ns)) {
        struct stat st;
        TgFileId now;

        if (stat(path, &st) < 0 || (is_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)))
            return false;
        tg_file_id_from_stat(&now, &st);
        if (!tg_file_id_equal(&now, &id))
            return false;
    }
    return true;
}

/* Read the cache at `path`. Returns the policy, or NULL: `*note` says why
 * when the cache was there but unusable (NULL for a plain miss). */
static TgPolicy *
tg_configcache_read(const char *path, const char *policy_path, uid_t owner_uid, char **note)
{
    g_autofree char *buf = NULL;
    g_autofree char *header = tg_configcache_header();
    g_autofree char *sum = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(GVariant) v = NULL;
    g_autoptr(GVariant) sources = NULL;
    g_autoptr(GVariant) compiled = NULL;
    g_autofree char *type = NULL;
    const char *payload;
    gsize len = 0, hlen = strlen(header);
    TgPolicy *p;

    if (!tg_file_read_trusted(path, owner_uid, TG_CONFIGCACHE_MAX_BYTES, &buf, &len, NULL,
                              &err)) {
        if (!g_error_matches(err, TG_ERROR, TG_ERROR_IO) || access(path, F_OK) == 0)
            *note = g_strdup_printf("configuration cache ignored: %s", err->message);
        return NULL;
    }
    /* Another format or tscgate version: a plain miss, rewritten below. */
    if (len < hlen || memcmp(buf, header, hlen) != 0)
        return NULL;
    if (len < hlen + 65 || buf[hlen + 64] != '\n') {
        *note = g_strdup_printf("configuration cache ignored: %s: truncated", path);
        return NULL;
    }
    payload = buf + hlen + 65;
    sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)payload,
                                      len - hlen - 65);
    if (memcmp(sum, buf + hlen, 64) != 0) {
        *note = g_strdup_printf("configuration cache ignored: %s: checksum mismatch", path);
        return NULL;
    }
    /* A copy, aligned as GVariant wants it. */
    bytes = g_bytes_new(payload, len - hlen - 65);
    type = g_strdup_printf("(a" TG_SOURCE_TYPE "%s)", tg_policy_variant_type());
    v = g_variant_ref_sink(g_variant_new_from_bytes(G_VARIANT_TYPE(type), bytes, FALSE));
    if (!g_variant_is_normal_form(v)) {
        *note = g_strdup_printf("configuration cache ignored: %s: not in normal form", path);
        return NULL;
    }
    sources = g_variant_get_child_value(v, 0);
    compiled = g_variant_get_child_value(v, 1);
    if (g_variant_n_children(sources) == 0)
        return NULL;
    {
        /* The first source is policy.xml itself, under this very path. */
        g_autoptr(GVariant) first = g_variant_get_child_value(sources, 0);
        const char *first_path = NULL;

        g_variant_get_child(first, 0, "&s", &first_path);
        if (strcmp(first_path, policy_path) != 0)
            return NULL;
    }
    if (!tg_configcache_fresh(sources))
        return NULL;
    p = tg_policy_from_variant(compiled, &err);
    if (!p)
        *note = g_strdup_printf("configuration cache ignored: %s: %s", path, err->message);
    return p;
}

static bool
tg_configcache_write(const char *path, const TgPolicy *p, const GPtrArray *sources,
                     GError **error)
{
    g_autofree char *header = tg_configcache_header();
    g_autofree char *sum = NULL;
    g_autoptr(GVariant) v = NULL;
    g_autoptr(GString) out = NULL;
    GVariantBuilder b;
    gsize size;

    g_variant_builder_init(&b, G_VARIANT_TYPE("a" TG_SOURCE_TYPE));
    for (guint i = 0; i < sources->len; i++) {
        const TgConfigSource *s = sources->pdata[i];

        g_variant_builder_add(&b, TG_SOURCE_TYPE, s->path, s->is_dir, s->id.dev, s->id.ino,
                              s->id.size, s->id.mtime_ns, s->id.ctime_ns);
    }
    v = g_variant_ref_sink(g_variant_new("(a" TG_SOURCE_TYPE "@*)", &b,
                                         tg_policy_to_variant(p)));
    size = g_variant_get_size(v);
    out = g_string_sized_new(strlen(header) + 65 + size);
    g_string_append(out, header);
    {
        g_autofree guchar *data = g_malloc(size ? size : 1);

        g_variant_store(v, data);
        sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, data, size);
        g_string_append(out, sum);
        g_string_append_c(out, '\n');
        g_string_append_len(out, (const char *)data, (gssize)size);
    }
    return tg_write_file_atomic(path, out->str, out->len, error);
}

TgPolicy *
tg_configcache_load(const char *policy_path, uid_t owner_uid, const char *runtime_dir,
                    TgConfigcacheResult *result, char **note, GError **error)
{
    g_autofree char *dir = runtime_dir ? g_strdup(runtime_dir) : tg_hostcache_dir();
    g_autofree char *path = NULL;
    g_autofree char *why = NULL;
    g_autoptr(GError) derr = NULL;
    g_autoptr(GPtrArray) sources = NULL;
    TgConfigcacheResult res = TG_CONFIGCACHE_UNCACHED;
    bool usable = owner_uid != TG_TRUST_ANY_OWNER && dir && *dir &&
                  tg_configcache_dir_ok(dir, owner_uid, &derr);
    TgPolicy *p = NULL;

    if (derr)
        why = g_strdup_printf("configuration cache not used: %s", derr->message);
    if (usable) {
        path = tg_configcache_path(dir, policy_path);
        p = tg_configcache_read(path, policy_path, owner_uid, &why);
        if (p)
            res = TG_CONFIGCACHE_HIT;
    }
    if (!p) {
        sources = tg_config_sources_new();
        p = tg_policy_load_trusted(policy_path, owner_uid, sources, error);
        /* Written only by the trusted owner itself: anything else would be
         * refused on the next read. */
        if (p && usable && geteuid() == owner_uid) {
            g_autoptr(GError) werr = NULL;

            if (tg_configcache_write(path, p, sources, &werr)) {
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
    return p;
}
