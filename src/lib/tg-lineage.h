/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: the lineage record, tscgate's note in a domain's <metadata> of
 * the hops the guest made and the TSC rate it was started with: the model,
 * reading it from the domain XML, building the next one after an allowed
 * hop, and writing it back into the domain (schema xml/lineage.rng).
 */
#ifndef TG_LINEAGE_H
#define TG_LINEAGE_H

#include "tg-xml.h"

G_BEGIN_DECLS

struct _TgDecision;

/* Namespace of tscgate's lineage record inside <metadata> (one element,
 * <tscgate:lineage>, schema xml/lineage.rng). libvirt keeps only the first
 * metadata element per namespace (virXMLNodeSanitizeNamespaces), so tags
 * live in a namespace of their own. */
#define TG_LINEAGE_NS "urn:tscgate:lineage:1"
#define TG_LINEAGE_NS_PREFIX "tscgate"
/* Major version of the record this tscgate reads and writes. */
#define TG_LINEAGE_VERSION 1u
/* Minor version of a record that uses what 1.1 added (origin "boot", hop
 * op "boot"); a record without them is written as version 1. */
#define TG_LINEAGE_MINOR_BOOT 1u

/* Where a nominal TSC rate (the rate the guest calibrated at boot, QEMU's
 * tsc_khz) is known from (doc/tsc-model.md). Nothing else is a nominal
 * rate: no host's rate stands in for it. */
typedef enum {
    TG_NOMINAL_UNKNOWN = 0,
    TG_NOMINAL_EXPLICIT,     /* pinned: the last <timer name='tsc' frequency=...> */
    TG_NOMINAL_LINEAGE,      /* (decisions) carried by tscgate's record from a hop where it
                                was known; the record keeps that first origin */
    TG_NOMINAL_BOOT,         /* (records) a boot record, written on the host where the guest
                                booted from its KVM_GET_TSC_KHZ */
    TG_NOMINAL_INVENTORY,    /* (decisions) bounded by the policy's host inventory: a range,
                                no value (the decision's guest_hz stays 0) */
} TgNominalOrigin;

/* Spellings of TgNominalOrigin: "unknown", "explicit", "lineage", "boot",
 * "inventory". */
extern const TgEnumTable tg_nominal_origin_table;
/* Returns the spelling of `o` (static; "unknown" when out of range). */
const char *tg_nominal_origin_to_string(TgNominalOrigin o);
/* Parse a spelling; returns false for anything else. */
bool tg_nominal_origin_from_string(const char *s, TgNominalOrigin *out);

/* Operations a hop records: the two libvirt runs the hook for. */
typedef enum {
    TG_HOP_MIGRATE = 0,
    TG_HOP_RESTORE,
    TG_HOP_BOOT,        /* (record 1.1) the boot a boot record describes */
} TgHopOp;

/* Spellings of TgHopOp: "migrate", "restore" (libvirt's hook operation
 * names, docs/hooks.rst), "boot". */
extern const TgEnumTable tg_hop_op_table;

/* One hop of the lineage record. Strings owned. */
typedef struct {
    char *op;            /* a spelling of tg_hop_op_table */
    char *host;          /* destination host name, or NULL */
    guint64 host_hz;     /* destination TSC Hz, 0 = unknown */
    TgTri scaling;       /* destination scaling */
    gint64 time;         /* UTC seconds since the epoch */
    char *verdict;       /* "allow" | "allow-with-warning" | "deny" (audit) */
    char *reason_code;   /* engine reason code */
} TgHop;

/* tscgate's lineage record (<tscgate:lineage> in <metadata>). */
typedef struct {
    guint version;             /* record format version (1) */
    guint64 nominal_hz;        /* 0 = unknown */
    TgNominalOrigin nominal_origin; /* as stored, where it was first known: explicit | boot
                                       (| lineage, accepted as written by hand) | unknown */
    guint64 invented_hz;       /* a rate an earlier tscgate stored with origin "source-host" or
                                  "assumed" (a host's rate, never the guest's): read as unknown
                                  (nominal_hz 0), kept here only to be shown; 0 = none */
    const char *invented_origin; /* that origin's spelling (static), or NULL */
    guint64 effective_hz;      /* rate the guest's TSC runs at on its current host, 0 = unknown */
    bool effective_changed;    /* a hop changed the guest's effective rate (allowed w/o scaling outside tolerance) */
    GPtrArray *hops;           /* TgHop*, oldest first, newest last */
} TgLineage;

/* Returns a new, empty lineage (version 1, no hops). Free with tg_lineage_free. */
TgLineage *tg_lineage_new(void);
/* Frees `l` and its hops; NULL is fine. */
void tg_lineage_free(TgLineage *l);
/* Returns a deep copy (tg_lineage_free), or NULL for NULL. */
TgLineage *tg_lineage_copy(const TgLineage *l);
/* The newest hop or NULL (borrowed). */
const TgHop *tg_lineage_last_hop(const TgLineage *l);
/* Frees one hop; NULL is fine. */
void tg_hop_free(TgHop *h);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgLineage, tg_lineage_free)

/* Read the record from its element `el` (<tscgate:lineage>, namespace
 * TG_LINEAGE_NS) of a document parsed by tg_xml_parse. Returns a new
 * lineage (tg_lineage_free), or NULL with `error` naming the input and
 * line: a newer major version (TG_ERROR_UNSUPPORTED), a missing version, a
 * bad number, origin, op, scaling or time (TG_ERROR_INVALID). */
TgLineage *tg_lineage_parse_node(const xmlNode *el, GError **error);

/* The record's element in the domain `domain` (its root element): the
 * first <tscgate:lineage> in the first <metadata>, as libvirt keeps it.
 * Borrowed; NULL when there is none. */
xmlNode *tg_lineage_find(const xmlNode *domain);

/* Build the record to store after an allowed hop: `prev` (nullable) is the
 * guest's record before the hop; `decision` the engine's decision; `op`
 * "migrate"|"restore"; `host` this host's name; `now` UTC seconds. Keeps at
 * most `hop_limit` hops (oldest dropped). The nominal rate is the pinned
 * one (origin explicit) or the one `prev` carried (its first origin kept),
 * else unknown: never a host's rate. The effective rate is the decision's
 * (doc/tsc-model.md). Returns a new lineage (tg_lineage_free). */
TgLineage *tg_lineage_next(const TgLineage *prev, const struct _TgDecision *decision,
                           const char *op, const char *host, gint64 now,
                           guint hop_limit);

/* The same on a domain already parsed: `doc` is the tree tg_xml_parse
 * made of `domain_xml` (`len` bytes), which is only read for its XML
 * declaration. `doc` is changed in place (the record is stored in it).
 * Returns a newly allocated XML document (g_free), or NULL with `error`
 * (wrong root: TG_ERROR_INVALID). */
char *tg_lineage_rewrite_doc(xmlDoc *doc, const char *domain_xml, gsize len,
                             const TgLineage *record, GError **error);

/* Return `domain_xml` (`len` bytes, named `filename` in errors) without
 * tscgate's lineage record: every <tscgate:lineage> (namespace
 * TG_LINEAGE_NS, readable or not) in the domain's first <metadata> and the
 * indentation that introduced it, and the <metadata> itself when nothing
 * but whitespace is left in it. Everything else is kept byte for byte; only
 * when the text cannot be cut cleanly (the result would differ from the
 * parsed document without the record) is the document written out by
 * libxml2 instead. `removed` (nullable) receives how many records went; a
 * domain without one comes back unchanged. Returns a newly allocated
 * document (g_free), or NULL with `error` (not XML, not a <domain>). */
char *tg_lineage_strip_domain(const char *domain_xml, gsize len, const char *filename,
                              guint *removed, GError **error);

G_END_DECLS

#endif /* TG_LINEAGE_H */
