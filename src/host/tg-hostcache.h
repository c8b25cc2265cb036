/* tscgate: this host's probed facts, cached once per boot.
 *
 * Probing creates a KVM VM (virHostCPUGetTscInfo does the same in libvirt),
 * too costly for every migration. The result is kept as
 * RUNTIME_DIR/hostfacts-<boot_id>.xml (tg_host_facts_format_xml form), keyed
 * on /proc/sys/kernel/random/boot_id so a reboot (new TSC calibration)
 * probes again. The file is written atomically (temp file + rename) under
 * an flock(2) on the runtime directory, so concurrent hooks probe once and
 * never read a half-written cache.
 */
#ifndef TG_HOSTCACHE_H
#define TG_HOSTCACHE_H

#include "tg-hostfacts.h"

G_BEGIN_DECLS

#define TG_BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"

/* The runtime directory: $TSCGATE_RUNTIME_DIR when set and non-empty, else
 * RUNSTATEDIR "/tscgate". Newly allocated (g_free). */
char *tg_hostcache_dir(void);

/* Read the boot id from `path` (NULL = TG_BOOT_ID_PATH): 36 characters of
 * [0-9a-f-]. Returns a new string (g_free), or NULL with `error`
 * (TG_ERROR_IO unreadable, TG_ERROR_INVALID malformed). */
char *tg_hostcache_boot_id(const char *path, GError **error);

/* "DIR/hostfacts-BOOTID.xml", newly allocated. */
char *tg_hostcache_path(const char *dir, const char *boot_id);

typedef TgHostFacts *(*TgHostcacheProbeFunc)(gpointer user_data);

typedef enum {
    TG_HOSTCACHE_HIT = 0,   /* read from the cache file */
    TG_HOSTCACHE_STORED,    /* probed now and stored */
    TG_HOSTCACHE_UNCACHED,  /* probed now, cache unusable (see cache_error) */
} TgHostcacheResult;

/* Returns this host's facts from the cache in `dir` for `boot_id`, or calls
 * `probe(user_data)` (which never fails as a whole) and stores its result.
 * A missing, unreadable or unparseable cache file is replaced. When `dir`
 * or `boot_id` is NULL, or the directory cannot be created or written, the
 * facts are probed and returned all the same, `*result` is
 * TG_HOSTCACHE_UNCACHED and `cache_error` (nullable) says why. Returns a new
 * object (tg_host_facts_free); `result` may be NULL. */
TgHostFacts *tg_hostcache_get(const char *dir, const char *boot_id,
                              TgHostcacheProbeFunc probe, gpointer user_data,
                              TgHostcacheResult *result, GError **cache_error);

G_END_DECLS

#endif /* TG_HOSTCACHE_H */
