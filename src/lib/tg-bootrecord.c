/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: the boot record (see tg-bootrecord.h). */
#include <config.h>

#include "tg-bootrecord.h"
#include "tg-xml.h"

#include <string.h>

TgLineage *
tg_bootrecord_new(const TgGuestProfile *guest, const TgHostFacts *host,
                  const char *host_name, gint64 now)
{
    TgLineage *l;
    TgHop *hop;

    g_return_val_if_fail(guest != NULL && host != NULL, NULL);
    if (guest->kind == TG_GUEST_NO_TSC)
        return NULL;

    l = tg_lineage_new();
    /* doc/tsc-model.md, "Boot": pinned F gives N = F (QEMU refuses to start
     * otherwise); unpinned gives N = this host's KVM_GET_TSC_KHZ. A TCG
     * guest runs on the host's raw TSC, which the kernel calibrated as the
     * rate KVM reports. */
    if (guest->has_explicit_hz && guest->explicit_hz) {
        l->nominal_hz = guest->explicit_hz;
        l->nominal_origin = TG_NOMINAL_BOOT;
    } else if (host->tsc_hz.note.known && host->tsc_hz.value) {
        l->nominal_hz = host->tsc_hz.value;
        l->nominal_origin = TG_NOMINAL_BOOT;
    } else {
        l->nominal_hz = 0;
        l->nominal_origin = TG_NOMINAL_UNKNOWN;
    }
    l->effective_hz = l->nominal_hz;
    l->effective_changed = false;

    hop = g_new0(TgHop, 1);
    hop->op = g_strdup(tg_enum_to_string(&tg_hop_op_table, TG_HOP_BOOT));
    if (host_name)
        hop->host = g_strdup(host_name);
    else if (host->hostname.note.known && host->hostname.value)
        hop->host = g_strdup(host->hostname.value);
    hop->host_hz = host->tsc_hz.note.known ? host->tsc_hz.value : 0;
    hop->scaling = tg_bool_fact_tri(&host->tsc_scaling);
    hop->time = now;
    /* A boot is no decision: no verdict, no reason code. */
    g_ptr_array_add(l->hops, hop);
    return l;
}

/* Drop the namespace of `n` and its descendants. */
static void
strip_ns(xmlNode *n)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        n->ns = NULL;
        for (xmlAttr *a = n->properties; a; a = a->next)
            a->ns = NULL;
        strip_ns(n->children);
    }
}

char *
tg_bootrecord_element(const TgLineage *record)
{
    /* The record goes where the hook puts it (tg_lineage_rewrite_doc: a
     * child of <metadata>, two levels deep), so it is laid out alike. */
    static const char shell[] = "<domain><metadata/></domain>";
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = tg_xml_parse(shell, sizeof(shell) - 1, "boot record", &err);
    g_autofree char *out = NULL;
    xmlNode *el;
    xmlBuffer *buf;
    char *s;

    g_return_val_if_fail(record != NULL, NULL);
    if (!doc || !(out = tg_lineage_rewrite_doc(doc, NULL, 0, record, &err)) ||
        !(el = tg_lineage_find(xmlDocGetRootElement(doc))) || !(buf = xmlBufferCreate()))
        return NULL;
    strip_ns(el);
    xmlFreeNsList(el->nsDef);
    el->nsDef = NULL;
    xmlNodeDump(buf, doc, el, 0, 0);
    s = g_strndup((const char *)xmlBufferContent(buf), (gsize)xmlBufferLength(buf));
    xmlBufferFree(buf);
    return s;
}

bool
tg_bootrecord_is_current(const TgLineage *record, const char *host_name, gint64 since)
{
    const TgHop *h = tg_lineage_last_hop(record);

    return h && g_strcmp0(h->op, "boot") == 0 && host_name && g_strcmp0(h->host, host_name) == 0 &&
           h->time >= since;
}
