/* SPDX-License-Identifier: Apache-2.0 */
/* nbtext.c -- comment sentiment with naive Bayes (see nbtext.h). */
#include "config.h"

#include "nbtext.h"
#include "strbuf.h"
#include "errbuf.h"
#include "blob.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct nbtext_model {
    nb_model *nb;
};

static const char *const nbtext_class_names[3] = { "negative", "positive", "neutral" };

/* ---- tokenizer -------------------------------------------------------- */

/* Decode one UTF-8 sequence at p (n bytes available); returns its length
 * and the code point, or 0 if invalid. */
static size_t nbtext_utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
    size_t len;
    uint32_t c, min;
    if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        len = 2;
        c = p[0] & 0x1Fu;
        min = 0x80;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        len = 3;
        c = p[0] & 0x0Fu;
        min = 0x800;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        len = 4;
        c = p[0] & 0x07u;
        min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3Fu);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

static size_t nbtext_utf8_encode(uint32_t c, char *out)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* Non-ASCII code points that separate words: Latin-1 punctuation and
 * symbols, general punctuation, symbols/arrows/dingbats, CJK punctuation,
 * fullwidth ASCII punctuation, variation selectors, emoji. */
static int nbtext_is_separator(uint32_t c)
{
    return (c < 0xC0) || c == 0xD7 || c == 0xF7 || (c >= 0x2000 && c <= 0x2BFF) ||
           (c >= 0x3000 && c <= 0x303F) || (c >= 0xFE00 && c <= 0xFE0F) ||
           (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF0F) ||
           (c >= 0xFF1A && c <= 0xFF20) || (c >= 0x1F000 && c <= 0x1FAFF) || c == 0xFEFF;
}

static uint32_t nbtext_lower(uint32_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c + 32;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
        return c + 32;
    if (c >= 0x100 && c <= 0x137 && !(c & 1))
        return c + 1;
    if (c >= 0x139 && c <= 0x148 && (c & 1))
        return c + 1;
    if (c >= 0x14A && c <= 0x177 && !(c & 1))
        return c + 1;
    if (c == 0x178)
        return 0xFF;
    if (c >= 0x179 && c <= 0x17E && (c & 1))
        return c + 1;
    if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2)
        return c + 32;
    if (c >= 0x410 && c <= 0x42F)
        return c + 32;
    if (c >= 0x400 && c <= 0x40F)
        return c + 80;
    return c;
}

static int nbtext_is_apostrophe(uint32_t c)
{
    return c == '\'' || c == 0x2019;
}

/* Classify the character at p: returns its byte length (>= 1), sets *cp and
 * *word (1 if it belongs to a word). */
static size_t nbtext_next_char(const unsigned char *p, size_t n, uint32_t *cp, int *word)
{
    if (p[0] < 0x80) {
        *cp = p[0];
        *word = (p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z') ||
                (p[0] >= '0' && p[0] <= '9');
        return 1;
    }
    size_t len = nbtext_utf8_decode(p, n, cp);
    if (len == 0) {
        *cp = 0xFFFD;
        *word = 0;
        return 1;
    }
    *word = !nbtext_is_separator(*cp);
    return len;
}

size_t nbtext_tokenize(const char *text, size_t len, nbtext_token_cb cb, void *userdata)
{
    const unsigned char *p = (const unsigned char *)text;
    char tok[NBTEXT_MAX_TOKEN + 4];
    size_t tlen = 0, tchars = 0, emitted = 0;
    int too_long = 0;
    size_t i = 0;
    while (i <= len) {
        uint32_t cp = 0;
        int word = 0;
        size_t clen = 1;
        if (i < len)
            clen = nbtext_next_char(p + i, len - i, &cp, &word);
        if (word) {
            char enc[4];
            size_t elen = nbtext_utf8_encode(nbtext_lower(cp), enc);
            if (tlen + elen > NBTEXT_MAX_TOKEN)
                too_long = 1;
            else {
                memcpy(tok + tlen, enc, elen);
                tlen += elen;
            }
            tchars++;
            i += clen;
            continue;
        }
        /* An apostrophe between a word character and a letter joins. */
        if (i < len && nbtext_is_apostrophe(cp) && tchars > 0 && i + clen < len) {
            uint32_t ncp;
            int nword;
            nbtext_next_char(p + i + clen, len - i - clen, &ncp, &nword);
            if (nword && !(ncp >= '0' && ncp <= '9')) {
                i += clen;
                continue;
            }
        }
        if (tchars >= 2 && !too_long) {
            tok[tlen] = '\0';
            emitted++;
            if (cb(tok, tlen, userdata) != 0)
                return emitted;
        }
        tlen = tchars = 0;
        too_long = 0;
        i += clen;
    }
    return emitted;
}

/* ---- token lists ------------------------------------------------------ */

struct nbtext_tokens {
    char *buf;
    size_t len, cap;
    size_t *off;
    size_t n, ncap;
    int failed;
};

static int nbtext_collect(const char *token, size_t len, void *userdata)
{
    struct nbtext_tokens *t = userdata;
    if (t->len + len + 1 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        while (cap < t->len + len + 1)
            cap *= 2;
        char *b = realloc(t->buf, cap);
        if (!b) {
            t->failed = 1;
            return 1;
        }
        t->buf = b;
        t->cap = cap;
    }
    if (t->n == t->ncap) {
        size_t ncap = t->ncap ? t->ncap * 2 : 16;
        size_t *o = realloc(t->off, ncap * sizeof *o);
        if (!o) {
            t->failed = 1;
            return 1;
        }
        t->off = o;
        t->ncap = ncap;
    }
    memcpy(t->buf + t->len, token, len + 1);
    t->off[t->n++] = t->len;
    t->len += len + 1;
    return 0;
}

/* Tokenize into t and build the pointer array *ptrs; -1 on OOM. */
static int nbtext_split(const char *text, size_t len, struct nbtext_tokens *t, const char ***ptrs)
{
    memset(t, 0, sizeof *t);
    *ptrs = NULL;
    nbtext_tokenize(text, len, nbtext_collect, t);
    if (t->failed)
        return -1;
    *ptrs = malloc((t->n ? t->n : 1) * sizeof **ptrs);
    if (!*ptrs)
        return -1;
    for (size_t i = 0; i < t->n; i++)
        (*ptrs)[i] = t->buf + t->off[i];
    return 0;
}

static void nbtext_tokens_free(struct nbtext_tokens *t, const char **ptrs)
{
    free(t->buf);
    free(t->off);
    free(ptrs);
}

/* ---- model ------------------------------------------------------------ */

nbtext_model *nbtext_new(int with_neutral, double alpha, char *errstr, size_t errstr_size)
{
    nbtext_model *m = calloc(1, sizeof *m);
    if (!m) {
        errbuf_printf(errstr, errstr_size, "text model: out of memory");
        return NULL;
    }
    m->nb = nb_new(nbtext_class_names, with_neutral ? 3 : 2, alpha, errstr, errstr_size);
    if (!m->nb) {
        free(m);
        return NULL;
    }
    return m;
}

void nbtext_free(nbtext_model *m)
{
    if (!m)
        return;
    nb_free(m->nb);
    free(m);
}

size_t nbtext_n_classes(const nbtext_model *m)
{
    return nb_n_classes(m->nb);
}
const nb_model *nbtext_nb(const nbtext_model *m)
{
    return m->nb;
}

int nbtext_train(nbtext_model *m, enum nbtext_class cls, const char *text, size_t len, char *errstr,
                 size_t errstr_size)
{
    if ((size_t)cls >= nb_n_classes(m->nb)) {
        errbuf_printf(errstr, errstr_size, "text model: class %d not in this model", (int)cls);
        return -1;
    }
    struct nbtext_tokens t;
    const char **ptrs;
    if (nbtext_split(text, len, &t, &ptrs) != 0) {
        nbtext_tokens_free(&t, ptrs);
        errbuf_printf(errstr, errstr_size, "text model: out of memory");
        return -1;
    }
    int rc = nb_add_sample(m->nb, (size_t)cls, ptrs, NULL, t.n, errstr, errstr_size);
    nbtext_tokens_free(&t, ptrs);
    return rc;
}

int nbtext_classify(const nbtext_model *m, const char *text, size_t len, double *probs,
                    enum nbtext_class *cls, char *errstr, size_t errstr_size)
{
    struct nbtext_tokens t;
    const char **ptrs;
    if (nbtext_split(text, len, &t, &ptrs) != 0) {
        nbtext_tokens_free(&t, ptrs);
        errbuf_printf(errstr, errstr_size, "text model: out of memory");
        return -1;
    }
    double lp[3];
    int rc = nb_log_proba(m->nb, ptrs, NULL, t.n, lp, errstr, errstr_size);
    nbtext_tokens_free(&t, ptrs);
    if (rc != 0)
        return -1;
    size_t nc = nb_n_classes(m->nb), best = 0;
    for (size_t c = 0; c < nc; c++) {
        if (probs)
            probs[c] = exp(lp[c]);
        if (lp[c] > lp[best])
            best = c;
    }
    if (cls)
        *cls = (enum nbtext_class)best;
    return 0;
}

double nbtext_sentiment(const nbtext_model *m, const char *text, size_t len)
{
    double p[3];
    if (nbtext_classify(m, text, len, p, NULL, NULL, 0) != 0)
        return 0.0;
    return p[NBTEXT_POSITIVE] - p[NBTEXT_NEGATIVE];
}

/* ---- text format ------------------------------------------------------ */

static int nbtext_format_feature(const char *feature, const double *counts, size_t nc,
                                 void *userdata)
{
    struct strbuf *b = userdata;
    for (size_t c = 0; c < nc; c++)
        strbuf_printf(b, "%.17g ", counts[c]);
    strbuf_printf(b, "%s\n", feature);
    return strbuf_failed(b);
}

int nbtext_format(const nbtext_model *m, char **out, size_t *out_len, char *errstr,
                  size_t errstr_size)
{
    struct strbuf *b = strbuf_new();
    size_t nc = nb_n_classes(m->nb);
    strbuf_printf(b, "recut-nbtext %d\n", NBTEXT_FORMAT_VERSION);
    strbuf_printf(b, "alpha %.17g\n", nb_alpha(m->nb));
    strbuf_printf(b, "classes %zu", nc);
    for (size_t c = 0; c < nc; c++)
        strbuf_printf(b, " %s", nb_class_name(m->nb, c));
    strbuf_printf(b, "\nsamples");
    for (size_t c = 0; c < nc; c++)
        strbuf_printf(b, " %.17g", nb_class_samples(m->nb, c));
    strbuf_printf(b, "\nfeatures %zu\n", nb_n_features(m->nb));
    nb_foreach_feature(m->nb, nbtext_format_feature, b);
    if (!strbuf_failed(b)) {
        uint32_t crc = blob_crc32(0, strbuf_data(b), strbuf_len(b));
        strbuf_printf(b, "crc32 %08" PRIx32 "\n", crc);
    }
    char *text = strbuf_take(b, out_len);
    if (!text) {
        errbuf_printf(errstr, errstr_size, "text model: out of memory");
        return -1;
    }
    *out = text;
    return 0;
}

/* Next line of [*p, end) into a NUL-terminated copy-free view: returns the
 * line start and sets *llen; advances *p past the newline.  NULL at end or if
 * the last line has no newline. */
static const char *nbtext_line(const char **p, const char *end, size_t *llen)
{
    if (*p >= end)
        return NULL;
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    if (!nl)
        return NULL;
    const char *s = *p;
    *llen = (size_t)(nl - s);
    *p = nl + 1;
    return s;
}

/* Parse a non-negative finite number from the start of s (len bytes);
 * returns bytes consumed (excluding a following space) or 0. */
static size_t nbtext_number(const char *s, size_t len, double *v)
{
    char tmp[64];
    size_t n = 0;
    while (n < len && s[n] != ' ')
        n++;
    if (n == 0 || n >= sizeof tmp)
        return 0;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *end;
    errno = 0;
    double d = strtod(tmp, &end);
    if (errno || *end || !isfinite(d) || d < 0)
        return 0;
    *v = d;
    return n;
}

nbtext_model *nbtext_parse(const char *buf, size_t len, char *errstr, size_t errstr_size)
{
    const char *end = buf + len, *p = buf, *line;
    size_t ll;
    nbtext_model *m = NULL;
    /* checksum: the last line is "crc32 xxxxxxxx" */
    if (len < 16 || buf[len - 1] != '\n') {
        errbuf_printf(errstr, errstr_size, "text model: truncated (no final newline)");
        return NULL;
    }
    const char *last = end - 1;
    while (last > buf && last[-1] != '\n')
        last--;
    unsigned long stored;
    char hex[9];
    if ((size_t)(end - last) != 15 || memcmp(last, "crc32 ", 6) != 0) {
        errbuf_printf(errstr, errstr_size, "text model: truncated or missing checksum line");
        return NULL;
    }
    memcpy(hex, last + 6, 8);
    hex[8] = '\0';
    char *hend;
    stored = strtoul(hex, &hend, 16);
    if (*hend) {
        errbuf_printf(errstr, errstr_size, "text model: malformed checksum line");
        return NULL;
    }
    uint32_t crc = blob_crc32(0, buf, (size_t)(last - buf));
    if (crc != (uint32_t)stored) {
        errbuf_printf(errstr, errstr_size, "text model: checksum mismatch (corrupt file)");
        return NULL;
    }
    end = last;
    int version;
    char word[32], cl[256];
    if (!(line = nbtext_line(&p, end, &ll)) || ll >= 32 ||
        (memcpy(cl, line, ll), cl[ll] = '\0', sscanf(cl, "recut-nbtext %d", &version)) != 1) {
        errbuf_printf(errstr, errstr_size, "text model: not a recut-nbtext file");
        return NULL;
    }
    if (version < 1 || version > NBTEXT_FORMAT_VERSION) {
        errbuf_printf(errstr, errstr_size,
                      "text model: format version %d not supported (this build reads 1..%d)",
                      version, NBTEXT_FORMAT_VERSION);
        return NULL;
    }
    double alpha;
    if (!(line = nbtext_line(&p, end, &ll)) || ll < 7 || memcmp(line, "alpha ", 6) != 0 ||
        nbtext_number(line + 6, ll - 6, &alpha) != ll - 6)
        goto bad;
    size_t nc;
    if (!(line = nbtext_line(&p, end, &ll)) || ll > 200)
        goto bad;
    memcpy(cl, line, ll);
    cl[ll] = '\0';
    char n1[32], n2[32], n3[32];
    int got = sscanf(cl, "%31s %zu %31s %31s %31s", word, &nc, n1, n2, n3);
    if (got < 4 || strcmp(word, "classes") != 0 || (nc != 2 && nc != 3) || (size_t)got != nc + 2 ||
        strcmp(n1, "negative") != 0 || strcmp(n2, "positive") != 0 ||
        (nc == 3 && strcmp(n3, "neutral") != 0))
        goto bad;
    m = nbtext_new(nc == 3, alpha, errstr, errstr_size);
    if (!m)
        return NULL;
    if (!(line = nbtext_line(&p, end, &ll)) || ll < 8 || memcmp(line, "samples", 7) != 0)
        goto bad;
    size_t off = 7;
    for (size_t c = 0; c < nc; c++) {
        double v;
        size_t k;
        if (off >= ll || line[off] != ' ' ||
            (k = nbtext_number(line + off + 1, ll - off - 1, &v)) == 0)
            goto bad;
        nb_set_class_samples(m->nb, c, v, NULL, 0);
        off += 1 + k;
    }
    if (off != ll)
        goto bad;
    size_t nf;
    if (!(line = nbtext_line(&p, end, &ll)) || ll >= 64)
        goto bad;
    memcpy(cl, line, ll);
    cl[ll] = '\0';
    if (sscanf(cl, "features %zu", &nf) != 1)
        goto bad;
    for (size_t f = 0; f < nf; f++) {
        double counts[3];
        if (!(line = nbtext_line(&p, end, &ll)))
            goto bad;
        off = 0;
        for (size_t c = 0; c < nc; c++) {
            size_t k = nbtext_number(line + off, ll - off, &counts[c]);
            if (k == 0 || off + k >= ll || line[off + k] != ' ')
                goto bad;
            off += k + 1;
        }
        size_t tl = ll - off;
        if (tl == 0 || tl > NB_MAX_NAME || memchr(line + off, ' ', tl) ||
            memchr(line + off, '\0', tl))
            goto bad;
        char tok[NB_MAX_NAME + 1];
        memcpy(tok, line + off, tl);
        tok[tl] = '\0';
        size_t dummy;
        if (nb_feature_lookup(m->nb, tok, &dummy) == 0)
            goto bad; /* duplicate */
        for (size_t c = 0; c < nc; c++)
            if (nb_set_count(m->nb, c, tok, counts[c], errstr, errstr_size) != 0) {
                nbtext_free(m);
                return NULL;
            }
    }
    if (p != end)
        goto bad;
    return m;
bad:
    nbtext_free(m);
    errbuf_printf(errstr, errstr_size, "text model: malformed file near byte %zu",
                  (size_t)(p - buf));
    return NULL;
}

int nbtext_save(const nbtext_model *m, const char *path, char *errstr, size_t errstr_size)
{
    char *text;
    size_t len;
    if (nbtext_format(m, &text, &len, errstr, errstr_size) != 0)
        return -1;
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp) {
        free(text);
        errbuf_printf(errstr, errstr_size, "text model: out of memory");
        return -1;
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmpXXXXXX", 11);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        errbuf_printf(errstr, errstr_size, "%s: %s", tmp, strerror(errno));
        free(tmp);
        free(text);
        return -1;
    }
    size_t done = 0;
    int rc = fchmod(fd, 0644) == 0 ? 0 : -1; /* mkstemp creates 0600 */
    while (rc == 0 && done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            rc = -1;
            break;
        }
        done += (size_t)w;
    }
    int saved = errno;
    if (rc == 0 && fsync(fd) != 0) {
        rc = -1;
        saved = errno;
    }
    if (close(fd) != 0 && rc == 0) {
        rc = -1;
        saved = errno;
    }
    if (rc == 0 && rename(tmp, path) != 0) {
        rc = -1;
        saved = errno;
    }
    if (rc != 0) {
        errbuf_printf(errstr, errstr_size, "%s: %s", path, strerror(saved));
        unlink(tmp);
    }
    free(tmp);
    free(text);
    return rc;
}

nbtext_model *nbtext_load(const char *path, char *errstr, size_t errstr_size)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        errbuf_printf(errstr, errstr_size, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            if (cap > (64u << 20)) {
                errbuf_printf(errstr, errstr_size, "%s: file too large for a text model", path);
                goto fail;
            }
            char *nb = realloc(buf, cap);
            if (!nb) {
                errbuf_printf(errstr, errstr_size, "%s: out of memory", path);
                goto fail;
            }
            buf = nb;
        }
        size_t r = fread(buf + len, 1, cap - len, fp);
        len += r;
        if (r == 0) {
            if (ferror(fp)) {
                errbuf_printf(errstr, errstr_size, "%s: read error", path);
                goto fail;
            }
            break;
        }
    }
    fclose(fp);
    char msg[256];
    nbtext_model *m = nbtext_parse(buf, len, msg, sizeof msg);
    if (!m)
        errbuf_printf(errstr, errstr_size, "%s: %s", path, msg);
    free(buf);
    return m;
fail:
    fclose(fp);
    free(buf);
    return NULL;
}
