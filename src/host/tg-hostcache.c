/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: per-boot cache of this host's probed facts (see tg-hostcache.h). */
#include <config.h>

#include "tg-hostcache.h"
#include "tg-file.h"
#include "tg-trust.h"

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

/* Facts worth caching (and worth reading from a cache): the KVM rate and
 * scaling known. A probe that failed for a moment (no /dev/kvm yet,
 * EACCES) must not speak for the rest of the boot. Returns false with
 * `error` giving the probe's own reason. */
static bool
facts_complete(const TgHostFacts *f, GError **error)
{
    if (!f->tsc_hz.note.known) {
        g_set_error(error, TG_ERROR, TG_ERROR_INVALID, "TSC rate unknown: %s",
                    f->tsc_hz.note.reason ? f->tsc_hz.note.reason : "no reason given");
        return false;
    }
    if (!f->tsc_scaling.note.known) {
        g_set_error(error, TG_ERROR, TG_ERROR_INVALID, "TSC scaling unknown: %s",
                    f->tsc_scaling.note.reason ? f->tsc_scaling.note.reason : "no reason given");
        return false;
    }
    return true;
}

int
tg_hostcache_open_dir(const char *dir, uid_t owner_uid, GError **error)
{
    struct stat st;
    int dfd;

    if (g_mkdir_with_parents(dir, 0700) != 0) {
        int e = errno;

        g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: cannot create runtime directory: %s",
                    dir, g_strerror(e));
        return -1;
    }
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (dfd < 0) {
        int e = errno;

        g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: cannot open runtime directory: %s",
                    dir, e == ELOOP ? "is a symbolic link" : g_strerror(e));
        return -1;
    }
    if (fstat(dfd, &st) != 0) {
        int e = errno;

        close(dfd);
        g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: %s", dir, g_strerror(e));
        return -1;
    }
    if (!tg_trust_check_stat(dir, &st, owner_uid, error)) {
        close(dfd);
        return -1;
    }
    return dfd;
}

/* The cached facts in `dfd`/`name`: a trusted regular file of at most
 * TG_HOSTCACHE_MAX_BYTES holding complete facts. Returns them, or NULL:
 * with `error` when a file is there but unusable, without when there is
 * none. */
static TgHostFacts *
load_cache(int dfd, const char *name, const char *path, uid_t owner_uid, GError **error)
{
    g_autofree char *buf = NULL;
    g_autoptr(TgHostFacts) f = NULL;
    g_autoptr(GError) err = NULL;
    struct stat st;
    gsize len = 0;

    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT)
        return NULL;
    if (!tg_file_read_trusted_at(dfd, name, path, owner_uid, TG_HOSTCACHE_MAX_BYTES, &buf, &len,
                                 NULL, error))
        return NULL;
    f = tg_host_facts_parse_xml(buf, len, path, error);
    if (!f)
        return NULL;
    if (!facts_complete(f, &err)) {
        g_set_error(error, TG_ERROR, TG_ERROR_INVALID, "%s: cached facts hold no TSC rate or "
                    "scaling (%s)", path, err->message);
        return NULL;
    }
    return g_steal_pointer(&f);
}

/* Take the probe lock on the runtime directory without ever blocking:
 * flock(LOCK_NB) retried for at most TG_HOSTCACHE_LOCK_WAIT_MS. Returns
 * whether it is held; when not, the caller probes and stores all the
 * same (temp file and rename(2) need no lock; the lock only spares
 * concurrent gates a probe each). */
static bool
try_lock(int dfd)
{
    gint64 until = g_get_monotonic_time() + TG_HOSTCACHE_LOCK_WAIT_MS * 1000;

    for (;;) {
        if (flock(dfd, LOCK_EX | LOCK_NB) == 0)
            return true;
        if (errno != EWOULDBLOCK && errno != EINTR)
            return false;
        if (g_get_monotonic_time() >= until)
            return false;
        g_usleep(5000);
    }
}

/* Write `xml` to `dfd`/`name` atomically: a new temp file (O_EXCL,
 * O_NOFOLLOW, mode 0644) in the same directory, then renameat(2). */
static bool
store_cache(int dfd, const char *name, const char *path, const char *xml, GError **error)
{
    g_autofree char *tmp = NULL;
    gsize len = strlen(xml);
    const char *p = xml;
    int fd = -1;

    for (int tries = 0; fd < 0 && tries < 16; tries++) {
        g_free(tmp);
        tmp = g_strdup_printf(".%s.%08x%08x", name, g_random_int(), g_random_int());
        fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        int e = errno;

        g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: cannot create a temporary file: %s",
                    path, g_strerror(e));
        return false;
    }
    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        p += n;
        len -= (gsize)n;
    }
    if (len > 0 || fchmod(fd, 0644) != 0 || fsync(fd) != 0 || close(fd) != 0 ||
        (fd = -1, renameat(dfd, tmp, dfd, name) != 0)) {
        int e = errno;

        if (fd >= 0)
            close(fd);
        unlinkat(dfd, tmp, 0);
        g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: cannot store: %s", path,
                    len > 0 && e == 0 ? "short write" : g_strerror(e));
        return false;
    }
    return true;
}

/* Append `add` to the note in `*acc`. */
static void
add_note(GError **acc, GError *add)
{
    if (!add)
        return;
    if (!*acc) {
        *acc = add;
        return;
    }
    g_prefix_error(&add, "%s; ", (*acc)->message);
    g_error_free(*acc);
    *acc = add;
}

/* What the cache file says of a per-run fact. */
#define TG_HOSTCACHE_PER_RUN "not cached: read at every run"

TgHostFacts *
tg_hostcache_get(const char *dir, const char *boot_id, uid_t owner_uid,
                 TgHostcacheProbeFunc probe, TgHostcacheRefreshFunc refresh,
                 gpointer user_data,
                 TgHostcacheResult *result, GError **cache_error)
{
    g_autofree char *path = NULL;
    g_autofree char *name = NULL;
    g_autofree char *xml = NULL;
    TgHostFacts *facts;
    GError *note = NULL;
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
    name = g_path_get_basename(path);
    dfd = tg_hostcache_open_dir(dir, owner_uid, &note);
    if (dfd < 0) {
        /* Neither read nor written: what another user could plant there is
         * not this host's facts. */
        facts = probe(user_data);
        if (!facts_complete(facts, &err))
            g_prefix_error(&err, "failed probe: ");
        add_note(&note, err);
        g_propagate_error(cache_error, note);
        return facts;
    }

    facts = load_cache(dfd, name, path, owner_uid, &note);
    if (!facts && try_lock(dfd)) {
        /* Another gate may have stored it while this one waited. */
        g_clear_error(&note);
        facts = load_cache(dfd, name, path, owner_uid, &note);
    }
    if (facts) {
        close(dfd);
        g_clear_error(&note);
        if (result)
            *result = TG_HOSTCACHE_HIT;
        /* A cache of an older tscgate may hold them: never used. */
        tg_host_facts_drop_per_run(facts, TG_HOSTCACHE_PER_RUN);
        if (refresh)
            refresh(facts, user_data);
        return facts;
    }

    facts = probe(user_data);
    if (!facts_complete(facts, &err)) {
        g_prefix_error(&err, "failed probe not stored: ");
        add_note(&note, err);
    } else {
        g_autoptr(TgHostFacts) fixed = tg_host_facts_copy(facts);

        tg_host_facts_drop_per_run(fixed, TG_HOSTCACHE_PER_RUN);
        xml = tg_host_facts_format_xml(fixed);
        if (store_cache(dfd, name, path, xml, &err)) {
            if (result)
                *result = TG_HOSTCACHE_STORED;
        } else {
            add_note(&note, err);
        }
    }
    close(dfd); /* releases the lock */
    if (note)
        g_propagate_error(cache_error, note);
    return facts;
}
