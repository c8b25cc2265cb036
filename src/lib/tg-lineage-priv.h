/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: lineage entry points for tests and fuzzers only. The gate
 * rewrites the tree it parsed once (tg_lineage_rewrite_doc, tg-lineage.h);
 * these work on text and serve the tests that compare the two.
 */
#ifndef TG_LINEAGE_PRIV_H
#define TG_LINEAGE_PRIV_H

#include "tg-lineage.h"

G_BEGIN_DECLS

/* Return `domain_xml` with `record` stored as the single <tscgate:lineage>
 * element (namespace TG_LINEAGE_NS) inside the domain's first <metadata>,
 * replacing an existing record; <metadata> is created (at libvirt's place
 * in the element order) only if the domain has none. Nothing else changes.
 * Returns a newly allocated XML document (g_free), or NULL with `error`. */
char *tg_lineage_rewrite_domain(const char *domain_xml, gsize len,
                                const char *filename, const TgLineage *record,
                                GError **error);

/* Format the record alone as XML (for tests). Newly allocated. */
char *tg_lineage_format(const TgLineage *record);

G_END_DECLS

#endif /* TG_LINEAGE_PRIV_H */
