/* input.c - finding records: format detection, files, directories,
 * archives and standard input.
 *
 * ts_scan_path() turns a path into buffers and hands each buffer to
 * ts_parse_buffer(), which detects its format and calls one of the readers
 * (read_xml.c, read_json.c, read_text.c).  Archives are read in place with
 * libarchive: nothing is ever unpacked to disk; each member is read into
 * memory and parsed from there, but for JSON Lines, which are read in
 * pieces of whole lines from files, streams and members alike.
 *
 * Errors never stop a scan: an unreadable file, a corrupt archive member
 * or a member that is too large is reported through cbs->reject (with the
 * path, and the member as "archive:member") and the scan goes on.  Only a
 * callback returning a status other than TS_OK stops it; that status is
 * sticky (scan_t.st) and every step does nothing once it is set.
 */
#include "ts_internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Largest archive member read into memory whole (JSON Lines are read in
 * pieces, see LINES_PIECE). */
#define MAX_MEMBER ((size_t)256 << 20)
/* How far into a buffer detection looks first. */
#define SNIFF_WINDOW ((size_t)64 << 10)
/* Deepest directory nesting walked, and archives nested in archives. */
#define MAX_DIR_DEPTH 64
#define MAX_NESTED_ARCHIVES 3
/* Times an archive is opened again to get past members that failed. */
#define MAX_REOPEN 100
/* Bytes of a stream read before it is known to be an archive or not (a
 * tar header's magic ends at byte 262). */
#define STREAM_MAGIC 512
/* Source name of standard input in records and messages. */
#define STDIN_NAME "<stdin>"

/* State of one ts_scan_path call. */
typedef struct scan {
    ts_format_t fmt;            /* as asked: may be TS_FORMAT_AUTO */
    uint64_t bytes;             /* input bytes consumed so far */
    ts_status_t st;             /* first non-OK status of a callback */
    const ts_scan_cbs_t *user;  /* the caller's callbacks */
    ts_scan_cbs_t wrap;         /* what readers call: user's, with reject
                                   routed by on_reject */
    int walked;                 /* the current file was found by a walk */
} scan_t;

/* Record callback of a scan: hands the record to the caller. */
static ts_status_t on_record(void *ctx, ts_record_t *rec)
{
    scan_t *sc = ctx;
    return sc->user->record(sc->user->ctx, rec);
}

/* Reject callback of a scan: a file found by walking a directory that is
 * no record at all goes to the caller's skip callback, if it has one;
 * everything else to its reject callback. */
static ts_status_t on_reject(void *ctx, const char *source, const char *where,
                             ts_status_t code, const char *reason)
{
    scan_t *sc = ctx;
    if (code == TS_ERR_NOT_RECORD && sc->walked && !where && sc->user->skip) {
        sc->user->skip(sc->user->ctx, source, reason);
        return TS_OK;
    }
    if (!sc->user->reject)
        return TS_OK;
    return sc->user->reject(sc->user->ctx, source, where, code, reason);
}

/* Wants callback of a scan: the caller's. */
static int on_wants(void *ctx, const char *id)
{
    scan_t *sc = ctx;
    return sc->user->wants(sc->user->ctx, id);
}

/* ------------------------------------------------------------------ */
/* Format detection                                                    */

/* Offset of the first byte after a UTF-8 byte order mark and white space
 * (len when there is nothing else). */
static size_t skip_bom_space(const char *buf, size_t len)
{
    size_t i = _ts_bom_len(buf, len);

    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' ||
                       buf[i] == '\r' || buf[i] == '\f' || buf[i] == '\v'))
        i++;
    return i;
}

/* Offset of the first occurrence of needle in hay[0..len), or (size_t)-1.
 * icase: ASCII case is ignored. */
static size_t find_bytes(const char *hay, size_t len, const char *needle, int icase)
{
    size_t n = strlen(needle);

    if (n == 0 || n > len)
        return (size_t)-1;
    for (size_t i = 0; i + n <= len; i++) {
        if (icase ? strncasecmp(hay + i, needle, n) == 0
                  : (hay[i] == needle[0] && memcmp(hay + i, needle, n) == 0))
            return i;
    }
    return (size_t)-1;
}

/* Smallest offset of any of the needles in hay[0..len), or (size_t)-1. */
static size_t find_any(const char *hay, size_t len, const char *const *needles)
{
    size_t best = (size_t)-1;

    for (; *needles; needles++) {
        size_t at = find_bytes(hay, best == (size_t)-1 ? len : best, *needles, 0);
        if (at < best)
            best = at;
    }
    return best;
}

/* Which JSON dialect buf holds, by the first key that only one of them
 * uses: API v2 ("protocolSection", "studies") or classic
 * ("ProtocolSection", "FullStudiesResponse", "Study").  Looks at the first
 * SNIFF_WINDOW bytes, then at the rest.  TS_FORMAT_AUTO when neither. */
static ts_format_t json_dialect(const char *buf, size_t len)
{
    static const char *const v2[] = { "\"protocolSection\"", "\"studies\"", NULL };
    static const char *const classic[] = {
        "\"ProtocolSection\"", "\"FullStudiesResponse\"", "\"Study\"", NULL
    };
    size_t n = len < SNIFF_WINDOW ? len : SNIFF_WINDOW;

    for (;;) {
        size_t a = find_any(buf, n, v2);
        size_t b = find_any(buf, n, classic);
        if (a != (size_t)-1 || b != (size_t)-1)
            return a < b ? TS_FORMAT_V2JSON : TS_FORMAT_CLASSIC_JSON;
        if (n == len)
            return TS_FORMAT_AUTO;
        n = len;
    }
}

/* 1 if name ends with suffix (ASCII case ignored). */
static int has_suffix(const char *name, const char *suffix)
{
    size_t n, s;

    if (!name)
        return 0;
    n = strlen(name);
    s = strlen(suffix);
    return n >= s && strcasecmp(name + n - s, suffix) == 0;
}

/* 1 if buf[0..len) holds "NCT" followed by exactly 8 digits. */
static int has_nct_id(const char *buf, size_t len)
{
    for (size_t i = 0; i + 11 <= len; i++) {
        size_t d = 0;
        if (buf[i] != 'N' || memcmp(buf + i, "NCT", 3) != 0)
            continue;
        while (d < 9 && i + 3 + d < len && buf[i + 3 + d] >= '0' && buf[i + 3 + d] <= '9')
            d++;
        if (d == 8)
            return 1;
    }
    return 0;
}

/* 1 if buf looks like a plain-text trial page: its first SNIFF_WINDOW bytes
 * have letters in them, and either the name ends in .txt/.text or they are
 * valid UTF-8 (a character cut by the window's end is allowed) and show an
 * NCT id or a heading of a trial page.  A page named .txt with a bad byte
 * (a NUL, Latin-1) thus goes to the text reader, which rejects it saying
 * where, rather than being passed by as no record at all. */
static int looks_like_text(const char *buf, size_t len, const char *name)
{
    static const char *const headings[] = {
        "Inclusion Criteria", "Exclusion Criteria", "Eligibility Criteria",
        "ClinicalTrials.gov Identifier", "Recruitment Status", "Brief Summary",
        "Study Type", NULL
    };
    size_t n = len < SNIFF_WINDOW ? len : SNIFF_WINDOW;
    size_t bad = 0, letters = 0;

    int named = has_suffix(name, ".txt") || has_suffix(name, ".text");

    if (!named && !_ts_valid_utf8(buf, n, &bad) && !(n < len && bad + 4 > n))
        return 0;
    for (size_t i = 0; i < n && letters < 3; i++)
        if ((buf[i] >= 'a' && buf[i] <= 'z') || (buf[i] >= 'A' && buf[i] <= 'Z'))
            letters++;
    if (letters < 3)
        return 0;
    if (named)
        return 1;
    if (has_nct_id(buf, n))
        return 1;
    for (const char *const *h = headings; *h; h++)
        if (find_bytes(buf, n, *h, 1) != (size_t)-1)
            return 1;
    return 0;
}

/* The format of buf[0..len) (name, which may be NULL, helps for text):
 * after a byte order mark and white space, '<' is XML (the XML reader
 * refuses roots other than <clinical_study>); '{' or '[' is JSON, API v2 or
 * classic by its keys; else a trial page in plain text.  TS_FORMAT_AUTO
 * when nothing fits (binary data, JSON without study keys, other text). */
ts_format_t ts_detect_format(const char *buf, size_t len, const char *name)
{
    size_t off;

    if (!buf)
        return TS_FORMAT_AUTO;
    off = skip_bom_space(buf, len);
    if (off == len)
        return TS_FORMAT_AUTO;
    buf += off;
    len -= off;
    if (buf[0] == '<')
        return TS_FORMAT_XML;
    if (buf[0] == '{' || buf[0] == '[') {
        ts_format_t f = json_dialect(buf, len);
        if (f != TS_FORMAT_AUTO)
            return f;
        /* JSON with no study in it: only a name ending in .txt makes
         * it a text page that happens to start with a bracket. */
        if (!has_suffix(name, ".txt"))
            return TS_FORMAT_AUTO;
    }
    return looks_like_text(buf, len, name) ? TS_FORMAT_TEXT : TS_FORMAT_AUTO;
}

/* ------------------------------------------------------------------ */
/* Parsing one buffer                                                  */

/* Read the records of buf[0..len) named source in messages; name (may
 * differ from source, e.g. without ".gz") helps detection.  Empty or
 * unrecognised input is rejected.  For JSON found by detection the JSON
 * reader decides the dialect per object (files may mix them).  Returns
 * TS_OK or the status a callback stopped with. */
static ts_status_t parse_named(const char *buf, size_t len, const char *source,
                               const char *name, ts_format_t fmt,
                               const ts_scan_cbs_t *cbs)
{
    ts_format_t json_fmt = fmt;

    if (!buf || skip_bom_space(buf, len) == len)
        return _ts_reject(cbs, source, NULL, TS_ERR_BAD_RECORD, "empty file");
    if (fmt == TS_FORMAT_AUTO) {
        fmt = ts_detect_format(buf, len, name);
        json_fmt = TS_FORMAT_AUTO;
    }
    switch (fmt) {
    case TS_FORMAT_XML:
        return _ts_read_xml(buf, len, source, cbs);
    case TS_FORMAT_V2JSON:
    case TS_FORMAT_CLASSIC_JSON:
        return _ts_read_json(buf, len, source, json_fmt, cbs);
    case TS_FORMAT_TEXT:
        return _ts_read_text(buf, len, source, cbs);
    case TS_FORMAT_AUTO:
        break;
    }
    return _ts_reject(cbs, source, NULL, TS_ERR_NOT_RECORD,
                      "unrecognised format (not ClinicalTrials.gov XML, JSON or a trial page)");
}

/* Public entry: see trialsearch.h.  The source doubles as the name used
 * for detection. */
ts_status_t ts_parse_buffer(const char *buf, size_t len, const char *source,
                            ts_format_t fmt, const ts_scan_cbs_t *cbs)
{
    if (!cbs || !cbs->record)
        return _ts_error(TS_ERR_INVALID, "ts_parse_buffer: no record callback");
    if (!source)
        source = "(buffer)";
    return parse_named(buf, len, source, source, fmt, cbs);
}

/* ------------------------------------------------------------------ */
/* Scan helpers                                                        */

/* Report a failure about source (where may be NULL) through cbs->reject
 * and keep the callback's status in sc->st.  Does nothing once sc->st is
 * set. */
static void scan_reject(scan_t *sc, const char *source, const char *where,
                        ts_status_t code, const char *fmt, ...) TS_PRINTF(5, 6);
static void scan_reject(scan_t *sc, const char *source, const char *where,
                        ts_status_t code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    if (sc->st != TS_OK)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sc->st = _ts_reject(&sc->wrap, source, where, code, "%s", msg);
}

/* Parse one buffer within a scan, keeping a stopping status. */
static void scan_buffer(scan_t *sc, const char *buf, size_t len,
                        const char *source, const char *name)
{
    if (sc->st != TS_OK)
        return;
    sc->st = parse_named(buf, len, source, name, sc->fmt, &sc->wrap);
}

/* Tell cbs->progress (if any) the bytes consumed so far. */
static void scan_progress(scan_t *sc)
{
    if (sc->user->progress)
        sc->user->progress(sc->user->ctx, sc->bytes);
}

/* malloc'd "a" + sep + "b"; NULL when out of memory. */
static char *join(const char *a, const char *sep, const char *b)
{
    size_t la = strlen(a), ls = strlen(sep), lb = strlen(b);
    char *s = malloc(la + ls + lb + 1);

    if (s) {
        memcpy(s, a, la);
        memcpy(s + la, sep, ls);
        memcpy(s + la + ls, b, lb + 1);
    }
    return s;
}

/* 1 if the base name says a file holds no records, so directory walks and
 * archive members pass it by: hidden names (".*"), editor backups ("*~"),
 * documentation and bookkeeping (README*, MANIFEST*, LICENSE*, LICENCE*,
 * COPYING*, CHANGELOG*, NOTICE*, AUTHORS*), and files whose extension is
 * documentation, tables, images, code, checksums or signatures: .md .rst
 * .tsv .csv .pdf .doc .docx .xls .xlsx .rtf .htm .html .css .js .py .sh .c
 * .h .xsd .dtd .log .png .jpg .jpeg .gif .svg .ico .md5 .sha1 .sha256 .sig
 * .asc .swp .bak .db .sqlite.  A file named on the command line is always
 * read, whatever its name. */
static int skip_name(const char *base)
{
    static const char *const prefixes[] = {
        "README", "MANIFEST", "LICENSE", "LICENCE", "COPYING", "CHANGELOG",
        "NOTICE", "AUTHORS", NULL
    };
    static const char *const exts[] = {
        ".md", ".rst", ".tsv", ".csv", ".pdf", ".doc", ".docx", ".xls", ".xlsx",
        ".rtf", ".htm", ".html", ".css", ".js", ".py", ".sh", ".c", ".h",
        ".xsd", ".dtd", ".log", ".png", ".jpg", ".jpeg", ".gif", ".svg",
        ".ico", ".md5", ".sha1", ".sha256", ".sig", ".asc", ".swp", ".bak",
        ".db", ".sqlite", NULL
    };
    size_t n = strlen(base);

    if (n == 0 || base[0] == '.' || base[n - 1] == '~')
        return 1;
    for (const char *const *p = prefixes; *p; p++)
        if (strncasecmp(base, *p, strlen(*p)) == 0)
            return 1;
    for (const char *const *e = exts; *e; e++)
        if (has_suffix(base, *e))
            return 1;
    return 0;
}

/* 1 if an archive member path should be passed by: a hidden component
 * anywhere (".git/x", "._x"), a "__MACOSX/" folder, or a base name that
 * skip_name refuses. */
static int skip_member(const char *path)
{
    const char *p = path, *base = path;

    for (;;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n > 0 && (p[0] == '.' && !(n == 1 || (n == 2 && p[1] == '.'))))
            return 1;
        if (n == 8 && memcmp(p, "__MACOSX", 8) == 0)
            return 1;
        if (!slash)
            break;
        p = slash + 1;
        if (*p)
            base = p;
    }
    return skip_name(base);
}

/* 1 if buf starts like a 7-Zip archive. */
static int sevenzip_magic(const unsigned char *buf, size_t len)
{
    return len >= 6 && memcmp(buf, "7z\xBC\xAF\x27\x1C", 6) == 0;
}

/* 1 if buf starts like a compressed stream or an archive: gzip, xz,
 * bzip2, zstd, zip, 7-Zip or a POSIX tar header. */
static int archive_magic(const unsigned char *buf, size_t len)
{
    if (len >= 2 && buf[0] == 0x1f && buf[1] == 0x8b)
        return 1;                                       /* gzip */
    if (len >= 6 && memcmp(buf, "\xFD" "7zXZ\0", 6) == 0)
        return 1;                                       /* xz */
    if (len >= 10 && memcmp(buf, "BZh", 3) == 0 && buf[3] >= '1' && buf[3] <= '9' &&
        memcmp(buf + 4, "\x31\x41\x59\x26\x53\x59", 6) == 0)
        return 1;                                       /* bzip2 */
    if (len >= 4 && memcmp(buf, "\x28\xB5\x2F\xFD", 4) == 0)
        return 1;                                       /* zstd */
    if (len >= 4 && (memcmp(buf, "PK\3\4", 4) == 0 || memcmp(buf, "PK\5\6", 4) == 0))
        return 1;                                       /* zip */
    if (sevenzip_magic(buf, len))
        return 1;
    if (len >= 262 && memcmp(buf + 257, "ustar", 5) == 0)
        return 1;                                       /* tar */
    return 0;
}

/* 1 if the name ends like an archive or a compressed file. */
static int archive_suffix(const char *name)
{
    static const char *const exts[] = {
        ".zip", ".tar", ".tgz", ".taz", ".txz", ".tbz", ".tbz2", ".tzst",
        ".gz", ".xz", ".bz2", ".zst", ".lzma", ".7z", NULL
    };

    for (const char *const *e = exts; *e; e++)
        if (has_suffix(name, *e))
            return 1;
    return 0;
}

/* malloc'd copy of name without a compression suffix (".gz", ".xz",
 * ".bz2", ".zst", ".lzma"): the name of what a compressed file holds.
 * NULL when out of memory. */
static char *strip_compression(const char *name)
{
    static const char *const exts[] = { ".gz", ".xz", ".bz2", ".zst", ".lzma", NULL };
    char *s = strdup(name);

    for (const char *const *e = exts; s && *e; e++) {
        if (has_suffix(s, *e)) {
            s[strlen(s) - strlen(*e)] = '\0';
            break;
        }
    }
    return s;
}

/* Read from fd into b[*got..cap) until it is full or the file ends
 * (*eof set).  Returns 0 or read's errno value. */
static int fill(int fd, char *b, size_t cap, size_t *got, int *eof)
{
    while (*got < cap) {
        ssize_t r = read(fd, b + *got, cap - *got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return errno;
        if (r == 0) {
            *eof = 1;
            break;
        }
        *got += (size_t)r;
    }
    return 0;
}

/* Double the malloc'd buffer *b of *cap bytes.  Returns 0 or ENOMEM. */
static int grow(char **b, size_t *cap)
{
    char *nb = realloc(*b, *cap * 2);
    if (!nb)
        return ENOMEM;
    *b = nb;
    *cap *= 2;
    return 0;
}

/* Read fd to its end into *b (malloc'd, *cap bytes, the first *got
 * already read), growing it as needed.  Returns 0 or an errno value. */
static int read_rest(int fd, char **b, size_t *cap, size_t *got)
{
    int eof = 0, err;
    while ((err = fill(fd, *b, *cap, got, &eof)) == 0 && !eof)
        if ((err = grow(b, cap)) != 0)
            break;
    return err;
}

/* ------------------------------------------------------------------ */
/* JSON Lines, piece by piece                                          */

/* JSON Lines longer than this, from a file, a stream or an archive
 * member, are read in pieces of about this size, each of whole lines: a
 * JSON Lines export of the whole registry takes as much memory as a small
 * one, however it comes. */
#define LINES_PIECE ((size_t)8 << 20)

/* 1 when b[0..got), the start of data named name, is JSON (as asked, or
 * as its start says) that starts as JSON Lines. */
static int starts_json_lines(const scan_t *sc, const char *b, size_t got, const char *name)
{
    ts_format_t fmt = sc->fmt == TS_FORMAT_AUTO ? ts_detect_format(b, got, name) : sc->fmt;
    return (fmt == TS_FORMAT_V2JSON || fmt == TS_FORMAT_CLASSIC_JSON) &&
           _ts_json_lines_start(b, got);
}

/* Where lines are read from: a file descriptor (a is NULL), or the data
 * of an archive's current member.  For a member, status keeps
 * libarchive's status of a failed read, and with track set the progress
 * counts the archive's own bytes read, from base, at most size of them. */
typedef struct bsrc {
    int fd;
    struct archive *a;
    int status;
    int track;
    uint64_t base, size;
} bsrc_t;

/* Read from s into b[*got..cap) until it is full or the data ends (*eof
 * set).  Returns 0; read's errno value; or, for a member, EIO (the
 * libarchive status in s->status, the reason in archive_error_string). */
static int src_fill(bsrc_t *s, char *b, size_t cap, size_t *got, int *eof)
{
    if (!s->a)
        return fill(s->fd, b, cap, got, eof);
    while (*got < cap) {
        la_ssize_t r = archive_read_data(s->a, b + *got, cap - *got);
        if (r == 0) {
            *eof = 1;
            break;
        }
        if (r < 0) {
            s->status = r == ARCHIVE_WARN ? ARCHIVE_FAILED : (int)r;
            return EIO;
        }
        *got += (size_t)r;
    }
    return 0;
}

/* Read the rest of s into *b (malloc'd, *cap bytes, the first *got read;
 * eof: the data already ended), growing it, until the data ends or holds
 * more than MAX_MEMBER bytes.  Returns 0 (*got > MAX_MEMBER: too long),
 * ENOMEM or the error of src_fill. */
static int src_read_capped(bsrc_t *s, char **b, size_t *cap, size_t *got, int eof)
{
    int err = 0;
    while (!eof && *got <= MAX_MEMBER) {
        if (*got == *cap && (err = grow(b, cap)) != 0)
            break;
        if ((err = src_fill(s, *b, *cap, got, &eof)) != 0)
            break;
    }
    return err;
}

/* Count n more bytes of s as consumed and tell the progress callback. */
static void src_progress(scan_t *sc, const bsrc_t *s, size_t n)
{
    if (!s->a) {
        sc->bytes += n;
    } else if (s->track) {
        int64_t done = archive_filter_bytes(s->a, -1);
        uint64_t at = s->base + (done < 0 ? 0 : (uint64_t)done > s->size ? s->size : (uint64_t)done);
        if (at > sc->bytes)
            sc->bytes = at;
    }
    scan_progress(sc);
}

/* Parse the JSON Lines of s, named source, piece by piece.  *b (malloc'd,
 * *cap bytes) holds the first got bytes, already read; eof tells whether
 * the data ends there.  A piece is the whole lines in the buffer; a line
 * longer than the buffer grows it, up to MAX_MEMBER: a longer one is
 * rejected and passed by.  When a read fails, the whole lines before the
 * failure are parsed first; once the scan stops, nothing more is read.
 * Returns 0, ENOMEM or the error of src_fill. */
static int scan_lines(scan_t *sc, bsrc_t *s, char **b, size_t *cap, size_t got, int eof,
                      const char *source)
{
    long line = 1;
    int err = 0, skipping = 0;

    while (sc->st == TS_OK) {
        size_t n = 0;
        if (skipping && got > 0) { /* the rest of a line too long: to its end */
            const char *nl = memchr(*b, '\n', got);
            size_t drop = nl ? (size_t)(nl - *b) + 1 : got;
            src_progress(sc, s, drop);
            memmove(*b, *b + drop, got - drop);
            got -= drop;
            if (nl) {
                skipping = 0;
                line++;
            }
        }
        if (!skipping && got > 0) {
            n = got;
            if (!eof) {
                const char *nl = *b + got;
                while (nl > *b && nl[-1] != '\n')
                    nl--;
                n = (size_t)(nl - *b);
            }
            if (n > 0) {
                ts_status_t st = _ts_read_json_lines(*b, n, source, sc->fmt, &sc->wrap, &line);
                if (st != TS_OK && sc->st == TS_OK)
                    sc->st = st;
                src_progress(sc, s, n);
                memmove(*b, *b + n, got - n);
                got -= n;
            } else if (*cap >= MAX_MEMBER) {
                char where[32];
                snprintf(where, sizeof where, "line %ld", line);
                scan_reject(sc, source, where, TS_ERR_BAD_RECORD, "line longer than %zu MiB",
                            MAX_MEMBER >> 20);
                skipping = 1;
                continue;
            }
        }
        if (err || eof || sc->st != TS_OK)
            break;
        if (!skipping && n == 0 && got == *cap && (err = grow(b, cap)) != 0)
            break;
        err = src_fill(s, *b, *cap, &got, &eof);
    }
    return err;
}

/* ------------------------------------------------------------------ */
/* Archives                                                            */

/* An archive read from a stream (standard input, a pipe) as it comes.
 * Opening an archive reads its first bytes to tell the format, and an
 * open that fails is tried again in raw mode (a compressed file that
 * holds no archive): until an open succeeds (keep), the bytes read are
 * kept, and each open reads them again first. */
typedef struct pipe_src {
    int fd;
    char *kept;             /* malloc'd, kept_len bytes of kept_cap */
    size_t kept_len, kept_cap;
    size_t next;            /* where the current open is in kept */
    int keep;
    uint64_t total;         /* bytes read from the stream */
    char buf[65536];
} pipe_src_t;

/* libarchive's open callback: read the kept bytes again from the start. */
static int pipe_open(struct archive *a, void *ctx)
{
    (void)a;
    ((pipe_src_t *)ctx)->next = 0;
    return ARCHIVE_OK;
}

/* libarchive's read callback: the kept bytes not yet read by this open,
 * else the next bytes of the stream (kept too while keep is set). */
static la_ssize_t pipe_read(struct archive *a, void *ctx, const void **out)
{
    pipe_src_t *p = ctx;
    ssize_t r;

    if (p->next < p->kept_len) {
        *out = p->kept + p->next;
        r = (ssize_t)(p->kept_len - p->next);
        p->next = p->kept_len;
        return r;
    }
    if (!p->keep && p->kept) { /* libarchive is done with the block given last */
        free(p->kept);
        p->kept = NULL;
        p->kept_len = p->kept_cap = p->next = 0;
    }
    do
        r = read(p->fd, p->buf, sizeof p->buf);
    while (r < 0 && errno == EINTR);
    if (r < 0) {
        archive_set_error(a, errno, "%s", strerror(errno));
        return ARCHIVE_FATAL;
    }
    p->total += (uint64_t)r;
    if (p->keep && r > 0) {
        while (p->kept_len + (size_t)r > p->kept_cap)
            if (grow(&p->kept, &p->kept_cap) != 0) {
                archive_set_error(a, ENOMEM, "out of memory");
                return ARCHIVE_FATAL;
            }
        memcpy(p->kept + p->kept_len, p->buf, (size_t)r);
        p->kept_len += (size_t)r;
        p->next = p->kept_len;
    }
    *out = p->buf;
    return r;
}

/* Where an archive comes from: a file (path), memory (buf, len) or a
 * stream (pipe); size is its length in bytes (for progress; UINT64_MAX
 * for a stream). */
typedef struct arc_src {
    const char *path;
    const void *buf;
    size_t len;
    uint64_t size;
    pipe_src_t *pipe;
} arc_src_t;

static void scan_archive(scan_t *sc, const arc_src_t *src, const char *label,
                         int nest);

/* A new libarchive reader for every compression filter and, unless raw,
 * the archive formats tar, zip, 7-Zip, cpio and rar (not format_all: its
 * mtree reader would take plain text for an archive); raw reads a
 * compressed single file as one member.  Opened on src.  On failure NULL,
 * with the reason in err (and *code the status to report it with);
 * *compressed tells whether a compression filter was recognised (a
 * compressed file that holds no archive then opens in raw mode). */
static struct archive *open_archive(const arc_src_t *src, int raw, char *err,
                                    size_t errlen, ts_status_t *code,
                                    int *compressed)
{
    struct archive *a = archive_read_new();
    int r, e;

    *compressed = 0;
    if (!a) {
        snprintf(err, errlen, "out of memory");
        *code = TS_ERR_NOMEM;
        return NULL;
    }
    archive_read_support_filter_all(a);
    if (raw) {
        archive_read_support_format_raw(a);
    } else {
        archive_read_support_format_tar(a);
        archive_read_support_format_gnutar(a);
        archive_read_support_format_zip(a);
        archive_read_support_format_7zip(a);
        archive_read_support_format_cpio(a);
        archive_read_support_format_rar(a);
        archive_read_support_format_rar5(a);
    }
    if (src->pipe)
        r = archive_read_open(a, src->pipe, pipe_open, pipe_read, NULL);
    else if (src->path)
        r = archive_read_open_filename(a, src->path, 65536);
    else
        r = archive_read_open_memory(a, src->buf, src->len);
    if (r == ARCHIVE_OK) {
        if (src->pipe)
            src->pipe->keep = 0;
        return a;
    }
    e = archive_errno(a);
    *code = e == EACCES || e == ENOENT || e == EIO || e == EISDIR ? TS_ERR_IO
                                                                   : TS_ERR_BAD_RECORD;
    *compressed = archive_filter_count(a) > 1 &&
                  archive_filter_code(a, 0) != ARCHIVE_FILTER_NONE;
    snprintf(err, errlen, "%s", archive_error_string(a) ? archive_error_string(a)
                                                        : "cannot open archive");
    archive_read_free(a);
    return NULL;
}

/* Read the current member's data into a malloc'd buffer (*buf, *cap
 * bytes, the first *len of them read).  A member longer than LINES_PIECE
 * that starts as JSON Lines (by name, the format asked or its start) is
 * read up to LINES_PIECE only, with *lines set: scan_lines reads the
 * rest.  Returns ARCHIVE_OK; ARCHIVE_WARN when a member read whole would
 * exceed MAX_MEMBER (nothing kept; the rest of it is skipped by the next
 * header read); or the (negative) libarchive status of a failed read,
 * with the reason in archive_error_string (ARCHIVE_FATAL "out of memory"
 * included). */
static int read_member(scan_t *sc, struct archive *a, struct archive_entry *e,
                       const char *name, char **buf, size_t *cap, size_t *len, int *lines)
{
    int64_t size = archive_entry_size_is_set(e) ? archive_entry_size(e) : -1;
    size_t c = size >= 0 && (uint64_t)size < LINES_PIECE ? (size_t)size + 1 : LINES_PIECE;
    size_t got = 0;
    int eof = 0;
    bsrc_t s = { -1, a, ARCHIVE_OK, 0, 0, 0 };
    char *b = malloc(c);

    *buf = NULL;
    *cap = *len = 0;
    *lines = 0;
    if (!b) {
        archive_set_error(a, ENOMEM, "out of memory");
        return ARCHIVE_FATAL;
    }
    if (src_fill(&s, b, c, &got, &eof) != 0) {
        free(b);
        return s.status;
    }
    if (!eof && !archive_magic((const unsigned char *)b, got) &&
        starts_json_lines(sc, b, got, name)) {
        *lines = 1;
        *buf = b;
        *cap = c;
        *len = got;
        return ARCHIVE_OK;
    }
    int err = size > (int64_t)MAX_MEMBER ? 0 : src_read_capped(&s, &b, &c, &got, eof);
    if (err) {
        free(b);
        if (err != ENOMEM)
            return s.status;
        archive_set_error(a, ENOMEM, "out of memory");
        return ARCHIVE_FATAL;
    }
    if (size > (int64_t)MAX_MEMBER || got > MAX_MEMBER) {
        free(b);
        return ARCHIVE_WARN;
    }
    *buf = b;
    *cap = c;
    *len = got;
    return ARCHIVE_OK;
}

/* Parse one member read into memory: an archive nested inside (while nest
 * allows) is scanned from memory; anything else is parsed as records. */
static void scan_member(scan_t *sc, const char *buf, size_t len,
                        const char *source, const char *name, int nest)
{
    if (nest < MAX_NESTED_ARCHIVES && archive_magic((const unsigned char *)buf, len)) {
        arc_src_t inner = { NULL, buf, len, len, NULL };
        scan_archive(sc, &inner, source, nest + 1);
        return;
    }
    scan_buffer(sc, buf, len, source, name);
}

/* Read every regular member of an archive (file, memory or stream) as
 * records, with source "label:member".  A compressed single file that is
 * no archive (x.xml.gz) is read as one member with source label.  Members
 * that skip_member refuses are passed by; a member over MAX_MEMBER, a
 * failed read or a damaged header is rejected and the next member is
 * tried.  libarchive cannot go on after a fatal error in a member's data
 * (a corrupt deflate stream, a bad checksum), so the archive is then
 * opened again and the members up to the failed one passed by (at most
 * MAX_REOPEN times); when the damage blocks the way past it too, or the
 * archive is a stream, that is reported once and the archive ends.
 * Progress, reported after each member (and each piece of JSON Lines),
 * counts the archive's own (compressed) bytes read so far; at the end
 * sc->bytes has grown by the archive's size, so it adds up to the size of
 * the input.
 * nest: how deep this archive sits inside others (0 at the top). */
static void scan_archive(scan_t *sc, const arc_src_t *src, const char *label,
                         int nest)
{
    struct archive *a;
    struct archive_entry *e;
    uint64_t base = sc->bytes;
    int raw = 0, retries = 0, failures = 0, compressed, reopened = 0;
    uint64_t seen = 0, skip = 0;    /* headers read since opening; to pass */
    char err[512];
    ts_status_t code;

    if (sc->st != TS_OK)
        return;
    a = open_archive(src, 0, err, sizeof err, &code, &compressed);
    if (!a && compressed) {
        /* Compressed, but no archive inside: one compressed file. */
        char err2[512];
        raw = 1;
        a = open_archive(src, 1, err2, sizeof err2, &code, &compressed);
    }
    if (!a) {
        scan_reject(sc, label, NULL, code, "%s", err);
        return;
    }
    for (;;) {
        int r = archive_read_next_header(a, &e);
        char *source, *buf;
        const char *member;
        size_t len;

        if (r == ARCHIVE_EOF)
            break;
        if (r == ARCHIVE_RETRY) {
            if (++retries < 10)
                continue;
            r = ARCHIVE_FATAL;
        }
        if (r < ARCHIVE_WARN && skip > 0) {
            const char *msg = archive_error_string(a);
            scan_reject(sc, label, NULL, TS_ERR_IO,
                        "members after a damaged one cannot be read: %s",
                        msg ? msg : "damaged archive");
            break;
        }
        if (r < ARCHIVE_WARN) {
            const char *msg = archive_error_string(a);
            scan_reject(sc, label, NULL, TS_ERR_IO, "%s",
                        msg ? msg : "damaged archive");
            if (r == ARCHIVE_FATAL || ++failures > 100)
                break;
            continue;
        }
        retries = 0;
        failures = 0;
        seen++;
        if (skip > 0) {
            skip--;
            continue;
        }
        if (!raw && archive_entry_filetype(e) != AE_IFREG)
            continue;
        member = archive_entry_pathname(e);
        if (!member)
            member = archive_entry_pathname_utf8(e);
        if (!raw && (!member || skip_member(member)))
            continue;
        source = raw ? strdup(label) : join(label, ":", member);
        if (!source) {
            scan_reject(sc, label, NULL, TS_ERR_NOMEM, "out of memory");
            break;
        }
        char *name = raw ? strip_compression(label) : NULL;
        size_t cap;
        int lines;
        r = read_member(sc, a, e, name ? name : source, &buf, &cap, &len, &lines);
        if (r == ARCHIVE_OK && lines) {
            bsrc_t s = { -1, a, ARCHIVE_OK, nest == 0, base, src->size };
            int read_err = scan_lines(sc, &s, &buf, &cap, len, 0, source);
            if (read_err == ENOMEM) {
                scan_reject(sc, source, NULL, TS_ERR_NOMEM, "out of memory");
            } else if (read_err) {
                const char *msg = archive_error_string(a);
                r = s.status;
                scan_reject(sc, source, NULL, TS_ERR_IO, "%s",
                            msg ? msg : "cannot read member");
            }
            free(buf);
        } else if (r == ARCHIVE_OK) {
            scan_member(sc, buf, len, source, name ? name : source, nest);
            free(buf);
        } else if (r == ARCHIVE_WARN) {
            scan_reject(sc, source, NULL, TS_ERR_BAD_RECORD,
                        "member too large (over %zu MiB)", MAX_MEMBER >> 20);
        } else {
            const char *msg = archive_error_string(a);
            scan_reject(sc, source, NULL, TS_ERR_IO, "%s",
                        msg ? msg : "cannot read member");
        }
        free(name);
        free(source);
        if (nest == 0) {
            int64_t done = archive_filter_bytes(a, -1);
            uint64_t at = base + (done < 0 ? 0 : (uint64_t)done > src->size
                                                     ? src->size : (uint64_t)done);
            if (at > sc->bytes)
                sc->bytes = at;
            scan_progress(sc);
        }
        if (sc->st != TS_OK)
            break;
        if (r == ARCHIVE_FATAL) {
            if (src->pipe && !raw)
                scan_reject(sc, label, NULL, TS_ERR_IO,
                            "members after a damaged one cannot be read from a stream;"
                            " give the archive as a file to read past the damage");
            if (raw || src->pipe || ++reopened > MAX_REOPEN)
                break;
            archive_read_free(a);
            a = open_archive(src, 0, err, sizeof err, &code, &compressed);
            if (!a)
                break;
            skip = seen;
            seen = 0;
        }
    }
    if (nest == 0)
        sc->bytes = base + (src->pipe ? src->pipe->total : src->size);
    if (a)
        archive_read_free(a);
}

/* ------------------------------------------------------------------ */
/* Files, streams and directories                                      */

/* Scan the data of fd, named name, that is no archive: b (malloc'd, cap
 * bytes; freed here) holds its first got bytes, and eof says whether it
 * ends there.  JSON Lines longer than the buffer are read piece by piece;
 * anything else is read to its end and parsed whole, its format detected
 * once, by the parser. */
static void scan_fd(scan_t *sc, int fd, const char *name, char *b, size_t cap, size_t got,
                    int eof)
{
    bsrc_t s = { fd, NULL, 0, 0, 0, 0 };
    int err = eof ? 0 : fill(fd, b, cap, &got, &eof);

    if (!err && !eof && starts_json_lines(sc, b, got, name)) {
        err = scan_lines(sc, &s, &b, &cap, got, eof, name);
    } else if (!err && (err = read_rest(fd, &b, &cap, &got)) == 0) {
        scan_buffer(sc, b, got, name, name);
        sc->bytes += got;
    }
    free(b);
    if (err)
        scan_reject(sc, name, NULL, err == ENOMEM ? TS_ERR_NOMEM : TS_ERR_IO, "%s", strerror(err));
}

/* Scan a stream (standard input, a pipe), label naming it in sources: an
 * archive (by its first bytes) is read as it comes, but for 7-Zip, whose
 * reader seeks (read whole, up to MAX_MEMBER); anything else as scan_fd
 * says. */
static void scan_stream(scan_t *sc, int fd, const char *label)
{
    size_t cap = LINES_PIECE, got = 0;
    int eof = 0, err = ENOMEM;
    char *b = malloc(cap);

    /* Enough to tell an archive by its first bytes, and no more: a
     * compressed stream that comes slowly is read as it comes. */
    if (!b || (err = fill(fd, b, STREAM_MAGIC, &got, &eof)) != 0)
        goto fail;
    if (sevenzip_magic((const unsigned char *)b, got)) {
        uint64_t base = sc->bytes;
        bsrc_t s = { fd, NULL, 0, 0, 0, 0 };
        if ((err = src_read_capped(&s, &b, &cap, &got, eof)) != 0)
            goto fail;
        if (got > MAX_MEMBER) {
            free(b);
            scan_reject(sc, label, NULL, TS_ERR_BAD_RECORD,
                        "a 7-Zip archive on a stream is read whole: over %zu MiB;"
                        " give it as a file", MAX_MEMBER >> 20);
            return;
        }
        arc_src_t src = { NULL, b, got, got, NULL };
        scan_archive(sc, &src, label, 0);
        sc->bytes = base + got;
        free(b);
    } else if (archive_magic((const unsigned char *)b, got)) {
        pipe_src_t *p = malloc(sizeof *p);
        if (!p) {
            err = ENOMEM;
            goto fail;
        }
        p->fd = fd;
        p->kept = b; /* the bytes read so far: the first open reads them */
        p->kept_len = got;
        p->kept_cap = cap;
        p->next = 0;
        p->keep = 1;
        p->total = got;
        arc_src_t src = { NULL, NULL, 0, UINT64_MAX, p };
        scan_archive(sc, &src, label, 0);
        free(p->kept);
        free(p);
    } else {
        scan_fd(sc, fd, label, b, cap, got, eof);
    }
    scan_progress(sc);
    return;
fail:
    free(b);
    scan_reject(sc, label, NULL, err == ENOMEM ? TS_ERR_NOMEM : TS_ERR_IO, "%s", strerror(err));
}

/* Scan a regular file that is no archive, size bytes long (scan_fd): the
 * first LINES_PIECE bytes, or all of a smaller file, are read at once. */
static void scan_regular(scan_t *sc, int fd, const char *path, size_t size)
{
    size_t cap = size < LINES_PIECE ? size + 1 : LINES_PIECE;
    char *b = malloc(cap);

    if (!b) {
        scan_reject(sc, path, NULL, TS_ERR_NOMEM, "%s", strerror(ENOMEM));
        return;
    }
    scan_fd(sc, fd, path, b, cap, 0, 0);
}

/* Scan one file: an archive (by its first bytes or its name) is read in
 * place; another regular file is read whole and parsed; a pipe or device
 * is read as a stream.  An empty file and a file that cannot be opened or
 * read are rejected with the path. */
static void scan_file(scan_t *sc, const char *path)
{
    unsigned char head[512];
    struct stat st;
    ssize_t n;
    int fd;

    if (sc->st != TS_OK)
        return;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        scan_reject(sc, path, NULL, TS_ERR_IO, "%s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return;
    }
    if (!S_ISREG(st.st_mode)) {
        scan_stream(sc, fd, path);
        close(fd);
        return;
    }
    if (st.st_size == 0) {
        close(fd);
        scan_reject(sc, path, NULL, TS_ERR_BAD_RECORD, "empty file");
        return;
    }
    do
        n = pread(fd, head, sizeof head, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        scan_reject(sc, path, NULL, TS_ERR_IO, "%s", strerror(errno));
        close(fd);
        return;
    }
    if (archive_magic(head, (size_t)n) || archive_suffix(path)) {
        arc_src_t src = { path, NULL, 0, (uint64_t)st.st_size, NULL };
        close(fd);
        scan_archive(sc, &src, path, 0);
    } else {
        scan_regular(sc, fd, path, (size_t)st.st_size);
        close(fd);
    }
    scan_progress(sc);
}

/* The directories being walked, innermost first (to spot symlink loops). */
typedef struct dir_chain {
    dev_t dev;
    ino_t ino;
    const struct dir_chain *up;
} dir_chain_t;

/* qsort comparison of two names by bytes: the same order everywhere. */
static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* 1 if name is the marker file of a Xapian database directory. */
static int is_index_marker(const char *name)
{
    return strcmp(name, "iamglass") == 0 || strcmp(name, "iamchert") == 0 ||
           strcmp(name, "iamhoney") == 0 || strcmp(name, "flintlock") == 0;
}

/* The names in directory path, sorted, without ".", ".." and hidden
 * names (*names, *n; free each and the array).  Sets *is_index when the
 * directory is a Xapian database.  Returns 0 or an errno value. */
static int list_dir(const char *path, char ***names, size_t *n, int *is_index)
{
    DIR *d = opendir(path);
    struct dirent *de;
    char **v = NULL;
    size_t cnt = 0, cap = 0;
    int err = 0;

    *names = NULL;
    *n = 0;
    *is_index = 0;
    if (!d)
        return errno;
    for (;;) {
        errno = 0;
        de = readdir(d);
        if (!de) {
            err = errno;
            break;
        }
        if (is_index_marker(de->d_name))
            *is_index = 1;
        if (de->d_name[0] == '.')
            continue;
        if (cnt == cap) {
            char **nv = realloc(v, (cap = cap ? cap * 2 : 32) * sizeof *v);
            if (!nv) {
                err = ENOMEM;
                break;
            }
            v = nv;
        }
        if (!(v[cnt] = strdup(de->d_name))) {
            err = ENOMEM;
            break;
        }
        cnt++;
    }
    closedir(d);
    if (err) {
        for (size_t i = 0; i < cnt; i++)
            free(v[i]);
        free(v);
        return err;
    }
    if (cnt)
        qsort(v, cnt, sizeof *v, cmp_names);
    *names = v;
    *n = cnt;
    return 0;
}

/* Walk directory path (whose stat is st) recursively, entries in byte
 * order of their names.  Symbolic links are followed; a link back into a
 * directory being walked is rejected rather than looped on.  Hidden
 * entries, names skip_name refuses, Xapian database directories and
 * special files (pipes, devices) are passed by.  An entry that cannot be
 * examined (vanished, dangling link, no permission) is rejected and the
 * walk goes on. */
static void scan_dir(scan_t *sc, const char *path, const struct stat *st,
                     const dir_chain_t *up, int depth)
{
    dir_chain_t here = { st->st_dev, st->st_ino, up };
    char **names;
    size_t n;
    int is_index;
    int err;

    if (sc->st != TS_OK)
        return;
    for (const dir_chain_t *c = up; c; c = c->up) {
        if (c->dev == st->st_dev && c->ino == st->st_ino) {
            scan_reject(sc, path, NULL, TS_ERR_IO,
                        "directory loop (links back to an enclosing directory)");
            return;
        }
    }
    if (depth > MAX_DIR_DEPTH) {
        scan_reject(sc, path, NULL, TS_ERR_IO, "directories nested too deep");
        return;
    }
    err = list_dir(path, &names, &n, &is_index);
    if (err) {
        scan_reject(sc, path, NULL, err == ENOMEM ? TS_ERR_NOMEM : TS_ERR_IO,
                    "%s", strerror(err));
        return;
    }
    for (size_t i = 0; i < n; i++) {
        size_t pl = strlen(path);
        char *child;
        struct stat cst;

        if (is_index || sc->st != TS_OK)
            continue;           /* free the rest */
        child = join(path, pl && path[pl - 1] == '/' ? "" : "/", names[i]);
        if (!child) {
            scan_reject(sc, path, NULL, TS_ERR_NOMEM, "out of memory");
            continue;
        }
        if (stat(child, &cst) != 0)
            scan_reject(sc, child, NULL, TS_ERR_IO, "%s", strerror(errno));
        else if (S_ISDIR(cst.st_mode))
            scan_dir(sc, child, &cst, &here, depth + 1);
        else if (S_ISREG(cst.st_mode) && !skip_name(names[i])) {
            sc->walked = 1;
            scan_file(sc, child);
            sc->walked = 0;
        }
        free(child);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Public entry: see trialsearch.h.  "-" reads standard input (which may
 * be an archive); a directory is walked (see scan_dir for what it passes
 * by); a file is read as records or, when it is an archive or compressed
 * (.zip .tar .tar.gz .tgz .gz .xz .tar.xz .bz2 ..., or by its first
 * bytes), member by member in place.  Returns TS_ERR_NOT_FOUND when path
 * does not exist, TS_ERR_INVALID for missing arguments, the first non-OK
 * status a callback returned, else TS_OK (even when files were
 * rejected). */
ts_status_t ts_scan_path(const char *path, ts_format_t fmt,
                         const ts_scan_cbs_t *cbs)
{
    scan_t sc = { fmt, 0, TS_OK, cbs, { 0 }, 0 };
    struct stat st;

    if (!path || !*path || !cbs || !cbs->record)
        return _ts_error(TS_ERR_INVALID, "ts_scan_path: missing path or callback");
    sc.wrap.record = on_record;
    sc.wrap.reject = on_reject;
    sc.wrap.wants = cbs->wants ? on_wants : NULL;
    sc.wrap.ctx = &sc;
    if (strcmp(path, "-") == 0) {
        scan_stream(&sc, STDIN_FILENO, STDIN_NAME);
        return sc.st;
    }
    if (stat(path, &st) != 0) {
        int e = errno;
        if (e == ENOENT || e == ENOTDIR)
            return _ts_error(TS_ERR_NOT_FOUND, "%s: %s", path, strerror(e));
        scan_reject(&sc, path, NULL, TS_ERR_IO, "%s", strerror(e));
        return sc.st;
    }
    if (S_ISDIR(st.st_mode))
        scan_dir(&sc, path, &st, NULL, 0);
    else
        scan_file(&sc, path);
    return sc.st;
}
