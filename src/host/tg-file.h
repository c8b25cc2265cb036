/* tscgate: whole-file input and output, and loading the parsed models
 * (guest profile, host facts, policy) from files. The models themselves
 * parse from memory (src/lib); this is where files are opened.
 */
#ifndef TG_FILE_H
#define TG_FILE_H

#include "tg-guest.h"
#include "tg-hostfacts.h"
#include "tg-policy.h"
#include "tg-xml.h"

G_BEGIN_DECLS

/* Read a whole file ("-" = stdin) up to TG_MAX_INPUT_BYTES into a
 * NUL-terminated buffer. Returns true and sets *contents (g_free) and *len;
 * false with `error` (TG_ERROR_IO) naming the path and the errno text. */
bool tg_read_file(const char *path, char **contents, gsize *len, GError **error);

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

/* tg_policy_parse_xml() of a file. Returns a new policy (tg_policy_free) or
 * NULL with `error`. */
TgPolicy *tg_policy_load(const char *path, GError **error);

/* Validate a policy file and collect every problem, one "FILE:LINE: ..."
 * string each, into `problems` (a new GPtrArray of g_free'd strings, caller
 * unrefs; empty when valid). Returns true when valid. */
bool tg_policy_validate_file(const char *path, GPtrArray **problems);

G_END_DECLS

#endif /* TG_FILE_H */
