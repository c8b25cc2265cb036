/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: tests of the safe XML helpers (src/lib/tg-xml.c). */
#include <config.h>

#include "parse-test.h"
#include "tg-xml.h"
#include "tg-file.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

/* `s` with every "@@" replaced by `rep` (g_free). */
static char *
subst(const char *s, const char *rep)
{
    g_auto(GStrv) parts = g_strsplit(s, "@@", -1);

    return g_strjoinv(rep, parts);
}

/* ---- tg_xml_parse ---- */

typedef enum {
    MATCH_EXACT = 0,
    MATCH_PREFIX,
} MatchKind;

typedef struct {
    const char *what;      /* the test's name */
    const char *input;     /* inline document, or NULL for `fixture` */
    gsize input_len;       /* 0: strlen(input) */
    const char *fixture;
    bool ok;
    const char *root;      /* expected root element when ok */
    int code;
    MatchKind match;
    const char *message;   /* "@@" is replaced by the file name */
} ParseCase;

static const ParseCase parse_cases[] = {
    { .what = "plain document", .input = "<domain><name>x</name></domain>", .ok = true,
      .root = "domain" },
    { .what = "XML declaration", .input = "<?xml version='1.0' encoding='UTF-8'?>\n<domain/>\n",
      .ok = true, .root = "domain" },
    { .what = "predefined entities only", .input = "<d>&amp;&lt;&gt;&quot;&apos;&#65;</d>",
      .ok = true, .root = "d" },
    { .what = "empty", .input = "", .code = TG_ERROR_PARSE,
      .message = "@@:1: not well-formed XML: document is empty" },
    { .what = "whitespace only", .input = "  \n\t \n", .code = TG_ERROR_PARSE,
      .message = "@@:1: not well-formed XML: document is empty" },
    { .what = "not XML", .input = "not xml at all", .code = TG_ERROR_PARSE, .match = MATCH_PREFIX,
      .message = "@@:1: not well-formed XML: " },
    { .what = "tag mismatch on line 2", .input = "<domain>\n<name>x</nam>\n</domain>\n",
      .code = TG_ERROR_PARSE,
      .message = "@@:2: not well-formed XML: Opening and ending tag mismatch: name line 2 and nam" },
    { .what = "two roots", .input = "<a/>\n\n<b/>\n", .code = TG_ERROR_PARSE,
      .message = "@@:3: not well-formed XML: Extra content at the end of the document" },
    { .what = "comment only", .input = "<?xml version='1.0'?>\n<!-- nothing -->\n",
      .code = TG_ERROR_PARSE, .match = MATCH_PREFIX, .message = "@@:3: not well-formed XML: " },
    { .what = "truncated", .input = "<domain>\n  <name>x", .code = TG_ERROR_PARSE,
      .match = MATCH_PREFIX, .message = "@@:2: not well-formed XML: " },
    { .what = "undeclared entity", .input = "<d>\n&e;</d>", .code = TG_ERROR_PARSE,
      .message = "@@:2: not well-formed XML: Entity 'e' not defined" },
    { .what = "undefined namespace prefix", .input = "<d>\n  <a:b/>\n</d>",
      .code = TG_ERROR_PARSE,
      .message = "@@:2: not well-formed XML: Namespace prefix a on b is not defined" },
    { .what = "invalid UTF-8", .input = "<d>\xff\xfe</d>", .code = TG_ERROR_PARSE,
      .match = MATCH_PREFIX, .message = "@@:1: not well-formed XML: " },
    { .what = "embedded NUL", .input = "<d/>\n\0<e/>", .input_len = 10, .code = TG_ERROR_PARSE,
      .message = "@@:2: not well-formed XML: NUL character in input" },
    { .what = "DOCTYPE with internal entity",
      .input = "<?xml version='1.0'?>\n<!DOCTYPE d [\n<!ENTITY e 'expanded'>\n]>\n<d>&e;</d>\n",
      .code = TG_ERROR_INVALID, .message = "@@:2: DOCTYPE declarations are not accepted" },
    { .what = "DOCTYPE without subset", .input = "<!DOCTYPE d>\n<d/>", .code = TG_ERROR_INVALID,
      .message = "@@:1: DOCTYPE declarations are not accepted" },
    { .what = "DOCTYPE with public id",
      .input = "\n\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" "
          "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\n<html/>",
      .code = TG_ERROR_INVALID, .message = "@@:3: DOCTYPE declarations are not accepted" },
    { .what = "billion laughs (domain fixture)", .fixture = "dom-bad-doctype.xml",
      .code = TG_ERROR_INVALID, .message = "@@:2: DOCTYPE declarations are not accepted" },
    { .what = "quadratic blow-up (capabilities fixture)", .fixture = "caps-bad-doctype.xml",
      .code = TG_ERROR_INVALID, .message = "@@:2: DOCTYPE declarations are not accepted" },
    { .what = "truncated real capabilities", .fixture = "caps-bad-not-xml.xml",
      .code = TG_ERROR_PARSE, .match = MATCH_PREFIX, .message = "@@:12: not well-formed XML: " },
    { .what = "real capabilities", .fixture = "caps-amd-real.xml", .ok = true,
      .root = "capabilities" },
};

static void
test_parse(void **state)
{
    const ParseCase *c = *state;
    g_autofree char *buf = NULL;
    g_autofree char *expected = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    const char *fname = c->fixture ? c->fixture : "t.xml";
    gsize len;

    if (c->fixture) {
        buf = pt_read_fixture(c->fixture, &len);
    } else {
        len = c->input_len ? c->input_len : strlen(c->input);
        buf = g_malloc(len + 1);
        memcpy(buf, c->input, len);
        buf[len] = 0;
    }
    doc = tg_xml_parse(buf, len, fname, &err);
    if (c->ok) {
        if (!doc)
            fail_msg("%s: unexpected error: %s", c->what, err->message);
        assert_null(err);
        assert_string_equal((const char *)xmlDocGetRootElement(doc)->name, c->root);
        return;
    }
    assert_null(doc);
    assert_non_null(err);
    expected = subst(c->message, fname);
    assert_int_equal(err->code, c->code);
    assert_true(err->domain == TG_ERROR);
    assert_null(strchr(err->message, '\n'));
    if (c->match == MATCH_EXACT) {
        assert_string_equal(err->message, expected);
    } else {
        if (!g_str_has_prefix(err->message, expected))
            fail_msg("%s: got '%s', expected prefix '%s'", c->what, err->message, expected);
        assert_true(strlen(err->message) > strlen(expected));
    }
    /* never an expansion of the entities in the message */
    assert_null(strstr(err->message, "lollol"));
    assert_null(strstr(err->message, "expanded"));
}

/* An external entity pointing at /etc/passwd: refused, never read. */
static void
test_external_file_entity(void **state)
{
    static const char *docs[] = {
        "<?xml version='1.0'?>\n<!DOCTYPE d [\n<!ENTITY x SYSTEM 'file:///etc/passwd'>\n]>\n<d>&x;</d>",
        "<?xml version='1.0'?>\n<!DOCTYPE d [\n<!ENTITY x SYSTEM '/etc/passwd'>\n]>\n<d>&x;</d>",
        "<?xml version='1.0'?>\n<!DOCTYPE d SYSTEM '/etc/passwd'>\n<d/>",
        "<?xml version='1.0'?>\n<!DOCTYPE d [\n<!ENTITY % p SYSTEM 'file:///etc/passwd'>\n%p;\n]>\n<d/>",
    };

    for (gsize i = 0; i < G_N_ELEMENTS(docs); i++) {
        g_autoptr(GError) err = NULL;
        xmlDoc *doc = tg_xml_parse(docs[i], strlen(docs[i]), "x.xml", &err);

        assert_null(doc);
        pt_assert_error(err, TG_ERROR_INVALID, "x.xml:2: DOCTYPE declarations are not accepted");
        assert_null(strstr(err->message, "root:"));
    }
}

/* A FIFO holding data stands in for a secret file: if the parser opened
 * and read it (entity or external subset), the data would be gone. */
static void
test_external_entity_not_read(void **state)
{
    g_autofree char *dir = g_dir_make_tmp("tg-test-xml-XXXXXX", NULL);
    g_autofree char *fifo = NULL;
    const char *forms[] = {
        "<!DOCTYPE d [\n<!ENTITY x SYSTEM 'file://@@'>\n]>\n<d>&x;</d>",
        "<!DOCTYPE d SYSTEM '@@'>\n<d/>",
        "<!DOCTYPE d [\n<!ENTITY % p SYSTEM '@@'>\n%p;\n]>\n<d/>",
    };
    char got[16];
    int fd;

    assert_non_null(dir);
    fifo = g_build_filename(dir, "secret", NULL);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    fd = open(fifo, O_RDWR | O_NONBLOCK);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "SECRET", 6), 6);

    for (gsize i = 0; i < G_N_ELEMENTS(forms); i++) {
        g_autofree char *doc_text = subst(forms[i], fifo);
        g_autoptr(GError) err = NULL;
        xmlDoc *doc = tg_xml_parse(doc_text, strlen(doc_text), "f.xml", &err);

        assert_null(doc);
        pt_assert_error(err, TG_ERROR_INVALID, "f.xml:1: DOCTYPE declarations are not accepted");
    }
    /* the data is still in the FIFO: nobody read it */
    assert_int_equal(read(fd, got, sizeof(got)), 6);
    assert_memory_equal(got, "SECRET", 6);
    close(fd);
    unlink(fifo);
    g_rmdir(dir);
}

/* http:// entities and DTDs: refused, and no connection is ever made to
 * the (local) server named in them. */
static void
test_external_http_not_fetched(void **state)
{
    struct sockaddr_in addr = { 0 };
    socklen_t alen = sizeof(addr);
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const char *forms[] = {
        "<!DOCTYPE d [\n<!ENTITY x SYSTEM 'http://127.0.0.1:@@/x'>\n]>\n<d>&x;</d>",
        "<!DOCTYPE d SYSTEM 'http://127.0.0.1:@@/d.dtd'>\n<d/>",
        "<!DOCTYPE d [\n<!ENTITY % p SYSTEM 'http://127.0.0.1:@@/p'>\n%p;\n]>\n<d/>",
    };
    unsigned port;
    g_autofree char *port_s = NULL;

    assert_true(ls >= 0);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(ls, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(listen(ls, 8), 0);
    assert_int_equal(getsockname(ls, (struct sockaddr *)&addr, &alen), 0);
    port = ntohs(addr.sin_port);
    port_s = g_strdup_printf("%u", port);

    for (gsize i = 0; i < G_N_ELEMENTS(forms); i++) {
        g_autofree char *doc_text = subst(forms[i], port_s);
        g_autoptr(GError) err = NULL;
        xmlDoc *doc = tg_xml_parse(doc_text, strlen(doc_text), "h.xml", &err);

        assert_null(doc);
        pt_assert_error(err, TG_ERROR_INVALID, "h.xml:1: DOCTYPE declarations are not accepted");
    }
    errno = 0;
    assert_int_equal(accept(ls, NULL, NULL), -1);
    assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
    close(ls);
}

/* ---- tg_xml_prop_u64 ---- */

typedef struct {
    const char *name;
    const char *value;  /* NULL: attribute absent */
    int ret;
    guint64 out;
    const char *message;
} U64Case;

static const U64Case u64_cases[] = {
    { .name = "absent", .ret = 0 },
    { .name = "0", .value = "0", .ret = 1 },
    { .name = "1", .value = "1", .ret = 1, .out = 1 },
    { .name = "00012", .value = "00012", .ret = 1, .out = 12 },
    { .name = "2596120000", .value = "2596120000", .ret = 1, .out = 2596120000u },
    { .name = "max-minus-1", .value = "18446744073709551614", .ret = 1,
      .out = G_GUINT64_CONSTANT(18446744073709551614) },
    { .name = "max", .value = "18446744073709551615", .ret = 1, .out = G_MAXUINT64 },
    { .name = "max-plus-1", .value = "18446744073709551616", .ret = -1,
      .message = "t.xml:3: <e> attribute a='18446744073709551616' is out of range "
                 "(0..18446744073709551615)" },
    { .name = "max-plus-5", .value = "18446744073709551620", .ret = -1,
      .message = "t.xml:3: <e> attribute a='18446744073709551620' is out of range "
                 "(0..18446744073709551615)" },
    { .name = "twenty-nines", .value = "99999999999999999999", .ret = -1,
      .message = "t.xml:3: <e> attribute a='99999999999999999999' is out of range "
                 "(0..18446744073709551615)" },
    { .name = "empty", .value = "", .ret = -1,
      .message = "t.xml:3: <e> attribute a='' is not an unsigned integer" },
    { .name = "+1", .value = "+1", .ret = -1,
      .message = "t.xml:3: <e> attribute a='+1' is not an unsigned integer" },
    { .name = "-1", .value = "-1", .ret = -1,
      .message = "t.xml:3: <e> attribute a='-1' is not an unsigned integer" },
    { .name = "-0", .value = "-0", .ret = -1,
      .message = "t.xml:3: <e> attribute a='-0' is not an unsigned integer" },
    { .name = "leading-space", .value = " 1", .ret = -1,
      .message = "t.xml:3: <e> attribute a=' 1' is not an unsigned integer" },
    { .name = "trailing-space", .value = "1 ", .ret = -1,
      .message = "t.xml:3: <e> attribute a='1 ' is not an unsigned integer" },
    { .name = "inner-space", .value = "1 2", .ret = -1,
      .message = "t.xml:3: <e> attribute a='1 2' is not an unsigned integer" },
    { .name = "abc", .value = "abc", .ret = -1,
      .message = "t.xml:3: <e> attribute a='abc' is not an unsigned integer" },
    { .name = "0x10", .value = "0x10", .ret = -1,
      .message = "t.xml:3: <e> attribute a='0x10' is not an unsigned integer" },
    { .name = "1e3", .value = "1e3", .ret = -1,
      .message = "t.xml:3: <e> attribute a='1e3' is not an unsigned integer" },
    { .name = "2.5", .value = "2.5", .ret = -1,
      .message = "t.xml:3: <e> attribute a='2.5' is not an unsigned integer" },
    { .name = "newline-reference", .value = "&#10;5", .ret = -1,
      .message = "t.xml:3: <e> attribute a='\\n5' is not an unsigned integer" },
};

static void
test_prop_u64(void **state)
{
    const U64Case *c = *state;
    g_autofree char *text = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(GError) err = NULL;
    xmlNode *e;
    guint64 out = 777;
    int r;

    if (c->value)
        text = g_strdup_printf("<r>\n\n<e a='%s' b='1'/></r>", c->value);
    else
        text = g_strdup("<r>\n\n<e b='1'/></r>");
    doc = tg_xml_parse(text, strlen(text), "t.xml", &err);
    assert_non_null(doc);
    e = tg_xml_child(xmlDocGetRootElement(doc), NULL, "e");
    assert_non_null(e);
    r = tg_xml_prop_u64(e, "a", TG_XML_PROP_OPTIONAL, &out, &err);
    assert_int_equal(r, c->ret);
    if (r == 1) {
        assert_null(err);
        assert_true(out == c->out);
    } else if (r == 0) {
        assert_null(err);
        assert_true(out == 777);
    } else {
        pt_assert_error(err, TG_ERROR_INVALID, c->message);
    }
}

/* ---- bounds: input within the size limit that libxml2 would amplify ---- */

/* A hang guard only (not a timing assertion): a test that runs this long
 * is killed by SIGALRM and fails. */
#define HANG_GUARD_SECONDS 120

/* "<r><e a0='' a1='' ... /></r>" with `n` attributes on <e> (g_free). */
static char *
many_attributes(guint n)
{
    GString *s = g_string_new("<r>\n<e");

    for (guint i = 0; i < n; i++)
        g_string_append_printf(s, " a%u=''", i);
    g_string_append(s, "/></r>");
    return g_string_free(s, FALSE);
}

/* "<r><a/><a/>...</r>" with `n` empty elements in <r> (g_free). */
static char *
many_elements(guint n, const char *each)
{
    GString *s = g_string_new("<r>");

    for (guint i = 0; i < n; i++)
        g_string_append(s, each);
    g_string_append(s, "</r>");
    return g_string_free(s, FALSE);
}

/* One element with 50,000 attributes: libxml2 2.9's duplicate-attribute
 * check in xmlParseStartTag2 is quadratic in their number. */
static void
test_bound_attributes(void **state)
{
    g_autofree char *text = many_attributes(50000);
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = NULL;

    alarm(HANG_GUARD_SECONDS);
    doc = tg_xml_parse(text, strlen(text), "attrs.xml", &err);
    alarm(0);
    assert_null(doc);
    pt_assert_error(err, TG_ERROR_INVALID,
                    "attrs.xml:2: <e> has more than 256 attributes (tscgate's limit per element)");
}

/* Namespace declarations are attributes too. */
static void
test_bound_namespace_declarations(void **state)
{
    GString *s = g_string_new("<r\n");
    g_autofree char *text = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = NULL;

    for (guint i = 0; i < 300; i++)
        g_string_append_printf(s, " xmlns:n%u='urn:n%u'", i, i);
    g_string_append(s, "/>");
    text = g_string_free(s, FALSE);
    doc = tg_xml_parse(text, strlen(text), "ns.xml", &err);
    assert_null(doc);
    pt_assert_error(err, TG_ERROR_INVALID,
                    "ns.xml:1: <r> has more than 256 attributes (tscgate's limit per element)");
}

/* "<r>" holding `n` elements that declare one namespace each, one per
 * line (g_free). */
static char *
many_namespaces(guint n)
{
    GString *s = g_string_new("<r>\n");

    for (guint i = 0; i < n; i++)
        g_string_append_printf(s, "<n%u:e xmlns:n%u='urn:n%u'/>\n", i, i, i);
    g_string_append(s, "</r>");
    return g_string_free(s, FALSE);
}

/* The namespace declarations of a whole document are bounded: libxml2
 * 2.9 looks up every prefixed name in the table of namespaces in scope,
 * one by one (xmlParseStartTag2 -> xmlGetNamespace, parser.c), so 250
 * nested elements declaring 250 namespaces each and then 1,500 elements
 * with 250 prefixed attributes each (3.8 MB, inside the per-element and
 * node bounds) took seconds. libvirt's own domain XML declares a handful
 * (one per <metadata> application, qemu:commandline); 128 are accepted. */
static void
test_bound_namespaces_per_document(void **state)
{
    g_autofree char *at = many_namespaces(128);
    g_autofree char *over = many_namespaces(129);
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = tg_xml_parse(at, strlen(at), "ns.xml", &err);
    GString *s = g_string_new("<r:x xmlns:r='urn:r'>\n");
    g_autofree char *nested = NULL;

    if (!doc)
        fail_msg("refused: %s", err->message);
    g_clear_pointer(&doc, xmlFreeDoc);
    doc = tg_xml_parse(over, strlen(over), "ns.xml", &err);
    assert_null(doc);
    pt_assert_error(err, TG_ERROR_INVALID,
                    "ns.xml:130: document declares more than 128 namespaces (tscgate's limit)");
    g_clear_error(&err);

    /* the shape that was slow: refused at the second nested element */
    for (guint d = 0; d < 250; d++) {
        g_string_append(s, "<r:e");
        for (guint i = 0; i < 250; i++)
            g_string_append_printf(s, " xmlns:p%u='urn:%u'", i, i);
        g_string_append(s, ">\n");
    }
    for (guint k = 0; k < 1500; k++) {
        g_string_append(s, "<r:s");
        for (guint i = 0; i < 250; i++)
            g_string_append_printf(s, " r:a%u=''", i);
        g_string_append(s, "/>\n");
    }
    for (guint d = 0; d < 250; d++)
        g_string_append(s, "</r:e>");
    g_string_append(s, "</r:x>\n");
    nested = g_string_free(s, FALSE);
    alarm(HANG_GUARD_SECONDS);
    doc = tg_xml_parse(nested, strlen(nested), "nested.xml", &err);
    alarm(0);
    assert_null(doc);
    pt_assert_error(err, TG_ERROR_INVALID,
                    "nested.xml:2: document declares more than 128 namespaces (tscgate's limit)");
}

/* Input the byte scan cannot read (EBCDIC) is bounded by the parser's
 * callbacks the same way. */
static void
test_bound_namespaces_ebcdic(void **state)
{
    g_autofree char *body = many_namespaces(129);
    g_autofree char *text = g_strdup_printf("<?xml version='1.0' encoding='IBM037'?>\n%s", body);
    g_autofree char *ebcdic = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    gsize len = 0;

    ebcdic = g_convert(text, -1, "IBM037", "UTF-8", NULL, &len, &err);
    if (!ebcdic)
        fail_msg("iconv: %s", err->message);
    doc = tg_xml_parse(ebcdic, len, "ebcdic.xml", &err);
    assert_null(doc);
    pt_assert_error(err, TG_ERROR_INVALID,
                    "ebcdic.xml:131: document declares more than 128 namespaces (tscgate's limit)");
}

/* At the limit is fine; what looks like attributes inside values,
 * comments, CDATA and processing instructions is not counted. */
static void
test_bound_attributes_at_limit(void **state)
{
    g_autofree char *text = many_attributes(256);
    g_autofree char *tricky = NULL;
    GString *s = g_string_new("<r a='x=y z=\"w\"' b=\"'='\"><!-- <c d='1' ");
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = tg_xml_parse(text, strlen(text), "attrs.xml", &err);
    g_autoptr(xmlDoc) doc2 = NULL;

    assert_non_null(doc);
    for (guint i = 0; i < 300; i++)
        g_string_append(s, " x=''");
    g_string_append(s, " --><![CDATA[<e");
    for (guint i = 0; i < 300; i++)
        g_string_append(s, " x=''");
    g_string_append(s, ">]]><?pi");
    for (guint i = 0; i < 300; i++)
        g_string_append(s, " x=''");
    g_string_append(s, "?></r>");
    tricky = g_string_free(s, FALSE);
    doc2 = tg_xml_parse(tricky, strlen(tricky), "tricky.xml", &err);
    if (!doc2)
        fail_msg("refused: %s", err->message);
}

/* A million empty elements (4 MB, well within the input limit; 4 million
 * took 596 MB of memory). */
static void
test_bound_elements(void **state)
{
    g_autofree char *text = many_elements(1000000, "<a/>");
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = NULL;

    alarm(HANG_GUARD_SECONDS);
    doc = tg_xml_parse(text, strlen(text), "elems.xml", &err);
    alarm(0);
    assert_null(doc);
    pt_assert_error(err, TG_ERROR_INVALID,
                    "elems.xml:1: document has more than 200000 elements, comments and "
                    "processing instructions (tscgate's limit)");
}

/* Comments and processing instructions are nodes of the tree too. */
static void
test_bound_comments(void **state)
{
    g_autofree char *text = many_elements(300000, "<!---->");
    g_autofree char *pis = many_elements(300000, "<?p?>");
    g_autoptr(GError) err = NULL;
    g_autoptr(GError) err2 = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlDoc) doc2 = NULL;

    alarm(HANG_GUARD_SECONDS);
    doc = tg_xml_parse(text, strlen(text), "c.xml", &err);
    doc2 = tg_xml_parse(pis, strlen(pis), "p.xml", &err2);
    alarm(0);
    assert_null(doc);
    pt_assert_error(err, TG_ERROR_INVALID,
                    "c.xml:1: document has more than 200000 elements, comments and "
                    "processing instructions (tscgate's limit)");
    assert_null(doc2);
    pt_assert_error(err2, TG_ERROR_INVALID,
                    "p.xml:1: document has more than 200000 elements, comments and "
                    "processing instructions (tscgate's limit)");
}

/* The largest domains libvirt's own tests describe (a few hundred elements,
 * a handful of attributes each) are far inside the bounds: a domain with
 * 4096 vCPUs each pinned and scheduled, 128 NUMA cells with a full distance
 * matrix and 512 disks still parses. */
static void
test_bound_big_domain_passes(void **state)
{
    GString *s = g_string_new("<domain type='kvm'>\n  <name>big</name>\n  <vcpus>\n");
    g_autofree char *text = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = NULL;

    for (guint i = 0; i < 4096; i++)
        g_string_append_printf(s, "    <vcpu id='%u' enabled='yes' hotpluggable='%s' order='%u'/>\n",
                               i, i ? "yes" : "no", i + 1);
    g_string_append(s, "  </vcpus>\n  <cputune>\n");
    for (guint i = 0; i < 4096; i++)
        g_string_append_printf(s, "    <vcpupin vcpu='%u' cpuset='%u'/>\n"
                               "    <vcpusched vcpus='%u' scheduler='fifo' priority='1'/>\n",
                               i, i, i);
    g_string_append(s, "  </cputune>\n  <cpu mode='host-passthrough'>\n    <numa>\n");
    for (guint c = 0; c < 128; c++) {
        g_string_append_printf(s, "      <cell id='%u' cpus='%u-%u' memory='1048576' unit='KiB'>\n"
                               "        <distances>\n", c, c * 32, c * 32 + 31);
        for (guint d = 0; d < 128; d++)
            g_string_append_printf(s, "          <sibling id='%u' value='%u'/>\n", d,
                                   c == d ? 10 : 20);
        g_string_append(s, "        </distances>\n      </cell>\n");
    }
    g_string_append(s, "    </numa>\n  </cpu>\n  <devices>\n");
    for (guint i = 0; i < 512; i++)
        g_string_append_printf(s, "    <disk type='file' device='disk'>\n"
                               "      <driver name='qemu' type='qcow2' cache='none' io='native' "
                               "discard='unmap' detect_zeroes='unmap' queues='4' "
                               "iothread='1' error_policy='stop' rerror_policy='report' "
                               "copy_on_read='off' ioeventfd='on' event_idx='on'/>\n"
                               "      <source file='/var/lib/libvirt/images/d%u.qcow2'/>\n"
                               "      <target dev='vd%u' bus='virtio'/>\n"
                               "      <address type='pci' domain='0x0000' bus='0x%02x' "
                               "slot='0x%02x' function='0x0'/>\n    </disk>\n",
                               i, i, i / 32, i % 32);
    g_string_append(s, "  </devices>\n</domain>\n");
    text = g_string_free(s, FALSE);
    doc = tg_xml_parse(text, strlen(text), "big.xml", &err);
    if (!doc)
        fail_msg("refused: %s", err->message);
}

/* ---- typed readers: one wording per problem ---- */

typedef enum {
    READ_STRING,
    READ_ENUM,
    READ_TRI,
    READ_BOOL,
    READ_U64_RANGE,
    READ_VERSION,
    READ_TEXT_ENUM,
    READ_TEXT_BOOL,
    READ_TEXT_U64,
} ReadKind;

typedef struct {
    const char *name;
    const char *element;      /* the one child of <r>, on line 2 of p.xml */
    ReadKind kind;
    const char *attr;
    TgXMLPropFlags flags;
    TgXMLBoolWords words;
    guint64 min, max;         /* READ_U64_RANGE, READ_TEXT_U64 */
    guint supported;          /* READ_VERSION */
    int ret;                  /* 1 read, 0 absent, -1 error (text/version readers: 1 or -1) */
    int out_int;              /* enum value, TgTri, bool, version major */
    guint64 out_u64;          /* u64, version minor */
    const char *out_str;
    int code;
    const char *message;
} ReadCase;

/* spellings with a hole: value 1 has none */
static const char *const mode_names[] = { "enforce", NULL, "audit" };
static const TgEnumTable mode_table = TG_ENUM_TABLE(mode_names);

static const ReadCase read_cases[] = {
    { .name = "string-present", .element = "<e a='x y'/>", .kind = READ_STRING, .attr = "a",
      .ret = 1, .out_str = "x y" },
    { .name = "string-absent-optional", .element = "<e/>", .kind = READ_STRING, .attr = "a",
      .ret = 0 },
    { .name = "string-absent-required", .element = "<t:e xmlns:t='urn:t'/>", .kind = READ_STRING,
      .attr = "a", .flags = TG_XML_PROP_REQUIRED, .ret = -1, .code = TG_ERROR_INVALID,
      .message = "p.xml:2: <t:e> has no a attribute" },
    { .name = "enum-first", .element = "<e m='enforce'/>", .kind = READ_ENUM, .attr = "m",
      .ret = 1, .out_int = 0 },
    { .name = "enum-after-hole", .element = "<e m='audit'/>", .kind = READ_ENUM, .attr = "m",
      .ret = 1, .out_int = 2 },
    { .name = "enum-bad", .element = "<mode m='sometimes'/>", .kind = READ_ENUM, .attr = "m",
      .ret = -1, .code = TG_ERROR_INVALID,
      .message = "p.xml:2: <mode> attribute m='sometimes' is not one of: enforce, audit" },
    { .name = "enum-bad-escaped", .element = "<e m='a&#10;b'/>", .kind = READ_ENUM, .attr = "m",
      .ret = -1, .code = TG_ERROR_INVALID,
      .message = "p.xml:2: <e> attribute m='a\\nb' is not one of: enforce, audit" },
    { .name = "enum-case-matters", .element = "<e m='Enforce'/>", .kind = READ_ENUM, .attr = "m",
      .ret = -1, .code = TG_ERROR_INVALID,
      .message = "p.xml:2: <e> attribute m='Enforce' is not one of: enforce, audit" },
    { .name = "enum-absent", .element = "<e/>", .kind = READ_ENUM, .attr = "m", .ret = 0 },
    { .name = "enum-absent-required", .element = "<e/>", .kind = READ_ENUM, .attr = "m",
      .flags = TG_XML_PROP_REQUIRED, .ret = -1, .code = TG_ERROR_INVALID,
      .message = "p.xml:2: <e> has no m attribute" },
    { .name = "tri-yes", .element = "<timer present='yes'/>", .kind = READ_TRI,
      .attr = "present", .ret = 1, .out_int = TG_TRI_YES },
    { .name = "tri-no", .element = "<timer present='no'/>", .kind = READ_TRI,
      .attr = "present", .ret = 1, .out_int = TG_TRI_NO },
    { .name = "tri-absent", .element = "<timer/>", .kind = READ_TRI, .attr = "present",
      .ret = 0, .out_int = TG_TRI_UNKNOWN },
    { .name = "tri-bad", .element = "<timer present='maybe'/>", .kind = READ_TRI,
      .attr = "present", .ret = -1, .code = TG_ERROR_INVALID,
      .message = "p.xml:2: <timer> attribute present='maybe' is not one of: yes, no" },
    { .name = "tri-on", .element = "<cpu migratable='on'/>", .kind = READ_TRI,
      .attr = "migratable", .words = TG_XML_ON_OFF, .ret = 1, .out_int = TG_TRI_YES },
    { .name = "tri-on-off-refuses-yes", .element = "<cpu migratable='yes'/>", .kind = READ_TRI,
      .attr = "migratable", .words = TG_XML_ON_OFF, .ret = -1, .code = TG_ERROR_INVALID,
      .message = "p.xml:2: <cpu> attribute migratable='yes' is not one of: on, off" },
    { .name = "bool-yes", .element = "<e b='yes'/>", .kind = READ_BOOL, .attr = "b",
      .ret = 1, .out_int = 1 },
    { .name = "bool-off", .element = "<e b='off'/>", .kind = READ_BOOL, .attr = "b",
      .words = TG_XML_ON_OFF, .ret = 1, .out_int = 0 },
    { .name = "bool-bad", .element = "<e b='1'/>", .kind = READ_BOOL, .attr = "b",
      .ret = -1, .code = TG_ERROR_INVALID,
      .message = "p.xml:2: <e> attribute b='1' is not one of: yes, no" },
    { .name = "u64-in-range", .element = "<t ppm='250'/>", .kind = READ_U64_RANGE,
      .attr = "ppm", .min = 0, .max = 1000000, .ret = 1, .out_u64 = 250 },
    { .name = "u64-at-max", .element = "<t ppm='1000000'/>", .kind = READ_U64_RANGE,
      .attr = "ppm", .min = 0, .max = 1000000, .ret = 1, .out_u64 = 1000000 },
    { .name = "u64-above-max", .element = "<t ppm='1000001'/>", .kind = READ_U64_RANGE,
      .attr = "ppm", .min = 0, .max = 1000000, .ret = -1, .code = TG_ERROR_INVALID,
      .message = "p.xml:2: <t> attribute ppm='1000001' is out of range (0..1000000)" },
    { .name = "u64-below-min", .element = "<counter frequency='0'/>", .kind = READ_U64_RANGE,
      .attr = "frequency", .min = 1, .max = G_MAXUINT64, .ret = -1, .code = TG_ERROR_INVALID,
      .message = "p.xml:2: <counter> attribute frequency='0' is out of range "
                 "(1..18446744073709551615)" },
    { .name = "u64-not-a-number", .element = "<t ppm='25O'/>", .kind = READ_U64_RANGE,
      .attr = "ppm", .min = 0, .max = 1000000, .ret = -1, .code = TG_ERROR_INVALID,
      .message = "p.xml:2: <t> attribute ppm='25O' is not an unsigned integer" },
    { .name = "u64-absent-required", .element = "<counter/>", .kind = READ_U64_RANGE,
      .attr = "frequency", .flags = TG_XML_PROP_REQUIRED, .min = 0, .max = 9, .ret = -1,
      .code = TG_ERROR_INVALID, .message = "p.xml:2: <counter> has no frequency attribute" },
    { .name = "version-major", .element = "<f version='1'/>", .kind = READ_VERSION,
      .supported = 1, .ret = 1, .out_int = 1, .out_u64 = 0 },
    { .name = "version-newer-minor", .element = "<f version='1.7'/>", .kind = READ_VERSION,
      .supported = 1, .ret = 1, .out_int = 1, .out_u64 = 7 },
    { .name = "version-older-major", .element = "<f version='1.0'/>", .kind = READ_VERSION,
      .supported = 2, .ret = 1, .out_int = 1, .out_u64 = 0 },
    { .name = "version-newer-major", .element = "<t:f xmlns:t='urn:t' version='2.0'/>",
      .kind = READ_VERSION, .supported = 1, .ret = -1, .code = TG_ERROR_UNSUPPORTED,
      .message = "p.xml:2: <t:f> version '2.0' is newer than this tscgate understands "
                 "(major version 1); upgrade tscgate" },
    { .name = "version-absent", .element = "<f/>", .kind = READ_VERSION, .supported = 1,
      .ret = -1, .code = TG_ERROR_INVALID, .message = "p.xml:2: <f> has no version attribute" },
    { .name = "version-zero", .element = "<f version='0'/>", .kind = READ_VERSION,
      .supported = 1, .ret = -1, .code = TG_ERROR_INVALID,
      .message = "p.xml:2: <f> attribute version='0' is not a version number (MAJOR or MAJOR.MINOR)" },
    { .name = "version-three-parts", .element = "<f version='1.0.1'/>", .kind = READ_VERSION,
      .supported = 1, .ret = -1, .code = TG_ERROR_INVALID,
      .message = "p.xml:2: <f> attribute version='1.0.1' is not a version number (MAJOR or MAJOR.MINOR)" },
    { .name = "version-minor-not-a-number", .element = "<f version='1.x'/>", .kind = READ_VERSION,
      .supported = 1, .ret = -1, .code = TG_ERROR_INVALID,
      .message = "p.xml:2: <f> attribute version='1.x' is not a version number (MAJOR or MAJOR.MINOR)" },
    { .name = "text-enum", .element = "<mode> audit </mode>", .kind = READ_TEXT_ENUM,
      .ret = 1, .out_int = 2 },
    { .name = "text-enum-bad", .element = "<mode>sometimes</mode>", .kind = READ_TEXT_ENUM,
      .ret = -1, .code = TG_ERROR_INVALID,
      .message = "p.xml:2: <mode> 'sometimes' is not one of: enforce, audit" },
    { .name = "text-bool", .element = "<t:c xmlns:t='urn:t'>\n yes\n</t:c>", .kind = READ_TEXT_BOOL,
      .ret = 1, .out_int = 1 },
    { .name = "text-bool-bad", .element = "<t:c xmlns:t='urn:t'>true</t:c>", .kind = READ_TEXT_BOOL,
      .ret = -1, .code = TG_ERROR_INVALID,
      .message = "p.xml:2: <t:c> 'true' is not one of: yes, no" },
    { .name = "text-u64", .element = "<n> 42 </n>", .kind = READ_TEXT_U64, .min = 0,
      .max = G_MAXUINT64, .ret = 1, .out_u64 = 42 },
    { .name = "text-u64-bad", .element = "<n>4 2</n>", .kind = READ_TEXT_U64, .min = 0,
      .max = G_MAXUINT64, .ret = -1, .code = TG_ERROR_INVALID,
      .message = "p.xml:2: <n> '4 2' is not an unsigned integer" },
    { .name = "text-u64-overflow", .element = "<n>18446744073709551616</n>", .kind = READ_TEXT_U64,
      .min = 0, .max = G_MAXUINT64, .ret = -1, .code = TG_ERROR_INVALID,
      .message = "p.xml:2: <n> '18446744073709551616' is out of range "
                 "(0..18446744073709551615)" },
    { .name = "text-u64-empty", .element = "<n/>", .kind = READ_TEXT_U64, .min = 0,
      .max = G_MAXUINT64, .ret = -1, .code = TG_ERROR_INVALID,
      .message = "p.xml:2: <n> '' is not an unsigned integer" },
};

static void
test_read(void **state)
{
    const ReadCase *c = *state;
    g_autofree char *text = g_strdup_printf("<r>\n%s</r>", c->element);
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *str = NULL;
    xmlNode *e;
    int out_int = -7;
    bool out_bool = false;
    TgTri tri = TG_TRI_UNKNOWN;
    guint major = 0, minor = 0;
    guint64 u = 777;
    int r = 0;

    doc = tg_xml_parse(text, strlen(text), "p.xml", &err);
    assert_non_null(doc);
    e = xmlFirstElementChild(xmlDocGetRootElement(doc));
    assert_non_null(e);
    switch (c->kind) {
    case READ_STRING:
        r = tg_xml_prop_string(e, c->attr, c->flags, &str, &err);
        break;
    case READ_ENUM:
        r = tg_xml_prop_enum(e, c->attr, &mode_table, c->flags, &out_int, &err);
        break;
    case READ_TRI:
        r = tg_xml_prop_tri(e, c->attr, c->words, c->flags, &tri, &err);
        out_int = (int)tri;
        break;
    case READ_BOOL:
        r = tg_xml_prop_bool(e, c->attr, c->words, c->flags, &out_bool, &err);
        out_int = out_bool;
        break;
    case READ_U64_RANGE:
        r = tg_xml_prop_u64_range(e, c->attr, c->min, c->max, c->flags, &u, &err);
        break;
    case READ_VERSION:
        r = tg_xml_prop_version(e, c->supported, &major, &minor, &err) ? 1 : -1;
        out_int = (int)major;
        u = minor;
        break;
    case READ_TEXT_ENUM:
        r = tg_xml_text_enum(e, &mode_table, &out_int, &err) ? 1 : -1;
        break;
    case READ_TEXT_BOOL:
        r = tg_xml_text_bool(e, c->words, &out_bool, &err) ? 1 : -1;
        out_int = out_bool;
        break;
    case READ_TEXT_U64:
        r = tg_xml_text_u64_range(e, c->min, c->max, &u, &err) ? 1 : -1;
        break;
    }
    assert_int_equal(r, c->ret);
    if (r < 0) {
        pt_assert_error(err, c->code, c->message);
        return;
    }
    assert_null(err);
    if (c->kind == READ_STRING) {
        if (r == 1)
            assert_string_equal(str, c->out_str);
        else
            assert_null(str);
    } else if (c->kind == READ_U64_RANGE || c->kind == READ_TEXT_U64) {
        assert_true(u == (r == 1 ? c->out_u64 : 777));
    } else if (c->kind == READ_VERSION) {
        assert_int_equal(out_int, c->out_int);
        assert_true(u == c->out_u64);
    } else if (r == 1 || c->kind == READ_TRI) {
        assert_int_equal(out_int, c->out_int);
    } else {
        assert_int_equal(out_int, -7); /* absent: left alone */
    }
}

/* The wrong root, with and without a namespace; and the file name as given
 * (libxml2 would store it as a URI, "a%20b.xml"). */
static void
test_root(void **state)
{
    static const char *const docs[] = { "<capabilities/>", "\n<domain xmlns='urn:x'/>",
                                        "<domain/>" };
    static const char *const msgs[] = {
        "a b.xml:1: root element is <capabilities>, expected <domain> (`virsh dumpxml` output)",
        "a b.xml:2: root element is <domain> in namespace 'urn:x', expected <domain> "
        "(`virsh dumpxml` output)",
        NULL,
    };

    for (gsize i = 0; i < G_N_ELEMENTS(docs); i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(xmlDoc) doc = tg_xml_parse(docs[i], strlen(docs[i]), "a b.xml", &err);
        xmlNode *root;

        assert_non_null(doc);
        root = tg_xml_root(doc, NULL, "domain", "<domain> (`virsh dumpxml` output)", &err);
        if (msgs[i]) {
            assert_null(root);
            pt_assert_error(err, TG_ERROR_INVALID, msgs[i]);
        } else {
            assert_non_null(root);
            assert_null(err);
            assert_string_equal(tg_xml_filename(root), "a b.xml");
        }
    }
}

/* No file name: standard input, under its one name. */
static void
test_stdin_name(void **state)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = tg_xml_parse("<r/>", 4, NULL, &err);
    g_autoptr(xmlDoc) bad = NULL;

    assert_non_null(doc);
    assert_string_equal(tg_xml_filename(xmlDocGetRootElement(doc)), TG_STDIN_NAME);
    bad = tg_xml_parse("<r>", 3, NULL, &err);
    assert_null(bad);
    assert_true(g_str_has_prefix(err->message, TG_STDIN_NAME ":1: not well-formed XML: "));
}

/* The enum table helpers every model's strings go through. */
static void
test_enum_table(void **state)
{
    g_autofree char *list = tg_enum_list(&mode_table);

    assert_string_equal(list, "enforce, audit");
    assert_string_equal(tg_enum_to_string(&mode_table, 2), "audit");
    assert_null(tg_enum_to_string(&mode_table, 1));
    assert_null(tg_enum_to_string(&mode_table, 3));
    assert_null(tg_enum_to_string(&mode_table, -1));
    assert_int_equal(tg_enum_from_string(&mode_table, "audit"), 2);
    assert_int_equal(tg_enum_from_string(&mode_table, ""), -1);
    assert_int_equal(tg_enum_from_string(&mode_table, NULL), -1);
    assert_string_equal(tg_tri_to_string(TG_TRI_UNKNOWN), "unknown");
    assert_int_equal(tg_enum_from_string(&tg_tri_table, "yes"), TG_TRI_YES);
}

/* ---- navigation, text, lines ---- */

static const char nav_doc[] =
    "<root xmlns:a='urn:a' a:k='ns' k='plain'>\n" /* 1 */
    "  <x id='1'/>\n"                             /* 2 */
    "  <a:x id='a1'/>\n"                          /* 3 */
    "  <y>  hello \n world \n</y>\n"               /* 4-6 */
    "  <!-- x -->\n"                              /* 7 */
    "  <x id='2'/>\n"                             /* 8 */
    "  <a:x id='a2'/>\n"                          /* 9 */
    "  <t xmlns='urn:b'><u/></t>\n"               /* 10 */
    "  <z/>\n"                                    /* 11 */
    "</root>\n";

static void
assert_id(const xmlNode *n, const char *id, int line)
{
    g_autofree char *v = NULL;

    assert_non_null(n);
    v = tg_xml_prop(n, "id");
    assert_string_equal(v, id);
    assert_int_equal(tg_xml_line(n), line);
}

static void
test_navigation(void **state)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = tg_xml_parse(nav_doc, strlen(nav_doc), "n.xml", &err);
    xmlNode *root;
    xmlNode *n;
    g_autofree char *text = NULL;
    g_autofree char *k = NULL;
    g_autofree char *missing = NULL;

    assert_non_null(doc);
    root = xmlDocGetRootElement(doc);
    assert_int_equal(tg_xml_line(root), 1);
    assert_true(tg_xml_is(root, NULL, "root"));
    assert_false(tg_xml_is(root, "urn:a", "root"));
    assert_false(tg_xml_is(root, NULL, "roo"));
    assert_false(tg_xml_is(NULL, NULL, "root"));

    n = tg_xml_child(root, NULL, "x");
    assert_id(n, "1", 2);
    n = tg_xml_next_same(n);
    assert_id(n, "2", 8);
    assert_null(tg_xml_next_same(n));

    n = tg_xml_child(root, "urn:a", "x");
    assert_id(n, "a1", 3);
    assert_true(tg_xml_is(n, "urn:a", "x"));
    assert_false(tg_xml_is(n, NULL, "x"));
    n = tg_xml_next_same(n);
    assert_id(n, "a2", 9);
    assert_null(tg_xml_next_same(n));

    assert_null(tg_xml_child(root, NULL, "nope"));
    assert_null(tg_xml_child(root, "urn:b", "x"));
    assert_null(tg_xml_child(NULL, NULL, "x"));

    n = tg_xml_child(root, NULL, "t");
    assert_null(n); /* <t> is in the default namespace urn:b */
    n = tg_xml_child(root, "urn:b", "t");
    assert_non_null(n);
    assert_int_equal(tg_xml_line(n), 10);
    assert_null(tg_xml_child(n, NULL, "u"));
    assert_non_null(tg_xml_child(n, "urn:b", "u"));

    n = tg_xml_child(root, NULL, "y");
    text = tg_xml_text(n);
    assert_string_equal(text, "hello \n world");
    assert_int_equal(tg_xml_line(tg_xml_child(root, NULL, "z")), 11);

    /* tg_xml_prop only sees attributes without a namespace */
    k = tg_xml_prop(root, "k");
    assert_string_equal(k, "plain");
    missing = tg_xml_prop(root, "missing");
    assert_null(missing);
    assert_int_equal(tg_xml_line(NULL), 0);
}

/* Line numbers beyond 65535 are reported exactly. */
static void
test_big_line_numbers(void **state)
{
    GString *s = g_string_new("<r>");
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *text = NULL;
    guint64 out;

    for (int i = 0; i < 70000; i++)
        g_string_append_c(s, '\n');
    g_string_append(s, "<e a='x'/></r>");
    text = g_string_free(s, FALSE);
    doc = tg_xml_parse(text, strlen(text), "big.xml", &err);
    assert_non_null(doc);
    assert_int_equal(tg_xml_prop_u64(tg_xml_child(xmlDocGetRootElement(doc), NULL, "e"), "a",
                                     TG_XML_PROP_OPTIONAL, &out, &err), -1);
    pt_assert_error(err, TG_ERROR_INVALID,
                    "big.xml:70001: <e> attribute a='x' is not an unsigned integer");
}

/* ---- tg_read_file ---- */

static void
test_read_file(void **state)
{
    g_autofree char *path = pt_fixture_path("caps-amd-real.xml");
    g_autofree char *expected = NULL;
    g_autofree char *got = NULL;
    gsize elen = 0;
    gsize glen = 0;
    g_autoptr(GError) err = NULL;

    assert_true(g_file_get_contents(path, &expected, &elen, NULL));
    assert_true(tg_read_file(path, &got, &glen, &err));
    assert_null(err);
    assert_int_equal(glen, elen);
    assert_memory_equal(got, expected, elen);
    assert_int_equal(got[glen], '\0');
}

static void
test_read_file_errors(void **state)
{
    g_autofree char *dir = g_dir_make_tmp("tg-test-xml-XXXXXX", NULL);
    g_autofree char *missing = g_build_filename(dir, "missing.xml", NULL);
    g_autofree char *msg = NULL;
    g_autoptr(GError) err = NULL;
    char *buf = NULL;
    gsize len = 0;

    assert_false(tg_read_file(missing, &buf, &len, &err));
    msg = g_strdup_printf("%s: No such file or directory", missing);
    pt_assert_error(err, TG_ERROR_IO, msg);
    g_clear_error(&err);
    g_free(msg);

    assert_false(tg_read_file(dir, &buf, &len, &err));
    msg = g_strdup_printf("%s: Is a directory", dir);
    pt_assert_error(err, TG_ERROR_IO, msg);
    g_clear_error(&err);

    assert_false(tg_read_file("", &buf, &len, &err));
    pt_assert_error(err, TG_ERROR_IO, "empty file name");
    assert_null(buf);
    g_rmdir(dir);
}

/* At the cap: accepted; one byte more: refused. */
static void
test_read_file_size_cap(void **state)
{
    g_autofree char *dir = g_dir_make_tmp("tg-test-xml-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "big.xml", NULL);
    g_autofree char *msg = NULL;
    g_autoptr(GError) err = NULL;
    char *buf = NULL;
    gsize len = 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, TG_MAX_INPUT_BYTES), 0);
    assert_true(tg_read_file(path, &buf, &len, &err));
    assert_int_equal(len, TG_MAX_INPUT_BYTES);
    g_free(buf);
    buf = NULL;

    assert_int_equal(ftruncate(fd, TG_MAX_INPUT_BYTES + 1), 0);
    close(fd);
    assert_false(tg_read_file(path, &buf, &len, &err));
    msg = g_strdup_printf("%s: input is larger than 16777216 bytes", path);
    pt_assert_error(err, TG_ERROR_IO, msg);
    assert_null(buf);
    unlink(path);
    g_rmdir(dir);
}

static void
test_read_stdin(void **state)
{
    g_autofree char *path = pt_fixture_path("probe-hosta.xml");
    g_autofree char *expected = NULL;
    g_autofree char *got = NULL;
    g_autoptr(GError) err = NULL;
    gsize elen = 0;
    gsize glen = 0;
    int saved = dup(STDIN_FILENO);
    int fd = open(path, O_RDONLY);

    assert_true(saved >= 0 && fd >= 0);
    assert_true(g_file_get_contents(path, &expected, &elen, NULL));
    assert_int_equal(dup2(fd, STDIN_FILENO), STDIN_FILENO);
    close(fd);
    assert_true(tg_read_file("-", &got, &glen, &err));
    assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
    close(saved);
    assert_int_equal(glen, elen);
    assert_memory_equal(got, expected, elen);
}

int
main(void)
{
    PtTests *t = pt_tests_new();

    PT_ADD_ROWS(t, test_parse, parse_cases);
    PT_ADD(t, test_external_file_entity);
    PT_ADD(t, test_external_entity_not_read);
    PT_ADD(t, test_external_http_not_fetched);
    PT_ADD_ROWS(t, test_prop_u64, u64_cases);
    PT_ADD(t, test_bound_attributes);
    PT_ADD(t, test_bound_namespace_declarations);
    PT_ADD(t, test_bound_namespaces_per_document);
    PT_ADD(t, test_bound_namespaces_ebcdic);
    PT_ADD(t, test_bound_attributes_at_limit);
    PT_ADD(t, test_bound_elements);
    PT_ADD(t, test_bound_comments);
    PT_ADD(t, test_bound_big_domain_passes);
    PT_ADD_ROWS(t, test_read, read_cases);
    PT_ADD(t, test_root);
    PT_ADD(t, test_stdin_name);
    PT_ADD(t, test_enum_table);
    PT_ADD(t, test_navigation);
    PT_ADD(t, test_big_line_numbers);
    PT_ADD(t, test_read_file);
    PT_ADD(t, test_read_file_errors);
    PT_ADD(t, test_read_file_size_cap);
    PT_ADD(t, test_read_stdin);
    return pt_tests_run(t, "test-xml");
}
