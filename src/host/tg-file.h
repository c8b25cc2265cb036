/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: whole-file input and output, and loading the parsed models
 * (guest profile, host facts) from files; policies load in tg-inventory.h.
 * The models themselves parse from memory (src/lib); this is where files
 * are opened.
 */
#ifndef TG_FILE_H
#define TG_FILE_H

#include <sys/stat.h>
#include <sys/types.h>

#include "tg-guest.h"
#include "tg-hostfacts.h"
#include "tg-trust.h"
#include "tg-xml.h"

G_BEGIN_DECLS

/* Read a whole file ("-" = stdin) up to TG_MAX_INPUT_BYTES into a
 * NUL-terminated buffer. Returns true and sets *contents (g_free) and *len;
 * false with `error` (TG_ERROR_IO) naming the path and the errno text. */
bool tg_read_file(const char *path, char **contents, gsize *len, GError **error);

/* What identifies one version of a file, for caches keyed on their
 * sources: a file replaced, rewritten or chmod'ed gets another id. */
typedef struct {
    guint64 dev;
    guint64 ino;
    guint64 size;
    gint64 mtime_ns;
    gint64 ctime_ns;
} TgFileId;

/* Fill `id` from `st`. */
void tg_file_id_from_stat(TgFileId *id, const struct stat *st);
/* Returns true when `a` and `b` name the same version of the same file. */
bool tg_file_id_equal(const TgFileId *a, const TgFileId *b);

/* Returns a static name for the file type in `mode` ("FIFO", "directory",
 * "regular file", ...), for messages. */
const char *tg_file_type_name(mode_t mode);

/* Open `name` relative to the directory open as `dir_fd` (openat(2);
 * AT_FDCWD for the working directory, so that a directory checked once
 * cannot be swapped underneath) for reading the way the hook must: never
 * blocking (O_NONBLOCK, so a FIFO or device cannot stall it), a regular
 * file only (checked with fstat(2) on the opened descriptor), and unless
 * `owner_uid` is TG_TRUST_ANY_OWNER, owned by `owner_uid` and not writable
 * by group or others (checked on the descriptor too, so nothing changes
 * between check and use). A symbolic link, in any component and at every step of a
 * chain, is followed only when the link is owned by `owner_uid`
 * (tg_trust_resolve_at(), at most TG_TRUST_MAX_LINKS); the file reached is
 * opened with O_NOFOLLOW. `path` (nullable: `name`) is what messages call
 * the file. Returns the descriptor (caller closes) and fills `st_out`
 * (nullable), or -1 with `error` naming the path and the problem. */
int tg_file_open_trusted_at(int dir_fd, const char *name, const char *path, uid_t owner_uid,
                            struct stat *st_out, GError **error);

/* Read all of `path` (relative to the working directory) through
 * tg_file_open_trusted_at(), refusing a file larger than `max_bytes` (by its size before reading, and while reading).
 * Returns true and sets *contents (NUL-terminated, g_free), *len and `id`
 * (nullable, the version read); false with `error`. */
bool tg_file_read_trusted(const char *path, uid_t owner_uid, gsize max_bytes,
                          char **contents, gsize *len, TgFileId *id, GError **error);
/* The same for `name` relative to `dir_fd`. */
bool tg_file_read_trusted_at(int dir_fd, const char *name, const char *path, uid_t owner_uid,
                             gsize max_bytes, char **contents, gsize *len, TgFileId *id,
                             GError **error);

/* Write `len` bytes to `path` atomically: a temp file in the same
 * directory, mode 0644, then rename(2). Returns false with `error`. */
bool tg_write_file_atomic(const char *path, const char *contents, gsize len,
                          GError **error);

/* tg_guest_profile_parse_xml() of a file ("-" = stdin). Returns a new
 * profile (tg_guest_profile_free) or NULL with `error`. */
TgGuestProfile *tg_guest_profile_load(const char *path, GError **error);

/* tg_host_facts_parse_xml() of a file ("-" = stdin). Returns a new object
 * (tg_host_facts_free) or NULL with `error`. */
TgHostFacts *tg_host_facts_load(const char *path, GError **error);

G_END_DECLS

#endif /* TG_FILE_H */
