/* tscgate: writing the lineage record into a domain's <metadata>.
 * (Reading it is part of tg-guest.c.)
 */
#ifndef TG_LINEAGE_H
#define TG_LINEAGE_H

#include "tg-decide.h"

G_BEGIN_DECLS

/* Build the record to store after an allowed hop: `prev` (nullable) is the
 * guest's record before the hop; `decision` the engine's decision; `op`
 * "migrate"|"restore"; `host` this host's name; `now` UTC seconds. Keeps at
 * most `hop_limit` hops (oldest dropped). Returns a new lineage
 * (tg_lineage_free). */
TgLineage *tg_lineage_next(const TgLineage *prev, const TgDecision *decision,
                           const char *op, const char *host, gint64 now,
                           guint hop_limit);

/* Return `domain_xml` with `record` stored as the single <tscgate:lineage>
 * element (namespace TG_LINEAGE_NS) inside the domain's first <metadata>,
 * replacing an existing record; <metadata> is created (at libvirt's place
 * in the element order) only if the domain has none. Nothing else changes.
 * Returns a newly allocated XML document (g_free), or NULL with `error`. */
char *tg_lineage_rewrite_domain(const char *domain_xml, gsize len,
                                const char *filename, const TgLineage *record,
                                GError **error);

/* Format the record alone as XML (for logs, tests). Newly allocated. */
char *tg_lineage_format(const TgLineage *record);

G_END_DECLS

#endif /* TG_LINEAGE_H */
