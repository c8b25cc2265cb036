/* tscgate: per-boot cache of this host's probed facts (see tg-hostcache.h). */
#include <config.h>

#include "tg-hostcache.h"
#include "tg-file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef RUNSTATEDIR
#define RUNSTATEDIR "/run"
#endif

char *
tg_hostcache_dir(void)
{
    const char *env = g_getenv("TSCGATE_RUNTIME_DIR");

    if (env && *env)
        return g_strdup(env);
    return g_strdup(RUNSTATEDIR "/tscgate");
}

char *
tg_hostcache_boot_id(const char *path, GError **error)
{
    g_autofree char *buf = NULL;
    g_autoptr(GError) err = NULL;
    char *id;

    if (!path)
        path = TG_BOOT_ID_PATH;
    if (!g_file_get_contents(path, &buf, NULL, &err)) {
        g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: cannot read boot id: %s",
                    path, err->message);
        return NULL;
    }
    id = g_strstrip(buf);
    if (strlen(id) != 36 || strspn(id, "0123456789abcdef-") != 36) {
        g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                    "%s: not a boot id (36 characters of 0-9a-f and '-')", path);
        return NULL;
    }
    return g_strdup(id);
}

char *
tg_hostcache_path(const char *dir, const char *boot_id)
{
    g_autofree char *base = g_strdup_printf("hostfacts-%s.xml", boot_id);

    return g_build_filename(dir, base, NULL);
}

/* Cached facts, or NULL when the file is missing or unusable. */
static TgHostFacts *
load_cache(const char *path)
{
    g_autofree char *buf = NULL;
    gsize len = 0;

    if (!g_file_get_contents(path, &buf, &len, NULL))
        return NULL;
    return tg_host_facts_parse_xml(buf, len, path, NULL);
}

TgHostFacts *
tg_hostcache_get(const char *dir, const char *boot_id,
                 TgHostcacheProbeFunc probe, gpointer user_data,
                 TgHostcacheResult *result, GError **cache_error)
{
    g_autofree char *path = NULL;
    g_autofree char *xml = NULL;
    TgHostFacts *facts;
    GError *err = NULL;
    int dfd;

    if (result)
        *result = TG_HOSTCACHE_UNCACHED;
    if (!dir || !boot_id) {
        g_set_error(cache_error, TG_ERROR, TG_ERROR_IO,
                    "probe cache disabled: no runtime directory or boot id");
        return probe(user_data);
    }
    path = tg_hostcache_path(dir, boot_id);
    facts = load_cache(path);
    if (facts) {
        if (result)
            *result = TG_HOSTCACHE_HIT;
        return facts;
    }

    if (g_mkdir_with_parents(dir, 0755) != 0) {
        int e = errno;

        g_set_error(cache_error, TG_ERROR, TG_ERROR_IO,
                    "%s: cannot create runtime directory: %s", dir, g_strerror(e));
        return probe(user_data);
    }
    /* Serialise probing: the first hook probes and stores, the others wait
     * here and then find the cache. The lock is on the directory itself, so
     * no extra file is needed. */
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0 && flock(dfd, LOCK_EX) == 0) {
        facts = load_cache(path);
        if (facts) {
            close(dfd);
            if (result)
                *result = TG_HOSTCACHE_HIT;
            return facts;
        }
    }

    facts = probe(user_data);
    xml = tg_host_facts_format_xml(facts);
    if (tg_write_file_atomic(path, xml, strlen(xml), &err)) {
        if (result)
            *result = TG_HOSTCACHE_STORED;
    } else {
        g_propagate_error(cache_error, err);
    }
    if (dfd >= 0)
        close(dfd); /* releases the lock */
    return facts;
}
