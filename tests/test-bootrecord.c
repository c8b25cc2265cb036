/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for tg-bootrecord.c: the record `tscgate agent` writes when a
 * guest boots, the element it hands to virDomainSetMetadata, and what the
 * engine makes of it once libvirt has stored it. */
#include <config.h>

#include "parse-test.h"
#include "test-table.h"

#include <libxml/relaxng.h>
#include <string.h>

#include "tg-bootrecord.h"
#include "tg-evaluate.h"
#include "tg-decide.h"
#include "tg-xml.h"

#define T0 1795593600 /* 2026-11-25T08:00:00Z */
#define HOSTA_HZ 2596120000ull

static TgGuestProfile *
guest_fixture(const char *name)
{
    gsize len = 0;
    g_autofree char *buf = pt_read_fixture(name, &len);
    g_autoptr(GError) err = NULL;
    TgGuestProfile *g = tg_guest_profile_parse_xml(buf, len, name, &err);

    if (!g)
        fail_msg("%s: %s", name, err->message);
    return g;
}

/* Host facts from tests/fixtures/hosts/NAME. */
static TgHostFacts *
host_fixture(const char *name)
{
    g_autofree char *rel = g_build_filename("tests", "fixtures", "hosts", name, NULL);
    g_autofree char *path = pt_srcdir_path(rel);
    g_autofree char *buf = NULL;
    g_autoptr(GError) err = NULL;
    gsize len = 0;
    TgHostFacts *f;

    if (!g_file_get_contents(path, &buf, &len, &err))
        fail_msg("cannot read %s: %s", path, err->message);
    f = tg_host_facts_parse_xml(buf, len, name, &err);
    if (!f)
        fail_msg("%s: %s", name, err->message);
    return f;
}

static const TgHop *
only_hop(const TgLineage *l)
{
    assert_int_equal(l->hops->len, 1);
    return g_ptr_array_index(l->hops, 0);
}

/* ---- tg_bootrecord_new: one named test per row ---- */

typedef struct {
    const char *name;
    const char *guest;       /* dom-* fixture */
    const char *host;        /* tests/fixtures/hosts/ file */
    const char *host_name;   /* passed, or NULL */
    guint64 nominal_hz;
    TgNominalOrigin origin;
    const char *hop_host;
    guint64 hop_hz;
    TgTri hop_scaling;
} NewRow;

static const NewRow new_rows[] = {
    { "unpinned guest: this host's KVM rate, origin boot", "dom-kvmclock-off.xml",
      "probe-hosta.xml", "hosta", HOSTA_HZ, TG_NOMINAL_BOOT, "hosta", HOSTA_HZ, TG_TRI_NO },
    { "pinned guest: its pinned rate, not the host's", "dom-explicit-tsc.xml",
      "hosth-2400-noscale.xml", "hosth", 2596120000ull, TG_NOMINAL_BOOT, "hosth", 2400000000ull,
      TG_TRI_NO },
    { "several pinned rates: the last one (QEMU applies the last)", "dom-multi-tsc.xml",
      "probe-hosta.xml", "hosta", 3000000000ull, TG_NOMINAL_BOOT, "hosta", HOSTA_HZ, TG_TRI_NO },
    { "host rate unknown, unpinned: the record says unknown", "dom-kvmclock-off.xml",
      "probe-no-kvm.xml", "hosta", 0, TG_NOMINAL_UNKNOWN, "hosta", 0, TG_TRI_UNKNOWN },
    { "host rate unknown, pinned: the pinned rate", "dom-explicit-tsc.xml",
      "probe-no-kvm.xml", "hosta", 2596120000ull, TG_NOMINAL_BOOT, "hosta", 0, TG_TRI_UNKNOWN },
    { "no host name given: the facts' host name", "dom-kvmclock-off.xml",
      "hosth-2400-noscale.xml", NULL, 2400000000ull, TG_NOMINAL_BOOT, "hosth", 2400000000ull,
      TG_TRI_NO },
    { "TCG guest: the host's rate", "dom-tcg.xml",
      "probe-hosta.xml", "hosta", HOSTA_HZ, TG_NOMINAL_BOOT, "hosta", HOSTA_HZ, TG_TRI_NO },
};

static void
test_new_row(void **state)
{
    const NewRow *row = *state;
    g_autoptr(TgGuestProfile) g = guest_fixture(row->guest);
    g_autoptr(TgHostFacts) h = host_fixture(row->host);
    g_autoptr(TgLineage) l = tg_bootrecord_new(g, h, row->host_name, T0);
    const TgHop *hop;

    assert_non_null(l);
    assert_int_equal(l->nominal_hz, row->nominal_hz);
    assert_int_equal(l->nominal_origin, row->origin);
    assert_int_equal(l->effective_hz, row->nominal_hz);
    assert_false(l->effective_changed);
    assert_int_equal(l->invented_hz, 0);
    hop = only_hop(l);
    assert_string_equal(hop->op, "boot");
    assert_string_equal(hop->host, row->hop_host);
    assert_int_equal(hop->host_hz, row->hop_hz);
    assert_int_equal(hop->scaling, row->hop_scaling);
    assert_int_equal(hop->time, T0);
    /* A boot is no decision. */
    assert_null(hop->verdict);
    assert_null(hop->reason_code);
}

static void
test_new_no_tsc(void **state)
{
    g_autoptr(TgGuestProfile) g = guest_fixture("dom-aarch64-virt.xml");
    g_autoptr(TgHostFacts) h = host_fixture("probe-hosta.xml");

    (void)state;
    assert_null(tg_bootrecord_new(g, h, "hosta", T0));
}

/* ---- tg_bootrecord_element ---- */

static TgLineage *
hosta_record(void)
{
    g_autoptr(TgGuestProfile) g = guest_fixture("dom-kvmclock-off.xml");
    g_autoptr(TgHostFacts) h = host_fixture("probe-hosta.xml");

    return tg_bootrecord_new(g, h, "hosta", T0);
}

static void
test_element_exact(void **state)
{
    g_autoptr(TgLineage) l = hosta_record();
    g_autofree char *el = tg_bootrecord_element(l);

    (void)state;
    assert_non_null(el);
    /* No namespace of its own: virDomainSetMetadata refuses an element that
     * declares the prefix it is given ("failed to create a new XML
     * namespace"), and puts the element in the namespace itself. */
    assert_string_equal(el,
        "<lineage version=\"1.1\">\n"
        "      <nominal hz=\"2596120000\" origin=\"boot\"/>\n"
        "      <effective hz=\"2596120000\" changed=\"no\"/>\n"
        "      <hop op=\"boot\" host=\"hosta\" hz=\"2596120000\" scaling=\"no\" "
        "time=\"2026-11-25T08:00:00Z\"/>\n"
        "    </lineage>");
}

static void
test_element_unknown(void **state)
{
    g_autoptr(TgGuestProfile) g = guest_fixture("dom-kvmclock-off.xml");
    g_autoptr(TgHostFacts) h = host_fixture("probe-no-kvm.xml");
    g_autoptr(TgLineage) l = tg_bootrecord_new(g, h, "hosta", T0);
    g_autofree char *el = tg_bootrecord_element(l);

    (void)state;
    assert_string_equal(el,
        "<lineage version=\"1.1\">\n"
        "      <nominal origin=\"unknown\"/>\n"
        "      <effective changed=\"no\"/>\n"
        "      <hop op=\"boot\" host=\"hosta\" time=\"2026-11-25T08:00:00Z\"/>\n"
        "    </lineage>");
}

/* The element as libvirt stores it (virDomainDefSetMetadata): parsed, put
 * into namespace `uri` under prefix `key` (virXMLInjectNamespace, every
 * element of it), as a child of <metadata>. Returns the domain fixture
 * `domain` with that <metadata> after its <uuid> (g_free). */
static char *
stored_by_libvirt(const char *domain, const char *element)
{
    gsize len = 0;
    g_autofree char *dom = pt_read_fixture(domain, &len);
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = tg_xml_parse(element, strlen(element), "element", &err);
    xmlNode *root;
    xmlNs *ns;
    xmlBuffer *buf = xmlBufferCreate();
    g_autofree char *stored = NULL;
    const char *at;

    assert_non_null(doc);
    root = xmlDocGetRootElement(doc);
    ns = xmlNewNs(root, (const xmlChar *)TG_LINEAGE_NS, (const xmlChar *)TG_LINEAGE_NS_PREFIX);
    assert_non_null(ns);
    xmlSetNs(root, ns);
    for (xmlNode *c = root->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            xmlSetNs(c, ns);
    xmlNodeDump(buf, doc, root, 0, 0);
    stored = g_strndup((const char *)xmlBufferContent(buf), (gsize)xmlBufferLength(buf));
    xmlBufferFree(buf);

    at = strstr(dom, "</uuid>");
    assert_non_null(at);
    at += strlen("</uuid>");
    return g_strdup_printf("%.*s\n  <metadata>\n    %s\n  </metadata>%s", (int)(at - dom), dom,
                           stored, at);
}

static void
test_element_round_trip(void **state)
{
    g_autoptr(TgLineage) l = hosta_record();
    g_autofree char *el = tg_bootrecord_element(l);
    g_autofree char *dom = stored_by_libvirt("dom-kvmclock-off.xml", el);
    g_autoptr(GError) err = NULL;
    g_autoptr(TgGuestProfile) g = tg_guest_profile_parse_xml(dom, strlen(dom), "stored", &err);
    TgNominalOrigin origin;
    const TgHop *hop;

    (void)state;
    assert_non_null(g);
    assert_null(g->lineage_ignored);
    assert_non_null(g->lineage);
    assert_int_equal(g->lineage->version, 1);
    assert_int_equal(g->lineage->nominal_hz, HOSTA_HZ);
    assert_int_equal(g->lineage->nominal_origin, TG_NOMINAL_BOOT);
    assert_int_equal(g->lineage->effective_hz, HOSTA_HZ);
    hop = only_hop(g->lineage);
    assert_string_equal(hop->op, "boot");
    assert_string_equal(hop->host, "hosta");
    assert_int_equal(hop->time, T0);
    assert_int_equal(tg_guest_nominal_hz(g, &origin), HOSTA_HZ);
    assert_int_equal(origin, TG_NOMINAL_LINEAGE);
}

/* What libvirt stores is valid against the record's schema. */
static void
test_element_schema(void **state)
{
    g_autoptr(TgLineage) l = hosta_record();
    g_autofree char *el = tg_bootrecord_element(l);
    g_autofree char *dom = stored_by_libvirt("dom-kvmclock-off.xml", el);
    g_autofree char *rng = pt_srcdir_path("xml/lineage.rng");
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = tg_xml_parse(dom, strlen(dom), "stored", &err);
    xmlRelaxNGParserCtxt *pctx = xmlRelaxNGNewParserCtxt(rng);
    xmlRelaxNG *schema = xmlRelaxNGParse(pctx);
    xmlRelaxNGValidCtxt *vctx = xmlRelaxNGNewValidCtxt(schema);
    g_autoptr(xmlDoc) rec = xmlNewDoc((const xmlChar *)"1.0");
    xmlNode *node;

    (void)state;
    assert_non_null(doc);
    assert_non_null(schema);
    node = tg_lineage_find(xmlDocGetRootElement(doc));
    assert_non_null(node);
    xmlDocSetRootElement(rec, xmlDocCopyNode(node, rec, 1));
    assert_int_equal(xmlRelaxNGValidateDoc(vctx, rec), 0);
    xmlRelaxNGFreeValidCtxt(vctx);
    xmlRelaxNGFree(schema);
    xmlRelaxNGFreeParserCtxt(pctx);
}

/* ---- the engine on a guest with a boot record ---- */

typedef struct {
    const char *name;
    bool with_record;
    const char *dest;
    TgVerdict verdict;
    const char *reason_has;   /* substring of the decision's reason */
    const char *reason_has2;  /* another one, or NULL */
} EngineRow;

static const EngineRow engine_rows[] = {
    { "tsc-sensitive guest with a boot record to a host at its rate: allowed", true,
      "hostc-2596.xml", TG_VERDICT_ALLOW, NULL, NULL },
    { "the same guest without a record: denied, rate unknown", false,
      "hostc-2596.xml", TG_VERDICT_DENY, "unknown", NULL },
    { "with a boot record to a host at another rate without scaling: denied naming both rates",
      true, "hosth-2400-noscale.xml", TG_VERDICT_DENY, "2596120000 Hz", "outside 2400000000 Hz" },
};

static void
test_engine_row(void **state)
{
    const EngineRow *row = *state;
    g_autoptr(TgLineage) l = hosta_record();
    g_autofree char *el = tg_bootrecord_element(l);
    g_autofree char *dom = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(TgGuestProfile) g = NULL;
    g_autoptr(TgHostFacts) dest = host_fixture(row->dest);
    g_autoptr(TgEvaluation) e = NULL;

    if (row->with_record) {
        dom = stored_by_libvirt("dom-kvmclock-off.xml", el);
        g = tg_guest_profile_parse_xml(dom, strlen(dom), "stored", &err);
    } else {
        g = guest_fixture("dom-kvmclock-off.xml");
    }
    assert_non_null(g);
    assert_int_equal(g->dependence, TG_DEP_TSC_SENSITIVE);
    e = tg_evaluate(g, NULL, dest, NULL);
    if (e->decision->verdict != row->verdict)
        fail_msg("verdict %s (%s: %s), expected %s", tg_verdict_to_string(e->decision->verdict),
                 e->decision->code, e->decision->reason, tg_verdict_to_string(row->verdict));
    if (row->reason_has && !strstr(e->decision->reason, row->reason_has))
        fail_msg("reason '%s' lacks '%s'", e->decision->reason, row->reason_has);
    if (row->reason_has2 && !strstr(e->decision->reason, row->reason_has2))
        fail_msg("reason '%s' lacks '%s'", e->decision->reason, row->reason_has2);
}

/* ---- tg_bootrecord_is_current ---- */

static void
test_is_current(void **state)
{
    g_autoptr(TgLineage) l = hosta_record();
    g_autoptr(TgLineage) migrated = tg_lineage_copy(l);
    TgHop *h;

    (void)state;
    assert_true(tg_bootrecord_is_current(l, "hosta", T0));
    assert_true(tg_bootrecord_is_current(l, "hosta", T0 - 60));
    /* written before this run began: a copy from an earlier boot */
    assert_false(tg_bootrecord_is_current(l, "hosta", T0 + 1));
    /* a boot on another host */
    assert_false(tg_bootrecord_is_current(l, "hostb", T0));
    assert_false(tg_bootrecord_is_current(l, NULL, T0));
    assert_false(tg_bootrecord_is_current(NULL, "hosta", T0));
    /* newest hop a migration: not a boot record of this run */
    h = g_new0(TgHop, 1);
    h->op = g_strdup("migrate");
    h->host = g_strdup("hosta");
    h->time = T0 + 5;
    g_ptr_array_add(migrated->hops, h);
    assert_false(tg_bootrecord_is_current(migrated, "hosta", T0));
}

int
main(void)
{
    GArray *t = tg_test_new();

    for (gsize i = 0; i < G_N_ELEMENTS(new_rows); i++)
        tg_test_add(t, new_rows[i].name, test_new_row, &new_rows[i]);
    tg_test_add(t, "guest without a TSC: no record", test_new_no_tsc, NULL);
    tg_test_add(t, "element: libvirt's layout, no namespace of its own", test_element_exact, NULL);
    tg_test_add(t, "element: unknown rate left out", test_element_unknown, NULL);
    tg_test_add(t, "element as libvirt stores it: read back as origin boot",
                test_element_round_trip, NULL);
    tg_test_add(t, "element as libvirt stores it: valid against xml/lineage.rng",
                test_element_schema, NULL);
    for (gsize i = 0; i < G_N_ELEMENTS(engine_rows); i++)
        tg_test_add(t, engine_rows[i].name, test_engine_row, &engine_rows[i]);
    tg_test_add(t, "is_current: a boot hop on this host since the run began", test_is_current, NULL);
    return tg_test_run("bootrecord", t);
}
