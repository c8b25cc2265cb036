/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: this host's probed facts, cached once per boot.
 *
 * Probing creates a KVM VM (virHostCPUGetTscInfo does the same in libvirt),
 * too costly for every migration. The result is kept as
 * RUNTIME_DIR/hostfacts-<boot_id>.xml (tg_host_facts_format_xml form), keyed
 * on /proc/sys/kernel/random/boot_id so a reboot (new TSC calibration)
 * probes again. The file is written atomically (temp file + rename), so a
 * reader never sees a half-written cache.
 *
 * Facts that change during a boot (clock synchronisation, clocksource,
 * the kernel's TSC-unstable mark, the cpufreq policy) are not cached: a
 * host unsynchronised at its first run would otherwise keep that verdict
 * until reboot. They are read at every run (tg_probe_per_run()).
 *
 * Nothing here waits on anybody else: concurrent gates serialise their
 * probes with a non-blocking flock(2) on the runtime directory, given up
 * after TG_HOSTCACHE_LOCK_WAIT_MS (then they probe too, which is
 * harmless). The directory is created 0700 so other users cannot open it
 * to hold that lock.
 *
 * The cache speaks for this host like the configuration does, so it gets
 * the same trust: the runtime directory owned by the trusted uid and not
 * writable by group or others, the file a regular file (opened
 * O_NONBLOCK, checked with fstat(2) on the descriptor, see
 * tg_file_open_trusted_at()) of the same owner, not group/other-writable, at
 * most TG_HOSTCACHE_MAX_BYTES. Anything else is ignored with a note and
 * the host probed afresh; a bad file in a trusted directory is replaced.
 * A failed probe (TSC rate or scaling unknown) is never stored.
 */
#ifndef TG_HOSTCACHE_H
#define TG_HOSTCACHE_H

#include <sys/types.h>

#include "tg-hostfacts.h"

G_BEGIN_DECLS

#define TG_BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"

/* A cache file larger than this is not one tscgate wrote (they are ~3 KB). */
#define TG_HOSTCACHE_MAX_BYTES (64 * 1024)
/* How long a gate waits for another one's probe before probing itself. */
#define TG_HOSTCACHE_LOCK_WAIT_MS 1000

/* The runtime directory: $TSCGATE_RUNTIME_DIR when set and non-empty, else
 * RUNSTATEDIR "/tscgate". Newly allocated (g_free). */
char *tg_hostcache_dir(void);

/* Open the runtime directory `dir` (created 0700 when missing, so no other
 * user can open it, list it or lock it) and check it like the
 * configuration: a directory (not a symbolic link) owned by `owner_uid`,
 * not writable by group or others. The probe cache and the configuration
 * cache read their files relative to it. Returns the descriptor (caller
 * closes) or -1 with `error`. */
int tg_hostcache_open_dir(const char *dir, uid_t owner_uid, GError **error);

/* Read the boot id from `path` (NULL = TG_BOOT_ID_PATH): 36 characters of
 * [0-9a-f-]. Returns a new string (g_free), or NULL with `error`
 * (TG_ERROR_IO unreadable, TG_ERROR_INVALID malformed). */
char *tg_hostcache_boot_id(const char *path, GError **error);

/* "DIR/hostfacts-BOOTID.xml", newly allocated. */
char *tg_hostcache_path(const char *dir, const char *boot_id);

typedef TgHostFacts *(*TgHostcacheProbeFunc)(gpointer user_data);
/* Reads the facts that change during a boot into `facts`
 * (tg_probe_per_run()). */
typedef void (*TgHostcacheRefreshFunc)(TgHostFacts *facts, gpointer user_data);

typedef enum {
    TG_HOSTCACHE_HIT = 0,   /* read from the cache file */
    TG_HOSTCACHE_STORED,    /* probed now and stored */
    TG_HOSTCACHE_UNCACHED,  /* probed now, cache unusable (see cache_error) */
} TgHostcacheResult;

/* Returns this host's facts from the cache in `dir` for `boot_id`, or calls
 * `probe(user_data)` (which never fails as a whole) and stores its result
 * when the TSC rate and scaling are known. Only what is fixed for the boot
 * is stored: the per-run facts (TgHostFactField.per_run) are stored
 * unknown, and facts read from the cache get them from
 * `refresh(facts, user_data)`, so a clock that synchronises, or a TSC the
 * kernel marks unstable, is seen at the next run. The directory and file must be
 * trusted for `owner_uid` (see above). When the cache cannot be used (no
 * `dir` or `boot_id`, an untrusted directory or file, a failed probe, a
 * failed store), the facts are returned all the same, `*result` is
 * TG_HOSTCACHE_UNCACHED or TG_HOSTCACHE_STORED and `cache_error`
 * (nullable) says what was wrong, for the record. Never blocks. Returns a
 * new object (tg_host_facts_free); `result` may be NULL. */
TgHostFacts *tg_hostcache_get(const char *dir, const char *boot_id, uid_t owner_uid,
                              TgHostcacheProbeFunc probe, TgHostcacheRefreshFunc refresh,
                              gpointer user_data,
                              TgHostcacheResult *result, GError **cache_error);

G_END_DECLS

#endif /* TG_HOSTCACHE_H */
