// search.cc - searching the index: the query language, filters, ranking,
// the partial-match fallback, snippets and facets.
//
// The query parser is configured from the one field table (schema.c):
// free-text fields become term prefixes, filter fields become
// FieldProcessors that turn the values people type ("active, not
// recruiting", "1/2", "female") into the boolean terms the indexer wrote,
// and range fields become RangeProcessors over value slots.  Queries are
// folded like indexed text (_ts_normalize_query) before parsing.
//
// Ranking is BM25 over the unprefixed terms, where each field's words were
// indexed with its weight; the part of BM25 that depends on the record was
// computed when it was indexed (db.cc, to_impacts), so a search
// (_ts_enquire) never reads record lengths.  All words are required; when
// nothing matches them all, words found nowhere are dropped, then the words
// are ORed, and the words the top hit lacks are reported
// (ts_results_dropped).
//
// Snippets are cut with MSet::snippet from the record field that shows the
// most query words, using a second parser that maps every field to no
// prefix (so prefixed query words still highlight plain text).
#include "xapian.hh"
#include "patient.h"

#include <utf8proc.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace {

// How many times a search is repeated after the index changed under it.
const int MAX_RETRIES = 40;
// Pause before retry n: n * RETRY_PAUSE_MS, at most 100 ms (a writer that
// commits every few records outdates a slow search again and again; the
// pause lets it finish a commit).  About three seconds in all.
const int RETRY_PAUSE_MS = 5;
// Cap on the expansion of a trailing wildcard.
const Xapian::termcount WILDCARD_CAP = 200;
// Most words a query may have: Xapian's time for an OR of terms the index
// lacks grows with the square of their number (30,000 take minutes).
const size_t MAX_QUERY_WORDS = 1024;
// How many top matches a rescoring (patient eligibility) reorders.
const size_t RERANK_DEPTH = 1000;
const unsigned PARSE_FLAGS =
    Xapian::QueryParser::FLAG_BOOLEAN | Xapian::QueryParser::FLAG_PHRASE |
    Xapian::QueryParser::FLAG_LOVEHATE | Xapian::QueryParser::FLAG_WILDCARD |
    Xapian::QueryParser::FLAG_PURE_NOT;

// Readable names for queries whose description is opaque (value ranges):
// pairs of (tidied description, what was typed).
typedef std::vector<std::pair<std::string, std::string>> labels_t;

// What the field and range processors of one parser report back.  An
// error is kept here rather than thrown through Xapian's parser, which
// leaks memory when an exception passes through it.
struct parse_ctx {
    labels_t labels;
    std::string error;      // first bad value met, or ""
};

std::string tidy_description(const std::string &d);

// Remember that q was written as text, for the description of the query.
const Xapian::Query &labelled(labels_t *labels, const Xapian::Query &q, const std::string &text)
{
    if (labels)
        labels->emplace_back(tidy_description(q.get_description()), text);
    return q;
}

// A syntax error found by this file, with a byte offset into the query.
struct syntax_error {
    std::string what;
    size_t pos;
};

// ---- small string helpers --------------------------------------------

// Lower-case ASCII copy of s with every run of characters other than
// letters, digits and '/' turned into one '_', trimmed of '_'.
std::string squash(const std::string &s)
{
    std::string out;
    bool gap = false;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '/') {
            if (gap && !out.empty())
                out += '_';
            gap = false;
            out += (char)std::tolower(c);
        } else {
            gap = true;
        }
    }
    return out;
}

// s split on commas, each part trimmed; empty parts dropped.
std::vector<std::string> split_commas(const std::string &s)
{
    std::vector<std::string> out;
    size_t i = 0;
    while (i <= s.size()) {
        size_t j = s.find(',', i);
        if (j == std::string::npos)
            j = s.size();
        std::string part = s.substr(i, j - i);
        size_t a = part.find_first_not_of(" \t");
        size_t b = part.find_last_not_of(" \t");
        if (a != std::string::npos)
            out.push_back(part.substr(a, b - a + 1));
        i = j + 1;
    }
    return out;
}

// The query as a message shows it: a control character or a byte that is
// not UTF-8 becomes '?' (a query cannot drive the terminal), and a query
// longer than SHOWN_MAX characters is cut to a window around byte offset
// pos, the cuts marked "...".  Each invalid byte counts as one character.
// *at gets the number of characters before pos, *col the 1-based column
// of pos in the text shown.
const size_t SHOWN_MAX = 100;

// Calls f(byte offset, length, shown as '?') for each character of q.
template <typename F> void each_char(const std::string &q, F f)
{
    for (size_t i = 0; i < q.size();) {
        utf8proc_int32_t c;
        utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)q.data() + i,
                                              (utf8proc_ssize_t)(q.size() - i), &c);
        bool bad = n <= 0 || c < 0x20 || (c >= 0x7f && c < 0xa0);
        if (n <= 0)
            n = 1;
        f(i, (size_t)n, bad);
        i += (size_t)n;
    }
}

std::string shown_query(const std::string &q, size_t pos, size_t *at, size_t *col)
{
    size_t total = 0;
    *at = 0;
    each_char(q, [&](size_t i, size_t, bool) {
        total++;
        *at += i < pos;
    });
    size_t from = 0, to = total;
    if (total > SHOWN_MAX) {
        from = std::min(*at > SHOWN_MAX / 2 ? *at - SHOWN_MAX / 2 : 0, total - SHOWN_MAX);
        to = from + SHOWN_MAX;
    }
    std::string out = from > 0 ? "..." : "";
    *col = *at - from + out.size() + 1;
    size_t k = 0;
    each_char(q, [&](size_t i, size_t n, bool bad) {
        if (k >= from && k < to)
            out += bad ? std::string("?") : q.substr(i, n);
        k++;
    });
    if (to < total)
        out += "...";
    return out;
}

// s as one line safe for a terminal: control characters (line breaks
// included) and bytes that are not UTF-8 as '?'.
std::string printable(const std::string &s)
{
    std::string out;
    each_char(s, [&](size_t i, size_t n, bool bad) {
        out += bad ? std::string("?") : s.substr(i, n);
    });
    return out;
}

// "message at column N" followed by the query and a caret under column N
// (N counts the characters of the query as typed).
std::string locate(const std::string &query, const syntax_error &e)
{
    size_t at, col;
    std::string shown = shown_query(query, e.pos, &at, &col);
    return e.what + " at column " + std::to_string(at + 1) + "\n    " + shown + "\n    " +
           std::string(col - 1, ' ') + "^";
}

// ---- filter values ---------------------------------------------------

const char *const STATUSES[] = {
    "NOT_YET_RECRUITING", "RECRUITING", "ENROLLING_BY_INVITATION",
    "ACTIVE_NOT_RECRUITING", "SUSPENDED", "TERMINATED", "COMPLETED",
    "WITHDRAWN", "UNKNOWN", "AVAILABLE", "NO_LONGER_AVAILABLE",
    "TEMPORARILY_NOT_AVAILABLE", "APPROVED_FOR_MARKETING", "WITHHELD",
};

// The "open" statuses: trials that take (or will take) participants.
const char *const OPEN_STATUSES[] = {
    "RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION",
    "AVAILABLE",
};

Xapian::Query term_or(const char *prefix, const std::vector<std::string> &vals)
{
    std::vector<Xapian::Query> qs;
    for (const auto &v : vals)
        qs.emplace_back(_ts_filter_term(prefix, v));
    return Xapian::Query(Xapian::Query::OP_OR, qs.begin(), qs.end());
}

// Canonical status for what people type, or "" when unknown.
std::string status_canon(const std::string &v)
{
    std::string s = squash(v);
    for (char &c : s)
        c = (char)std::toupper((unsigned char)c);
    if (s == "UNKNOWN_STATUS")
        s = "UNKNOWN";
    for (const char *st : STATUSES)
        if (s == st)
            return st;
    const char *n = _ts_norm_status(v.c_str());
    return n ? n : "";
}

// The query for one status value ("open" is a group of statuses).
Xapian::Query status_query(const std::string &v)
{
    if (squash(v) == "open") {
        std::vector<std::string> vals(std::begin(OPEN_STATUSES), std::end(OPEN_STATUSES));
        return term_or("XST", vals);
    }
    std::string c = status_canon(v);
    if (c.empty())
        throw Xapian::QueryParserError(
            "unknown status '" + v + "' (use open, recruiting, not_yet_recruiting, "
            "enrolling_by_invitation, active_not_recruiting, completed, "
            "suspended, terminated, withdrawn, unknown, available, ...)");
    return Xapian::Query(_ts_filter_term("XST", c));
}

// Canonical phase of one part of a phase value ("2", "phase2", "early1").
std::string phase_part(std::string p)
{
    if (p.compare(0, 5, "phase") == 0)
        p = p.substr(5);
    while (!p.empty() && p[0] == '_')
        p = p.substr(1);
    if (p == "1" || p == "2" || p == "3" || p == "4")
        return "PHASE" + p;
    if (p == "i")
        return "PHASE1";
    if (p == "ii")
        return "PHASE2";
    if (p == "iii")
        return "PHASE3";
    if (p == "iv")
        return "PHASE4";
    if (p == "early1" || p == "early_1" || p == "early_phase1" ||
        p == "early_phase_1" || p == "0")
        return "EARLY_PHASE1";
    if (p == "na" || p == "n/a" || p == "none" || p == "not_applicable")
        return "NA";
    return "";
}

// "1/2" requires both phases; "early1", "na" etc. one.
Xapian::Query phase_query(const std::string &v)
{
    std::string s = squash(v);
    std::vector<Xapian::Query> parts;
    if (s == "n/a") {
        parts.emplace_back(_ts_filter_term("XPH", "NA"));
    } else {
        size_t i = 0;
        while (i <= s.size()) {
            size_t j = s.find_first_of("/-", i);
            if (j == std::string::npos)
                j = s.size();
            std::string c = phase_part(s.substr(i, j - i));
            if (c.empty())
                throw Xapian::QueryParserError(
                    "unknown phase '" + v + "' (use early1, 1, 2, 3, 4, 1/2, 2/3 or na)");
            parts.emplace_back(_ts_filter_term("XPH", c));
            i = j + 1;
        }
    }
    return Xapian::Query(Xapian::Query::OP_AND, parts.begin(), parts.end());
}

Xapian::Query type_query(const std::string &v)
{
    std::string s = squash(v);
    if (s == "interventional" || s == "observational")
        return Xapian::Query(_ts_filter_term("XTY", s));
    if (s == "expanded" || s == "expanded_access")
        return Xapian::Query(_ts_filter_term("XTY", "expanded_access"));
    throw Xapian::QueryParserError(
        "unknown study type '" + v + "' (use interventional, observational or expanded)");
}

Xapian::Query sex_query(const std::string &v)
{
    std::string s = squash(v);
    if (s == "f" || s == "women" || s == "woman")
        s = "female";
    if (s == "m" || s == "men" || s == "man")
        s = "male";
    if (s == "both" || s == "any")
        s = "all";
    if (s == "female" || s == "male")
        return term_or("XSX", {s, "all"});
    if (s == "all")
        return Xapian::Query(_ts_filter_term("XSX", "all"));
    throw Xapian::QueryParserError("unknown sex '" + v + "' (use female, male or all)");
}

Xapian::Query healthy_query(const std::string &v)
{
    std::string s = squash(v);
    if (s == "yes" || s == "y" || s == "true" || s == "1" || s == "accepts")
        return Xapian::Query(_ts_filter_term("XHV", "yes"));
    if (s == "no" || s == "n" || s == "false" || s == "0")
        return Xapian::Query(_ts_filter_term("XHV", "no"));
    throw Xapian::QueryParserError("unknown healthy value '" + v + "' (use yes or no)");
}

Xapian::Query country_query(const std::string &v)
{
    std::string s = squash(v);
    if (s == "usa" || s == "us" || s == "u_s" || s == "u_s_a")
        return Xapian::Query(_ts_filter_term("XCO", "United States"));
    if (s == "uk" || s == "u_k")
        return Xapian::Query(_ts_filter_term("XCO", "United Kingdom"));
    return Xapian::Query(_ts_filter_term("XCO", v));
}

// Trials whose age limits admit age (missing limits were indexed as 0 and
// 1000 years, so they admit).
Xapian::Query age_range(double age)
{
    std::string a = Xapian::sortable_serialise(age);
    return Xapian::Query(Xapian::Query::OP_AND,
                         Xapian::Query(Xapian::Query::OP_VALUE_LE, TS_SLOT_MIN_AGE, a),
                         Xapian::Query(Xapian::Query::OP_VALUE_GE, TS_SLOT_MAX_AGE, a));
}

// The same for an age given by the user, checked.
Xapian::Query age_query(double age)
{
    if (!(age >= 0) || age > 200)
        throw Xapian::QueryParserError("age must be a number of years between 0 and 200");
    return age_range(age);
}

double parse_age(const std::string &v)
{
    char *end;
    const char *s = v.c_str();
    double d = std::strtod(s, &end);
    while (*end == ' ')
        end++;
    if (end == s || (*end && std::strncmp(end, "y", 1) != 0))
        throw Xapian::QueryParserError("bad age '" + v + "' (a number of years)");
    return d;
}

// The query for a filter field's value.
Xapian::Query filter_query(_ts_src_t src, const std::string &v)
{
    switch (src) {
    case _TS_SRC_STATUS: return status_query(v);
    case _TS_SRC_PHASE: return phase_query(v);
    case _TS_SRC_TYPE: return type_query(v);
    case _TS_SRC_SEX: return sex_query(v);
    case _TS_SRC_HEALTHY: return healthy_query(v);
    case _TS_SRC_COUNTRY: return country_query(v);
    case _TS_SRC_ID: return Xapian::Query(_ts_filter_term("XID", v));
    case _TS_SRC_NONE: return age_query(parse_age(v));
    default: break;
    }
    throw Xapian::QueryParserError("field cannot be used as a filter");
}

// A filter option: several values separated by commas, any admits.  A
// status containing a comma ("active, not recruiting") is tried whole
// first.
Xapian::Query option_query(_ts_src_t src, const char *value)
{
    std::string v(value);
    if (src == _TS_SRC_STATUS && !status_canon(v).empty())
        return status_query(v);
    std::vector<Xapian::Query> qs;
    for (const auto &part : split_commas(v))
        qs.push_back(filter_query(src, part));
    if (qs.empty())
        throw Xapian::QueryParserError("empty filter value");
    return Xapian::Query(Xapian::Query::OP_OR, qs.begin(), qs.end());
}

struct FilterProcessor : Xapian::FieldProcessor {
    _ts_src_t src;
    parse_ctx *ctx;
    FilterProcessor(_ts_src_t s, parse_ctx *c) : src(s), ctx(c) {}
    Xapian::Query operator()(const std::string &str) override
    {
        try {
            if (src == _TS_SRC_NONE)
                return labelled(&ctx->labels, filter_query(src, str), "age:" + str);
            return filter_query(src, str);
        } catch (const Xapian::QueryParserError &e) {
            if (ctx->error.empty())
                ctx->error = e.get_msg();
            return Xapian::Query::MatchNothing;
        }
    }
};

// ---- ranges ----------------------------------------------------------

// "YYYYMMDD" for a date as typed (YYYY, YYYY-MM, YYYY-MM-DD, YYYYMMDD):
// missing parts are the first day for a lower bound, the last for an
// upper one.  Throws on anything else.
std::string date_bound(const std::string &s, bool upper, const std::string &field)
{
    std::string digits;
    int parts = 0;
    size_t i = 0;
    bool ok = true;
    while (i < s.size() && ok) {
        size_t j = i;
        while (j < s.size() && std::isdigit((unsigned char)s[j]))
            j++;
        size_t n = j - i;
        if ((parts == 0 && n == 4) || (parts > 0 && n == 2))
            digits += s.substr(i, n), parts++;
        else if (parts == 0 && n == 8)
            digits += s.substr(i, n), parts = 3;
        else
            ok = false;
        if (j < s.size() && s[j] != '-' && s[j] != '/')
            ok = false;
        i = j + 1;
    }
    if (!ok || parts == 0 || parts > 3)
        throw Xapian::QueryParserError("bad date '" + s + "' in " + field +
                                       ": (use YYYY, YYYY-MM or YYYY-MM-DD)");
    if (parts == 1)
        digits += upper ? "1231" : "0101";
    else if (parts == 2)
        digits += upper ? "31" : "01";
    return digits;
}

struct RangeField : Xapian::RangeProcessor {
    bool number;
    std::string field;
    parse_ctx *ctx;
    RangeField(Xapian::valueno slot, const std::string &name, bool num, parse_ctx *c)
        : Xapian::RangeProcessor(slot, name + ":"), number(num), field(name), ctx(c) {}

    std::string bound(const std::string &s, bool upper)
    {
        if (!number)
            return date_bound(s, upper, field);
        char *end;
        double d = std::strtod(s.c_str(), &end);
        if (end == s.c_str() || *end)
            throw Xapian::QueryParserError("bad number '" + s + "' in " + field + ":");
        return Xapian::sortable_serialise(d);
    }

    Xapian::Query operator()(const std::string &b, const std::string &e) override
    {
        try {
            return labelled(&ctx->labels, range(b, e), field + ":" + b + ".." + e);
        } catch (const Xapian::QueryParserError &err) {
            if (ctx->error.empty())
                ctx->error = err.get_msg();
            return Xapian::Query::MatchNothing;
        }
    }

    Xapian::Query range(const std::string &b, const std::string &e)
    {
        if (b.empty() && e.empty())
            throw Xapian::QueryParserError(field + ": range needs at least one end");
        if (b.empty())
            return Xapian::Query(Xapian::Query::OP_VALUE_LE, slot, bound(e, true));
        if (e.empty())
            return Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, bound(b, false));
        return Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, bound(b, false),
                             bound(e, true));
    }
};

// ---- the parsers -----------------------------------------------------

// The space-separated words of s (a _ts_vocab_key, a list of aliases or
// of prefixes).
std::vector<std::string> words_of(const std::string &s)
{
    std::vector<std::string> out;
    size_t i = 0;
    while (i < s.size()) {
        size_t j = s.find(' ', i);
        if (j == std::string::npos)
            j = s.size();
        if (j > i)
            out.push_back(s.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

// Each name under which a field is known: its name and its aliases.
std::vector<std::string> field_names(const _ts_field_t &f)
{
    std::vector<std::string> names{f.info.name};
    for (const auto &a : words_of(f.info.aliases))
        names.push_back(a);
    return names;
}

// A query parser for db.  For snippets (plain), every free-text field
// maps to no prefix, so the query's words match plain text.
void setup_parser(Xapian::QueryParser &qp, const Xapian::Database &db, bool plain,
                  parse_ctx *ctx)
{
    qp.set_database(db);
    qp.set_stemmer(Xapian::Stem("english"));
    qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    qp.set_default_op(Xapian::Query::OP_AND);
    qp.set_max_expansion(WILDCARD_CAP, Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
    for (size_t i = 0; i < _ts_schema_len; i++) {
        const _ts_field_t &f = _ts_schema[i];
        for (const auto &name : field_names(f)) {
            if (f.info.kind == TS_FIELD_TEXT) {
                for (const auto &p : words_of(f.prefixes)) {
                    qp.add_prefix(name, plain ? std::string() : p);
                    if (plain)
                        break;
                }
            } else if (f.info.kind == TS_FIELD_FILTER) {
                qp.add_boolean_prefix(name, (new FilterProcessor(f.src, ctx))->release());
            } else {
                qp.add_rangeprocessor(
                    (new RangeField(f.slot, name, f.slot == TS_SLOT_ENROLLMENT, ctx))->release());
            }
        }
    }
}

// ---- syntax ------------------------------------------------------------

bool is_binary_op(const std::string &w)
{
    return w == "AND" || w == "OR" || w == "XOR" || w == "NEAR" || w == "ADJ" ||
           w.compare(0, 5, "NEAR/") == 0 || w.compare(0, 4, "ADJ/") == 0;
}

// One piece of a query at the top level: a word, a field:value, a
// "phrase", a (group) or an operator, with its byte offset.
struct piece {
    std::string text;
    size_t pos;
};

// Split q at white space outside quotes and brackets.  Unbalanced quotes
// and brackets throw a syntax_error pointing at the culprit.
std::vector<piece> split_query(const std::string &q)
{
    std::vector<piece> out;
    std::vector<size_t> opens;
    bool quoted = false;
    size_t quote_pos = 0, start = std::string::npos;
    for (size_t i = 0; i <= q.size(); i++) {
        char c = i < q.size() ? q[i] : ' ';
        bool blank = c == ' ' || c == '\t' || c == '\n' || c == '\r';
        if (blank && !quoted && opens.empty()) {
            if (start != std::string::npos)
                out.push_back({q.substr(start, i - start), start});
            start = std::string::npos;
            continue;
        }
        if (start == std::string::npos && !blank)
            start = i;
        if (c == '"') {
            quoted = !quoted;
            quote_pos = i;
        } else if (!quoted && c == '(') {
            opens.push_back(i);
        } else if (!quoted && c == ')') {
            if (opens.empty())
                throw syntax_error{"unmatched ')'", i};
            opens.pop_back();
        }
    }
    if (quoted)
        throw syntax_error{"unclosed quote", quote_pos};
    if (!opens.empty())
        throw syntax_error{"unclosed '('", opens.back()};
    return out;
}

// Look inside q for an operator that lacks an operand, to say where a
// syntax error Xapian found is.  Returns false if none is found.
bool find_operator_error(const std::string &q, syntax_error *err)
{
    // Words with their offsets; brackets are words of their own, quoted
    // text is one operand.
    std::vector<piece> w;
    size_t i = 0;
    while (i < q.size()) {
        char c = q[i];
        if (c == ' ' || c == '\t') {
            i++;
        } else if (c == '(' || c == ')') {
            w.push_back({std::string(1, c), i});
            i++;
        } else {
            size_t s = i;
            bool quoted = false;
            while (i < q.size() && (quoted || (q[i] != ' ' && q[i] != '\t' &&
                                               q[i] != '(' && q[i] != ')'))) {
                if (q[i] == '"')
                    quoted = !quoted;
                i++;
            }
            w.push_back({q.substr(s, i - s), s});
        }
    }
    for (size_t k = 0; k < w.size(); k++) {
        const std::string &t = w[k].text;
        bool binary = is_binary_op(t);
        if (!binary && t != "NOT")
            continue;
        const std::string prev = k > 0 ? w[k - 1].text : "";
        const std::string next = k + 1 < w.size() ? w[k + 1].text : "";
        bool prev_ok = !prev.empty() && prev != "(" && !is_binary_op(prev) && prev != "NOT";
        bool next_ok = !next.empty() && next != ")" && !is_binary_op(next);
        if (binary && !prev_ok) {
            *err = {t + " needs something before it", w[k].pos};
            return true;
        }
        if (!next_ok) {
            *err = {t + " needs something after it", w[k].pos};
            return true;
        }
    }
    return false;
}

// ---- folding the query ---------------------------------------------------

// A range field given one value ("start:2011-04", "enrollment:60") as the
// range from it to itself; any other chunk unchanged.
std::string single_range(const std::string &chunk)
{
    size_t a = chunk.find_first_not_of("(+-");
    size_t colon = chunk.find(':');
    if (a == std::string::npos || colon == std::string::npos || colon <= a ||
        chunk.find("..") != std::string::npos)
        return chunk;
    const _ts_field_t *f = _ts_schema_find(chunk.substr(a, colon - a).c_str());
    if (!f || f->info.kind != TS_FIELD_RANGE)
        return chunk;
    size_t e = chunk.find_last_not_of(')');
    if (e == std::string::npos || e <= colon)
        return chunk;
    std::string v = chunk.substr(colon + 1, e - colon);
    return chunk.substr(0, colon + 1) + v + ".." + v + chunk.substr(e + 1);
}

// The query folded like indexed text, except that a word typed in capitals
// (ALS, AIDS, COPD) keeps a capital first letter: the parser then leaves
// it unstemmed (STEM_SOME), so "ALS" does not match "al" in "et al.".
// Returns false when out of memory.
bool fold_query(const std::string &raw, std::string &out)
{
    out.clear();
    size_t i = 0;
    while (i < raw.size()) {
        size_t j = raw.find_first_of(" \t\r\n", i);
        if (j == std::string::npos)
            j = raw.size();
        if (j > i) {
            std::string chunk = single_range(raw.substr(i, j - i));
            char *n = _ts_normalize_query(chunk.c_str());
            if (!n)
                return false;
            std::string folded = n;
            std::free(n);
            // Find the words in capitals and mark them in the folded text.
            size_t at = 0;
            for (size_t a = 0; a < chunk.size();) {
                if (!std::isalnum((unsigned char)chunk[a])) {
                    a++;
                    continue;
                }
                size_t b = a;
                int upper = 0, lower = 0;
                while (b < chunk.size() && std::isalnum((unsigned char)chunk[b])) {
                    upper += std::isupper((unsigned char)chunk[b]) != 0;
                    lower += std::islower((unsigned char)chunk[b]) != 0;
                    b++;
                }
                bool at_end = b == chunk.size() || (unsigned char)chunk[b] < 0x80;
                if (upper >= 2 && lower == 0 && at_end && !is_binary_op(chunk) &&
                    chunk != "NOT") {
                    std::string w = chunk.substr(a, b - a);
                    for (char &c : w)
                        c = (char)std::tolower((unsigned char)c);
                    for (size_t k = folded.find(w, at); k != std::string::npos;
                         k = folded.find(w, k + 1)) {
                        bool left = k == 0 || !std::isalnum((unsigned char)folded[k - 1]);
                        size_t e = k + w.size();
                        bool right = e == folded.size() || !std::isalnum((unsigned char)folded[e]);
                        if (left && right) {
                            folded[k] = (char)std::toupper((unsigned char)folded[k]);
                            at = e;
                            break;
                        }
                    }
                }
                a = b;
            }
            if (!out.empty())
                out += ' ';
            out += folded;
        }
        i = j + 1;
    }
    return true;
}

// ---- facets ------------------------------------------------------------

struct facet_def {
    const char *name;
    Xapian::valueno slot;
};

const facet_def FACETS[] = {
    {"status", TS_SLOT_F_STATUS},       {"phase", TS_SLOT_F_PHASE},
    {"condition", TS_SLOT_F_CONDITION}, {"country", TS_SLOT_F_COUNTRY},
    {"sponsor", TS_SLOT_F_SPONSOR},     {"type", TS_SLOT_F_TYPE},
};

// A facet's counts over the matches: Xapian's own spy counts each
// trial's slot value whole (its values joined with '\x1f', each once:
// facet_value), and can run on a remote shard too, where a spy of our
// own cannot; the values are split when read (facet_counts).
struct FacetSpy {
    Xapian::valueno slot;
    Xapian::ValueCountMatchSpy spy;
    explicit FacetSpy(Xapian::valueno s) : slot(s), spy(s) {}
};

// Display form of a facet value ("ACTIVE_NOT_RECRUITING" ->
// "Active, not recruiting").
std::string facet_label(Xapian::valueno slot, const std::string &v)
{
    if (slot == TS_SLOT_F_STATUS)
        return _ts_status_label(v.c_str());
    if (slot == TS_SLOT_F_PHASE)
        return _ts_phase_label(v.c_str());
    if (slot == TS_SLOT_F_TYPE) {
        std::string s;
        for (size_t i = 0; i < v.size(); i++)
            s += v[i] == '_' ? ' ' : (char)(i ? std::tolower((unsigned char)v[i]) : v[i]);
        return s;
    }
    return v;
}

// How many matches have each value the facet spy counted, by the value's
// display form (facet_label).
std::map<std::string, uint64_t> facet_counts(const FacetSpy &f)
{
    std::map<std::string, uint64_t> counts;
    for (auto t = f.spy.values_begin(); t != f.spy.values_end(); ++t) {
        const std::string v = *t;
        for (size_t i = 0; i < v.size();) {
            size_t j = std::min(v.find('\x1f', i), v.size());
            if (j > i)
                counts[facet_label(f.slot, v.substr(i, j - i))] += t.get_termfreq();
            i = j + 1;
        }
    }
    return counts;
}

// ---- snippets ----------------------------------------------------------

void append(std::string &s, const char *t, const char *sep = "; ")
{
    if (!t || !*t)
        return;
    if (!s.empty())
        s += sep;
    s += t;
}

void append_list(std::string &s, const ts_strlist_t &l, const char *sep = "; ")
{
    for (size_t i = 0; i < l.n; i++)
        append(s, l.v[i], sep);
}

// The texts a snippet may come from, in order of preference when two
// show as many query words.
std::vector<std::pair<const char *, std::string>> snippet_texts(const ts_record_t *r)
{
    std::vector<std::pair<const char *, std::string>> t;
    std::string s;
    append(s, r->brief_summary, "\n");
    t.emplace_back("summary", s);
    t.emplace_back("description", r->detailed_description ? r->detailed_description : "");
    s.clear();
    for (size_t i = 0; i < r->n_interventions; i++) {
        const ts_intervention_t &iv = r->interventions[i];
        std::string one;
        if (iv.type && iv.name)
            one = std::string(iv.type) + ": " + iv.name;
        else
            append(one, iv.name);
        for (size_t k = 0; k < iv.other_names.n; k++)
            append(one, iv.other_names.v[k], ", ");
        append(one, iv.description, ". ");
        append(s, one.c_str());
    }
    t.emplace_back("intervention", s);
    s.clear();
    append_list(s, r->conditions);
    t.emplace_back("condition", s);
    s.clear();
    for (size_t i = 0; i < r->n_primary_outcomes; i++)
        append(s, r->primary_outcomes[i].measure);
    for (size_t i = 0; i < r->n_secondary_outcomes; i++)
        append(s, r->secondary_outcomes[i].measure);
    t.emplace_back("outcome", s);
    t.emplace_back("eligibility", r->eligibility ? r->eligibility : "");
    s.clear();
    append_list(s, r->keywords);
    t.emplace_back("keyword", s);
    s.clear();
    append_list(s, r->condition_mesh);
    append_list(s, r->intervention_mesh);
    t.emplace_back("mesh", s);
    s.clear();
    append(s, r->brief_title);
    append(s, r->official_title, " / ");
    append(s, r->acronym, " / ");
    t.emplace_back("title", s);
    s.clear();
    append(s, r->lead_sponsor);
    append_list(s, r->collaborators);
    t.emplace_back("sponsor", s);
    s.clear();
    for (size_t i = 0; i < r->n_locations; i++) {
        const ts_location_t &l = r->locations[i];
        std::string one;
        append(one, l.facility, ", ");
        append(one, l.city, ", ");
        append(one, l.state, ", ");
        append(one, l.country, ", ");
        append(s, one.c_str());
    }
    t.emplace_back("location", s);
    return t;
}

// Undo the HTML escaping of MSet::snippet and fold line breaks to spaces.
std::string unescape(const std::string &s)
{
    static const struct { const char *ent; char c; } ents[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''},
    };
    std::string out;
    for (size_t i = 0; i < s.size(); i++) {
        char c = s[i];
        if (c == '&') {
            bool done = false;
            for (const auto &e : ents) {
                size_t n = std::strlen(e.ent);
                if (s.compare(i, n, e.ent) == 0) {
                    out += e.c;
                    i += n - 1;
                    done = true;
                    break;
                }
            }
            if (done)
                continue;
        }
        if (c == '\n' || c == '\r' || c == '\t')
            c = ' ';
        if (c == ' ' && !out.empty() && out.back() == ' ')
            continue;
        out += c;
    }
    return out;
}

// How many different words a snippet highlights.
size_t count_highlights(const std::string &s)
{
    std::vector<std::string> seen;
    size_t i = 0;
    while ((i = s.find('\x01', i)) != std::string::npos) {
        size_t j = s.find('\x02', i);
        if (j == std::string::npos)
            break;
        std::string w = s.substr(i + 1, j - i - 1);
        for (char &c : w)
            c = (char)std::tolower((unsigned char)c);
        if (std::find(seen.begin(), seen.end(), w) == seen.end())
            seen.push_back(w);
        i = j;
    }
    return seen.size();
}

// The start of text, cut at a word boundary near len bytes.
std::string head_of(const std::string &text, size_t len)
{
    std::string t = unescape(text);
    if (t.size() <= len)
        return t;
    size_t cut = t.rfind(' ', len);
    if (cut == std::string::npos || cut < len / 2)
        cut = len;
    while (cut > 0 && ((unsigned char)t[cut] & 0xC0) == 0x80)
        cut--;
    return t.substr(0, cut) + "...";
}

// ---- explain -----------------------------------------------------------

// The indexed field whose first prefix is p (free-text fields only when
// text_only), or NULL.
const _ts_field_t *field_of_prefix(const std::string &p, bool text_only = true)
{
    for (size_t i = 0; i < _ts_schema_len; i++) {
        const _ts_field_t &f = _ts_schema[i];
        if (f.src == _TS_SRC_NONE || (text_only && f.info.kind != TS_FIELD_TEXT))
            continue;
        size_t n = std::strcspn(f.prefixes, " ");
        if (p.size() == n && p.compare(0, n, f.prefixes, n) == 0)
            return &f;
    }
    return NULL;
}

// The prefix a field is indexed under: the first of its prefixes.
std::string first_prefix(const _ts_field_t *f)
{
    return std::string(f->prefixes, std::strcspn(f->prefixes, " "));
}

// The parts of a term: the stemming marker Z, the field prefix (its
// capitals) and the word ("ZXCepilepsi": Z, "XC", "epilepsi").
struct term_parts {
    bool z;
    std::string prefix, word;
};

term_parts split_term(const std::string &t)
{
    term_parts p;
    p.z = t.size() > 1 && t[0] == 'Z';
    size_t s = p.z ? 1 : 0, n = s;
    while (n < t.size() && std::isupper((unsigned char)t[n]))
        n++;
    p.prefix = t.substr(s, n - s);
    p.word = t.substr(n);
    return p;
}

// Whether prefix is that of a long field, whose own terms are stems only
// and without positions (schema.c, db.cc): the words as typed and their
// positions are in the unprefixed copy, the default search.
bool stems_only(const std::string &prefix)
{
    const _ts_field_t *f = prefix.empty() ? NULL : field_of_prefix(prefix);
    return f && !f->positions;
}

// The term of word's stem in the field of prefix ("XB", "trials":
// "ZXBtrial").
std::string field_stem(const std::string &prefix, const std::string &word,
                       const Xapian::Stem &stem)
{
    return "Z" + prefix + stem(word);
}

// A word taken exactly (typed in capitals, a number, or a short word)
// in a field of stems only: the field's stem, filtered by the word in
// the default search, which holds the field's words as typed.
Xapian::Query exact_in_stems(const std::string &prefix, const std::string &word,
                             const Xapian::Stem &stem)
{
    return Xapian::Query(Xapian::Query::OP_FILTER, Xapian::Query(field_stem(prefix, word, stem)),
                         Xapian::Query(word));
}

// A phrase (or NEAR, op) of words in the field of prefix, within window.
// In a field of stems only it is the stems of its words in the field,
// filtered by the phrase in the default search: the weight is that of the
// field's words, as for a phrase.
Xapian::Query phrase_query(Xapian::Query::op op, const std::vector<std::string> &words,
                           const std::string &prefix, Xapian::termcount window,
                           const Xapian::Stem &stem)
{
    std::vector<Xapian::Query> fielded, plain;
    bool stems = stems_only(prefix);
    for (const auto &w : words) {
        fielded.emplace_back(stems ? field_stem(prefix, w, stem) : prefix + w);
        plain.emplace_back(w);
    }
    if (!stems)
        return Xapian::Query(op, fielded.begin(), fielded.end(), window);
    return Xapian::Query(Xapian::Query::OP_FILTER,
                         Xapian::Query(Xapian::Query::OP_AND, fielded.begin(), fielded.end()),
                         Xapian::Query(op, plain.begin(), plain.end(), window));
}

// The window of a phrase or NEAR query.  Xapian 1.4 has no getter for it;
// its description shows it ("(a PHRASE 2 b)").
Xapian::termcount window_of(const Xapian::Query &q)
{
    std::string d = q.get_description();
    const char *ops[] = {" PHRASE ", " NEAR "};
    for (const char *op : ops) {
        size_t k = d.find(op);
        if (k != std::string::npos)
            return (Xapian::termcount)std::strtoul(d.c_str() + k + std::strlen(op), NULL, 10);
    }
    return 0;
}

// The pattern of a wildcard query ("XBcanc" for summary:canc*).  Xapian
// 1.4 has no getter for it; its description shows it ("Query(WILDCARD
// SYNONYM XBcanc)").
std::string wildcard_pattern(const Xapian::Query &q)
{
    std::string d = q.get_description();
    size_t k = d.find("WILDCARD ");
    if (k == std::string::npos || (k = d.find(' ', k + 9)) == std::string::npos)
        return "";
    size_t end = d.find(')', k);
    return d.substr(k + 1, end == std::string::npos ? std::string::npos : end - k - 1);
}

// A wildcard in a field of stems only: the field's stems that start with
// pattern (the WILDCARD_CAP most frequent in the field, as the parser's
// own wildcards), and the stems that do not although their words do
// ("seizures*": "seizures" is "seizur"), each filtered by those words in
// the default search.  The words are looked for among the first
// WILDCARD_SCAN of the default search that start with pattern; beyond
// that many, a pattern is short and such stems are rare.
Xapian::Query wildcard_in_stems(const Xapian::Database &db, const std::string &prefix,
                                const std::string &pattern, const Xapian::Stem &stem)
{
    const size_t WILDCARD_SCAN = 1000;
    std::vector<Xapian::Query> parts{Xapian::Query(
        Xapian::Query::OP_WILDCARD, "Z" + prefix + pattern, WILDCARD_CAP,
        Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT, Xapian::Query::OP_SYNONYM)};
    std::map<std::string, std::vector<std::string>> apart; // stem -> its words
    size_t n = 0;
    for (auto t = db.allterms_begin(pattern); t != db.allterms_end(pattern) && n < WILDCARD_SCAN;
         ++t, ++n) {
        std::string s = stem(*t);
        if (s.compare(0, pattern.size(), pattern) != 0)
            apart[s].push_back(*t);
    }
    for (const auto &a : apart)
        parts.emplace_back(Xapian::Query::OP_FILTER, Xapian::Query("Z" + prefix + a.first),
                           Xapian::Query(Xapian::Query::OP_OR, a.second.begin(), a.second.end()));
    if (parts.size() == 1)
        return parts[0];
    return Xapian::Query(Xapian::Query::OP_SYNONYM, parts.begin(), parts.end());
}

// q with the words and phrases of the fields of stems only (stems_only)
// made matchable: the parser writes a word under such a prefix as typed
// when it takes it exactly, or in a phrase, and a wildcard over the words
// as typed.  A word becomes exact_in_stems, a phrase or NEAR phrase_query,
// a wildcard wildcard_in_stems.  *changed is set when something was
// rewritten.
Xapian::Query positional(const Xapian::Query &q, const Xapian::Database &db,
                         const Xapian::Stem &stem, bool *changed)
{
    Xapian::Query::op op = q.get_type();
    size_t n = q.get_num_subqueries();
    if (op == Xapian::Query::LEAF_TERM) {
        Xapian::TermIterator t = q.get_terms_begin();
        if (t == q.get_terms_end())
            return q;
        term_parts p = split_term(*t);
        if (p.z || !stems_only(p.prefix))
            return q;
        *changed = true;
        return exact_in_stems(p.prefix, p.word, stem);
    }
    if (op == Xapian::Query::OP_WILDCARD) {
        term_parts p = split_term(wildcard_pattern(q));
        if (p.z || p.word.empty() || !stems_only(p.prefix))
            return q;
        *changed = true;
        return wildcard_in_stems(db, p.prefix, p.word, stem);
    }
    if (op == Xapian::Query::OP_PHRASE || op == Xapian::Query::OP_NEAR) {
        std::vector<std::string> words;
        std::string prefix;
        for (size_t i = 0; i < n; i++) {
            Xapian::Query t = q.get_subquery(i);
            if (t.get_type() != Xapian::Query::LEAF_TERM)
                return q;
            term_parts p = split_term(*t.get_terms_begin());
            if (p.z || (i && p.prefix != prefix))
                return q;
            prefix = p.prefix;
            words.push_back(p.word);
        }
        if (n == 0 || !stems_only(prefix))
            return q;
        *changed = true;
        return phrase_query(op, words, prefix, window_of(q), stem);
    }
    switch (op) {
    case Xapian::Query::OP_AND: case Xapian::Query::OP_OR:
    case Xapian::Query::OP_AND_NOT: case Xapian::Query::OP_XOR:
    case Xapian::Query::OP_AND_MAYBE: case Xapian::Query::OP_FILTER:
    case Xapian::Query::OP_SYNONYM: case Xapian::Query::OP_MAX:
        break;
    default: // operators with parameters the parser puts no such term under
        return q;
    }
    bool any = false;
    std::vector<Xapian::Query> sub;
    for (size_t i = 0; i < n; i++)
        sub.push_back(positional(q.get_subquery(i), db, stem, &any));
    if (!any)
        return q;
    *changed = true;
    return Xapian::Query(op, sub.begin(), sub.end());
}

// q ready to run on db: see positional.
Xapian::Query runnable(const Xapian::Query &q, const Xapian::Database &db,
                       const Xapian::Stem &stem)
{
    bool changed = false;
    return positional(q, db, stem, &changed);
}

// The query terms that show in which fields a hit matched: each field
// term of the query names its field; an unprefixed term names each field
// holding the same word (term "Zcancer": "ZXCcancer" is condition), when
// the hit has the unprefixed term itself.  A word taken exactly stands
// in a field of stems only (stems_only) as its stem.
struct field_terms {
    struct want {
        const _ts_field_t *field; // NULL: an unprefixed query term
        std::string base;         // for a field variant: its unprefixed term
    };
    std::unordered_map<std::string, want> terms;

    field_terms(const Xapian::Query &q, const Xapian::Stem &stem)
    {
        auto in_field = [&](const term_parts &tp, const std::string &prefix) {
            if (tp.z)
                return "Z" + prefix + tp.word;
            return stems_only(prefix) ? field_stem(prefix, tp.word, stem) : prefix + tp.word;
        };
        for (auto t = q.get_unique_terms_begin(); t != q.get_unique_terms_end(); ++t) {
            const std::string term = *t;
            term_parts tp = split_term(term);
            if (tp.prefix == TS_PREFIX_HEADING) { // a MeSH expansion
                terms[term] = want{_ts_schema_find("mesh"), std::string()};
                continue;
            }
            if (!tp.prefix.empty()) {
                if (const _ts_field_t *f = field_of_prefix(tp.prefix))
                    terms[in_field(tp, tp.prefix)] = want{f, std::string()};
                continue;
            }
            terms.emplace(term, want{NULL, std::string()});
            for (size_t i = 0; i < _ts_schema_len; i++) {
                const _ts_field_t &f = _ts_schema[i];
                if (f.info.kind != TS_FIELD_TEXT || f.src == _TS_SRC_NONE)
                    continue;
                terms.emplace(in_field(tp, first_prefix(&f)), want{&f, term});
            }
        }
    }

    // Names of the free-text fields in which doc matches, space separated,
    // in schema order: one pass over the document's terms.
    std::string matched(const Xapian::Document &doc) const
    {
        std::vector<const want *> found;
        std::unordered_set<std::string> have;
        for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
            auto w = terms.find(*t);
            if (w == terms.end())
                continue;
            if (w->second.field)
                found.push_back(&w->second);
            else
                have.insert(w->first);
        }
        std::string out;
        for (size_t i = 0; i < _ts_schema_len; i++)
            for (const want *w : found)
                if (w->field == &_ts_schema[i] && (w->base.empty() || have.count(w->base))) {
                    append(out, _ts_schema[i].info.name, " ");
                    break;
                }
        return out;
    }
};

// Whether the snippet text named name ("summary", "outcome", ...: see
// snippet_texts) lies in one of the fields named in padded (matched field
// names with a space before and after each).
bool text_matched(const char *name, const std::string &padded)
{
    static const struct { const char *text, *fields; } map[] = {
        { "description", "summary" }, { "outcome", "primary secondary" },
        { "eligibility", "eligibility inclusion exclusion" },
    };
    std::string fields = name;
    for (const auto &m : map)
        if (std::strcmp(m.text, name) == 0)
            fields = m.fields;
    for (const std::string &f : words_of(fields))
        if (padded.find(" " + f + " ") != std::string::npos)
            return true;
    return false;
}

// The snippet of hit record rec in *best and its field in *field: of the
// texts in the fields the hit matched (see field_terms), the one whose
// snippet shows the most query words; else the head of the first text.
void best_snippet(const Xapian::MSet &snip_set, const Xapian::Stem &stem, const ts_record_t *rec,
                  const std::string &fields, size_t len, std::string *best, std::string *field)
{
    std::string padded = " " + fields + " ";
    size_t best_n = 0;
    auto texts = snippet_texts(rec);
    for (const auto &ft : texts) {
        if (ft.second.empty() || !text_matched(ft.first, padded))
            continue;
        std::string s = snip_set.snippet(
            ft.second, len, stem,
            Xapian::MSet::SNIPPET_EXHAUSTIVE | Xapian::MSet::SNIPPET_EMPTY_WITHOUT_MATCH,
            "\x01", "\x02", "...");
        size_t n = count_highlights(s);
        if (n > best_n) {
            best_n = n;
            *best = unescape(s);
            *field = ft.first;
        }
    }
    if (best_n > 0)
        return;
    for (const auto &ft : texts) {
        if (!ft.second.empty()) {
            *best = head_of(ft.second, len);
            *field = ft.first;
            return;
        }
    }
}

// One term of a description as a user would write it: the stemming
// marker Z dropped, a field prefix shown as its name ("ZXCepilepsi" ->
// "condition:epilepsi", "XSTrecruiting" -> "status:recruiting").
std::string readable_term(const std::string &t)
{
    term_parts p = split_term(t);
    if (p.prefix.empty())
        return p.word;
    const _ts_field_t *f = field_of_prefix(p.prefix, false);
    return f ? std::string(f->info.name) + ":" + p.word : t;
}

// "Query((Zintrathec@1 AND als@2))" -> "(intrathec AND als)".
std::string tidy_description(const std::string &d)
{
    std::string s = d;
    if (s.compare(0, 6, "Query(") == 0 && s.back() == ')')
        s = s.substr(6, s.size() - 7);
    std::string out, word;
    auto flush = [&]() {
        // operators (AND, OR, FILTER ...) are all capitals: keep them
        bool op = !word.empty();
        for (char c : word)
            op = op && (std::isupper((unsigned char)c) || c == '_');
        out += op ? word : readable_term(word);
        word.clear();
    };
    for (size_t i = 0; i < s.size(); i++) {
        if (s[i] == '@' && i + 1 < s.size() && std::isdigit((unsigned char)s[i + 1])) {
            while (i + 1 < s.size() && std::isdigit((unsigned char)s[i + 1]))
                i++;
            continue;
        }
        if (s[i] == ' ' || s[i] == '(' || s[i] == ')') {
            flush();
            out += s[i];
        } else {
            word += s[i];
        }
    }
    flush();
    // A wildcard as typed: "WILDCARD SYNONYM title:als" -> "title:als*".
    const std::string wild = "WILDCARD ";
    for (size_t k = out.find(wild); k != std::string::npos; k = out.find(wild, k + 1)) {
        if (k > 0 && out[k - 1] != ' ' && out[k - 1] != '(')
            continue;
        size_t op = k + wild.size(), term = out.find(' ', op);
        if (term == std::string::npos)
            continue;
        size_t end = out.find_first_of(" )", term + 1);
        if (end == std::string::npos)
            end = out.size();
        out = out.substr(0, k) + out.substr(term + 1, end - term - 1) + "*" + out.substr(end);
    }
    return out;
}

// A record holding only the id; NULL without memory.
ts_record_t *id_record(const std::string &id)
{
    ts_record_t *rec = ts_record_new();
    if (rec && !(rec->nct_id = strdup(id.c_str()))) {
        ts_record_free(rec);
        rec = NULL;
    }
    return rec;
}

// The record stored in doc (its JSON); id_record when the JSON does not
// parse.  Throws bad_alloc, and Xapian's errors.
ts_record_t *doc_record(const Xapian::Document &doc, const std::string &id)
{
    std::string data = doc.get_data();
    ts_record_t *rec = _ts_record_from_json(data.data(), data.size());
    if (!rec && !(rec = id_record(id)))
        throw std::bad_alloc();
    return rec;
}

} // namespace

// ---- results -------------------------------------------------------------

struct ts_facet {
    std::string name;
    std::vector<std::pair<std::string, uint64_t>> values;
};

struct ts_results {
    // hits[k].record is owned here; with TS_Q_NO_DETAILS it stays NULL
    // until ts_results_hit asks for it, and is then read from docs[k].
    std::vector<ts_hit_t> hits;
    std::vector<std::string> ids;
    std::vector<Xapian::Document> docs;
    std::vector<std::string> snippets, snippet_fields, fields;
    uint64_t total = 0;
    bool total_exact = false;
    std::string parsed, dropped, suggestion, explain;
    bool has_dropped = false, has_suggestion = false, corrected = false;
    std::vector<ts_facet> facets;
    ts_results() = default;
    ts_results(const ts_results &) = delete;
    ts_results &operator=(const ts_results &) = delete;
    ~ts_results() { clear(); }
    // Forget everything (a search starting over).
    void clear()
    {
        for (const ts_hit_t &h : hits)
            ts_record_free(const_cast<ts_record_t *>(h.record));
        hits.clear();
        ids.clear();
        docs.clear();
        snippets.clear();
        snippet_fields.clear();
        fields.clear();
        total = 0;
        total_exact = false;
        parsed.clear();
        dropped.clear();
        has_dropped = false;
        facets.clear();
        // suggestion and explain describe the query, not one attempt
    }
};

namespace {

// Rescoring of the top hits (fill): score gives a match a new score from
// its docid, its score and whether it matches filter (true when filter is
// empty), asked for the matches in increasing docid order.
struct rescore_t {
    std::function<double(Xapian::docid, double, bool)> score;
    Xapian::Query filter;
    explicit operator bool() const { return bool(score); }
};

// The parsers of a handle's searches, with the contexts their field and
// range processors report to: set up once per handle (ts_db::parsers),
// since adding every field's prefixes and processors to two parsers cost
// about 220,000 instructions a search, a quarter of a median short query
// at 40,790 records.  They keep the Database they were given: a
// segmented writer later opens another segment as db->db, which these
// parsers (reading no terms with the flags used) do not need to see.
struct Parsers {
    Xapian::QueryParser qp, plain;  // fields with their prefixes; all unprefixed
    parse_ctx ctx, plain_ctx;       // what the processors report
    Xapian::Stem stem{"english"};
    explicit Parsers(const Xapian::Database &db)
    {
        setup_parser(qp, db, false, &ctx);
        setup_parser(plain, db, true, &plain_ctx);
    }
};

// The parsers of db, made at its first search; what the last search left
// in their contexts is cleared.
Parsers &parsers_of(ts_db_t *db)
{
    if (!db->parsers)
        db->parsers = std::make_shared<Parsers>(db->db);
    Parsers &p = *static_cast<Parsers *>(db->parsers.get());
    p.ctx = parse_ctx();
    p.plain_ctx = parse_ctx();
    return p;
}

// One search over a fixed view of the index.  Throws Xapian errors
// (DatabaseModifiedError is retried by the caller) and syntax_error.
class Searcher {
  public:
    Searcher(ts_db_t *handle, const ts_query_opts_t &o)
        : Searcher(handle->db, o, parsers_of(handle), handle->remote)
    {
    }

    void run(ts_results &res);

  private:
    Searcher(const Xapian::Database &d, const ts_query_opts_t &o, Parsers &p, bool r)
        : db(d), remote(r), opts(o), qp(p.qp), plain(p.plain), ctx(p.ctx), plain_ctx(p.plain_ctx),
          stem(p.stem)
    {
    }

    const Xapian::Database &db;
    bool remote; // db has a remote shard
    const ts_query_opts_t &opts;
    Xapian::QueryParser &qp, &plain;
    parse_ctx &ctx, &plain_ctx;     // what the processors report
    const Xapian::Stem &stem;
    std::string raw;                // the query as typed
    std::string text;               // the normalized query
    Xapian::Query filters;          // from the options
    bool has_filters = false;
    std::string explain;            // lines for ts_results_explain
    std::set<std::string> required; // stems of the other words an AND needs
    std::set<std::string> quoted;   // keys of the phrases typed in quotes

    bool on(int flag) const { return !(opts.flags & flag); }
    Xapian::Query parse(const std::string &q, Xapian::Query::op op, Xapian::QueryParser &p);
    Xapian::Query with_filters(const Xapian::Query &q) const;
    bool matches_any(const Xapian::Query &q) const;
    Xapian::Enquire enquire(const Xapian::Query &q) const;
    Xapian::valueno sort_slot() const;
    std::string describe(const Xapian::Query &q) const;
    void fill(ts_results &res, const Xapian::Query &q, const Xapian::Query &snip_q,
              const rescore_t &rescore = rescore_t(), const Xapian::Query *shown = NULL);
    void fill_enriched(ts_results &res, const Xapian::Query &q, const Xapian::Query &snip_q);

    // relevance (below)
    bool typed_in_capitals(const std::string &word) const;
    Xapian::Query word_query(const std::string &word, const std::string &prefix) const;
    Xapian::Query text_query(const std::string &text, const std::string &prefix) const;
    Xapian::Query heading_query(const std::string &text) const;
    Xapian::Query short_fields_query(const std::string &text) const;
    Xapian::Query boosted(const Xapian::Query &leaf, const std::string &term) const;
    Xapian::Query expansions(const std::string &key, const std::string &prefix, double weight,
                             bool upper, const Xapian::Query &base);
    Xapian::Query expanded(const std::string &key, const std::vector<_ts_expansion> &exps,
                           const std::string &prefix, double weight, const Xapian::Query &base);
    bool holds_required(const std::string &text) const;
    std::string leaf_word(const Xapian::Query &leaf, std::string *prefix, std::string *term) const;
    Xapian::Query enrich(const Xapian::Query &q);
    Xapian::Query enrich_list(const Xapian::Query &q);
    std::string nearest_word(const std::string &w) const;
    std::string spell(const std::string &q) const;
    void run_query(ts_results &res);
    void run_patient(ts_results &res);
    void run_similar(ts_results &res);
};

Xapian::Query Searcher::parse(const std::string &q, Xapian::Query::op op,
                              Xapian::QueryParser &p)
{
    if (q.find_first_not_of(" \t\r\n") == std::string::npos)
        return Xapian::Query::MatchAll;
    p.set_default_op(op);
    parse_ctx &c = &p == &qp ? ctx : plain_ctx;
    c.error.clear();
    // What is in quotes, to tell a phrase typed so (enrich, which reads
    // this parser's queries) from one the parser makes of a hyphenated
    // word ("covid-19").
    for (size_t open = &p == &qp ? q.find('"') : std::string::npos; open != std::string::npos;) {
        size_t close = q.find('"', open + 1);
        if (close == std::string::npos)
            break;
        quoted.insert(_ts_vocab_key(q.c_str() + open + 1, close - open - 1));
        open = q.find('"', close + 1);
    }
    try {
        Xapian::Query res = p.parse_query(q, PARSE_FLAGS);
        if (!c.error.empty())
            throw Xapian::QueryParserError(c.error);
        return res;
    } catch (const Xapian::QueryParserError &e) {
        syntax_error se;
        // Say where, in the query as typed (operators and ".." are kept
        // as typed by the folding).
        if (find_operator_error(raw, &se))
            throw se;
        size_t dots = raw.find("..");
        while (dots != std::string::npos && dots > 0 && raw[dots - 1] != ' ' &&
               raw[dots - 1] != '(' && raw[dots - 1] != '\t')
            dots--; // to the start of the range
        if (e.get_msg().find("range") != std::string::npos && dots != std::string::npos)
            throw syntax_error{"a..b range without a range field (use start:, updated:, "
                               "posted:, completion:, primary_completion: or enrollment:)",
                               dots};
        throw;
    }
}

Xapian::Query Searcher::with_filters(const Xapian::Query &q) const
{
    if (!has_filters)
        return q;
    return Xapian::Query(Xapian::Query::OP_FILTER, q, filters);
}

// An Enquire for q, its words in fields of stems only made runnable
// (positional): every search of the index goes through here.
Xapian::Enquire Searcher::enquire(const Xapian::Query &q) const
{
    Xapian::Enquire e = _ts_enquire(db);
    e.set_query(runnable(q, db, stem));
    return e;
}

// The value slot --sort orders by (BAD_VALUENO: relevance).
Xapian::valueno Searcher::sort_slot() const
{
    switch (opts.sort) {
    case TS_SORT_START: return TS_SLOT_START;
    case TS_SORT_UPDATED: return TS_SLOT_UPDATED;
    case TS_SORT_ENROLLMENT: return TS_SLOT_ENROLLMENT;
    default: return Xapian::BAD_VALUENO;
    }
}

// Whether q matches at least one document.
bool Searcher::matches_any(const Xapian::Query &q) const
{
    Xapian::Enquire e = enquire(q);
    e.set_weighting_scheme(Xapian::BoolWeight());
    return e.get_mset(0, 1).size() > 0;
}

void Searcher::run(ts_results &res)
{
    // Filters given as options.
    std::vector<Xapian::Query> fq;
    static const struct { _ts_src_t src; size_t off; } opt_filters[] = {
        {_TS_SRC_STATUS, offsetof(ts_query_opts_t, status)},
        {_TS_SRC_PHASE, offsetof(ts_query_opts_t, phase)},
        {_TS_SRC_TYPE, offsetof(ts_query_opts_t, type)},
        {_TS_SRC_SEX, offsetof(ts_query_opts_t, sex)},
        {_TS_SRC_COUNTRY, offsetof(ts_query_opts_t, country)},
    };
    for (const auto &of : opt_filters) {
        const char *v = *(const char *const *)((const char *)&opts + of.off);
        if (v && *v)
            fq.push_back(option_query(of.src, v));
    }
    if (opts.age != TS_AGE_NONE) {
        char a[32];
        std::snprintf(a, sizeof a, "age:%g", opts.age);
        fq.push_back(labelled(&ctx.labels, age_query(opts.age), a));
    }
    if (opts.healthy == 0 || opts.healthy == 1)
        fq.push_back(healthy_query(opts.healthy ? "yes" : "no"));
    if (!fq.empty()) {
        filters = Xapian::Query(Xapian::Query::OP_AND, fq.begin(), fq.end());
        has_filters = true;
    }

    if (opts.similar)
        run_similar(res);
    else if (opts.patient)
        run_patient(res);
    else
        run_query(res);
    res.explain = explain;
}

// A query in the query language.
void Searcher::run_query(ts_results &res)
{
    // The query text: checked for balance, folded, parsed.
    raw = opts.query ? opts.query : "";
    split_query(raw); // throws on unbalanced quotes and brackets
    if (!fold_query(raw, text))
        throw std::bad_alloc();

    // Only excluded words ("-placebo"): everything without them (the
    // parser would otherwise treat them as wanted words).
    std::vector<piece> all = split_query(text);
    bool only_hate = !all.empty();
    for (const auto &p : all)
        only_hate = only_hate && p.text.size() > 1 && p.text[0] == '-';
    if (only_hate) {
        std::string t = "NOT (";
        for (size_t k = 0; k < all.size(); k++)
            t += (k ? " OR " : "") + all[k].text.substr(1);
        text = t + ")";
    }

    syntax_error se;
    if (find_operator_error(raw, &se))
        throw se;
    Xapian::Query q = parse(text, Xapian::Query::OP_AND, qp);
    fill_enriched(res, q, parse(text, Xapian::Query::OP_AND, plain));
    if (on(TS_Q_NO_SPELLING)) {
        std::string fixed = spell(text);
        if (!fixed.empty()) {
            res.suggestion = fixed;
            res.has_suggestion = true;
        }
    }
    if (!res.hits.empty() || res.total > 0)
        return;
    if (res.has_suggestion) {
        // Nothing as typed: the corrected query, said so.
        Xapian::Query cq = parse(res.suggestion, Xapian::Query::OP_AND, qp);
        std::string first_parsed = res.parsed;
        fill_enriched(res, cq, parse(res.suggestion, Xapian::Query::OP_AND, plain));
        if (!res.hits.empty() || res.total > 0) {
            res.corrected = true;
            return;
        }
        res.clear();
        res.parsed = first_parsed;
    }
    if (opts.flags & TS_Q_NO_FALLBACK)
        return;

    // Nothing matches everything: drop the words found nowhere, then try
    // any of the words.
    std::vector<piece> pieces = split_query(text);
    bool has_ops = false;
    for (const auto &p : pieces)
        if (is_binary_op(p.text) || p.text == "NOT")
            has_ops = true;
    std::vector<std::string> keep, dropped;
    std::vector<std::string> words; // positive pieces: can be reported
    for (const auto &p : pieces) {
        const std::string &t = p.text;
        size_t colon = t.find(':');
        const _ts_field_t *f = NULL;
        if (colon != std::string::npos && t[0] != '"' && t[0] != '(')
            f = _ts_schema_find(t.substr(t[0] == '+' ? 1 : 0, colon - (t[0] == '+' ? 1 : 0)).c_str());
        bool positive = !is_binary_op(t) && t != "NOT" && t[0] != '-' &&
                        !(f && f->info.kind != TS_FIELD_TEXT);
        if (positive && !has_ops && !matches_any(parse(t, Xapian::Query::OP_AND, qp))) {
            dropped.push_back(t);
            continue;
        }
        keep.push_back(t);
        if (positive)
            words.push_back(t);
    }
    if (words.empty())
        return;
    std::string first_parsed = res.parsed;
    std::string rest;
    for (const auto &t : keep)
        rest += (rest.empty() ? "" : " ") + t;
    if (!dropped.empty()) {
        res.clear();
        fill_enriched(res, parse(rest, Xapian::Query::OP_AND, qp),
                      parse(rest, Xapian::Query::OP_AND, plain));
    }
    if (res.hits.empty() && res.total == 0 && words.size() > 1) {
        res.clear();
        fill_enriched(res, parse(rest, Xapian::Query::OP_OR, qp),
                      parse(rest, Xapian::Query::OP_OR, plain));
        if (!res.hits.empty()) {
            // The words the best hit lacks.
            Xapian::Query qid("Q" + res.ids[0]);
            for (const auto &w : words) {
                Xapian::Query wq = parse(w, Xapian::Query::OP_AND, qp);
                if (!matches_any(Xapian::Query(Xapian::Query::OP_FILTER, wq, qid)))
                    dropped.push_back(w);
            }
        }
    }
    if (res.hits.empty() && res.total == 0) {
        res.parsed = first_parsed; // nothing found either way
        return;
    }
    if (!dropped.empty()) {
        res.has_dropped = true;
        res.dropped.clear();
        for (const auto &w : dropped)
            append(res.dropped, w.c_str(), " ");
    }
}

// Run q with its expansions and field weights, shown as typed.
void Searcher::fill_enriched(ts_results &res, const Xapian::Query &q, const Xapian::Query &snip_q)
{
    Xapian::Query shown = with_filters(q);
    fill(res, with_filters(enrich(q)), snip_q, rescore_t(), &shown);
}

// The query q as a user would read it: tidied, with the labels of
// filters and ranges as typed.
std::string Searcher::describe(const Xapian::Query &q) const
{
    std::string d = tidy_description(q.get_description());
    for (const auto &l : ctx.labels) {
        if (l.first.empty())
            continue;
        for (size_t k = d.find(l.first); k != std::string::npos;
             k = d.find(l.first, k + l.second.size()))
            d.replace(k, l.first.size(), l.second);
    }
    return d;
}

// Run q and fill res with its hits, snippets from snip_q, and facets.
// With rescore, the first RERANK_DEPTH matches (at least offset + limit)
// are scored again and reordered before the page is cut.
void Searcher::fill(ts_results &res, const Xapian::Query &q, const Xapian::Query &snip_q,
                    const rescore_t &rescore, const Xapian::Query *shown)
{
    Xapian::Enquire enq = enquire(q);
    Xapian::MultiValueKeyMaker keys;
    Xapian::valueno slot = sort_slot();
    // Newest / largest first; --reverse: oldest / smallest first.  Records
    // without the value come last either way, but for --reverse over a
    // remote shard, where the order is the value's own (Xapian's remote
    // backend takes no KeyMaker) and an empty value is the smallest.
    auto order = [&](Xapian::Enquire &e) {
        if (slot == Xapian::BAD_VALUENO)
            return;
        if (remote)
            e.set_sort_by_value_then_relevance(slot, !opts.reverse);
        else
            e.set_sort_by_key_then_relevance(&keys, false);
    };
    if (slot != Xapian::BAD_VALUENO && !remote)
        keys.add_value(slot, !opts.reverse, opts.reverse ? std::string("\xff") : std::string());
    order(enq);

    std::vector<std::unique_ptr<FacetSpy>> spies;
    if (opts.facets && *opts.facets) {
        for (const auto &name : split_commas(opts.facets)) {
            const facet_def *fd = NULL;
            for (const auto &f : FACETS)
                if (squash(name) == f.name)
                    fd = &f;
            if (!fd)
                throw std::invalid_argument("unknown facet '" + name +
                                            "' (use status, phase, condition, country, sponsor, type)");
            spies.emplace_back(new FacetSpy(fd->slot));
            enq.add_matchspy(&spies.back()->spy);
        }
    }
    Xapian::doccount all = db.get_doccount();
    // Facets count over all matches; limit 0 asks for an exact count.
    size_t limit = opts.limit;
    Xapian::doccount check = spies.empty() && limit > 0 ? 0 : all;
    Xapian::MSet mset;
    bool backwards = opts.reverse && slot == Xapian::BAD_VALUENO;
    if (rescore) {
        size_t depth = std::max(RERANK_DEPTH, opts.offset + limit);
        mset = enq.get_mset(0, (Xapian::doccount)depth, check);
    } else if (backwards) {
        // Lowest score first: rank everything, read from the end.
        mset = enq.get_mset(0, all, check);
    } else {
        mset = enq.get_mset((Xapian::doccount)opts.offset, (Xapian::doccount)limit, check);
    }
    res.total = mset.get_matches_estimated();
    res.total_exact = mset.get_matches_lower_bound() == mset.get_matches_upper_bound();
    res.parsed = describe(shown ? *shown : q);

    // Details: snippets (weighed by snip_q's statistics) and matched fields.
    bool details = !(opts.flags & TS_Q_NO_DETAILS);
    Xapian::MSet snip_set;
    std::unique_ptr<field_terms> fterms;
    if (details) {
        Xapian::Enquire snip_enq = _ts_enquire(db);
        snip_enq.set_query(snip_q);
        snip_set = snip_enq.get_mset(0, 0);
        fterms.reset(new field_terms(q, stem));
    }
    size_t len = opts.snippet_chars ? opts.snippet_chars : 200;

    std::vector<Xapian::MSetIterator> its;
    std::vector<double> scores;
    if (rescore) {
        // Rescored in docid order (rescore_t), kept in rank order, so
        // that equal new scores keep their ranks.
        std::vector<std::pair<double, Xapian::MSetIterator>> all_hits;
        std::vector<std::pair<Xapian::docid, size_t>> by_id; // docid, index in all_hits
        for (auto it = mset.begin(); it != mset.end(); ++it) {
            by_id.emplace_back(*it, all_hits.size());
            all_hits.emplace_back(0, it);
        }
        std::sort(by_id.begin(), by_id.end());
        // Those of them that match rescore.filter are those among as
        // many first matches of q filtered by it, in the same order (a
        // filter moves no match down): one more search, where reading
        // each match's values was a round trip per match to a remote
        // shard.
        std::vector<Xapian::docid> in;
        if (!rescore.filter.empty()) {
            Xapian::Enquire fe = enquire(Xapian::Query(Xapian::Query::OP_FILTER, q, rescore.filter));
            order(fe);
            Xapian::MSet fm = fe.get_mset(0, mset.size());
            for (auto it = fm.begin(); it != fm.end(); ++it)
                in.push_back(*it);
            std::sort(in.begin(), in.end());
        }
        for (const auto &d : by_id)
            all_hits[d.second].first =
                rescore.score(d.first, all_hits[d.second].second.get_weight(),
                              rescore.filter.empty() || std::binary_search(in.begin(), in.end(), d.first));
        std::stable_sort(all_hits.begin(), all_hits.end(),
                         [](const std::pair<double, Xapian::MSetIterator> &a,
                            const std::pair<double, Xapian::MSetIterator> &b) {
                             return a.first > b.first;
                         });
        for (size_t k = opts.offset; k < all_hits.size() && its.size() < limit; k++) {
            its.push_back(all_hits[k].second);
            scores.push_back(all_hits[k].first);
        }
    } else if (backwards) {
        size_t n = mset.size();
        for (size_t k = opts.offset; k < n && its.size() < limit; k++)
            its.push_back(mset[(Xapian::doccount)(n - 1 - k)]);
    } else {
        for (auto it = mset.begin(); it != mset.end(); ++it)
            its.push_back(it);
    }
    size_t rank = opts.offset;
    for (const auto &it : its) {
        Xapian::Document doc = it.get_document();
        res.ids.push_back(doc.get_value(TS_SLOT_ID));
        ts_hit_t h;
        h.rank = ++rank;
        h.score = scores.empty() ? it.get_weight() : scores[res.hits.size()];
        // Without details the record is read only if asked for: an id
        // costs a value, a record the decompression and parse of its JSON.
        h.record = details ? doc_record(doc, res.ids.back()) : NULL;
        h.snippet = NULL;
        h.snippet_field = NULL;
        res.hits.push_back(h);
        res.docs.push_back(details ? Xapian::Document() : doc);
        std::string fields, best, best_field;
        if (details) {
            fields = fterms->matched(doc);
            best_snippet(snip_set, stem, h.record, fields, len, &best, &best_field);
        }
        res.snippets.push_back(best);
        res.snippet_fields.push_back(best_field);
        res.fields.push_back(fields);
    }
    for (size_t k = 0; k < res.hits.size(); k++) {
        res.hits[k].snippet = res.snippets[k].c_str();
        res.hits[k].snippet_field = res.snippet_fields[k].empty() ? NULL : res.snippet_fields[k].c_str();
    }

    for (const auto &spy : spies) {
        ts_facet f;
        for (const auto &fd : FACETS)
            if (fd.slot == spy->slot)
                f.name = fd.name;
        std::map<std::string, uint64_t> counts = facet_counts(*spy);
        f.values.assign(counts.begin(), counts.end());
        std::stable_sort(f.values.begin(), f.values.end(),
                         [](const std::pair<std::string, uint64_t> &a,
                            const std::pair<std::string, uint64_t> &b) {
                             return a.second > b.second;
                         });
        res.facets.push_back(std::move(f));
    }
}

// ---- relevance: field weights, expansions, spelling ----------------------

// Weight of an expansion against the word typed (a curated synonym with
// weight 1 counts half as much as the word itself).
const double EXPAND_WEIGHT = 0.5;

// Whether word appears in the query as typed in capitals ("ALS").
bool Searcher::typed_in_capitals(const std::string &word) const
{
    std::string up;
    for (char c : word)
        up += (char)std::toupper((unsigned char)c);
    if (up == word && !std::isalpha((unsigned char)word[0]))
        return false;
    const std::string &src = opts.patient ? std::string(opts.patient) : raw;
    for (size_t k = src.find(up); k != std::string::npos; k = src.find(up, k + 1)) {
        bool left = k == 0 || !std::isalnum((unsigned char)src[k - 1]);
        size_t e = k + up.size();
        bool right = e >= src.size() || !std::isalnum((unsigned char)src[e]) ||
                     (src[e] == 's' && (e + 1 >= src.size() ||
                                        !std::isalnum((unsigned char)src[e + 1])));
        if (left && right)
            return true;
    }
    return false;
}

// One word under prefix: its stem where the index has stems, else the
// word itself.  Short words (abbreviations: "als" would stem to "al", as
// in "et al.") are taken exactly; in a field of stems only, as
// exact_in_stems.
Xapian::Query Searcher::word_query(const std::string &word, const std::string &prefix) const
{
    bool stems = stems_only(prefix);
    if (word.size() <= 4)
        return stems ? exact_in_stems(prefix, word, stem) : Xapian::Query(prefix + word);
    std::string z = field_stem(prefix, word, stem);
    if (stems || db.term_exists(z))
        return Xapian::Query(z);
    return Xapian::Query(prefix + word);
}

// A word or phrase (_ts_vocab_key form) under prefix: a word as above,
// several words as a phrase.
Xapian::Query Searcher::text_query(const std::string &text, const std::string &prefix) const
{
    std::vector<std::string> words = words_of(text);
    if (words.size() == 1)
        return word_query(words[0], prefix);
    return phrase_query(Xapian::Query::OP_PHRASE, words, prefix, (Xapian::termcount)words.size(),
                        stem);
}

// A MeSH heading added by expansion ("lung diseases", _ts_vocab_key
// form): the records that have it, or a heading under it, as the one term
// the indexer gives each heading (TS_PREFIX_HEADING), its weight scaled by
// the heading's number of words.  Its words used to be searched ANDed in
// the MeSH field: a posting list per word, and words such as "diseases"
// are in nearly every record; that was a third of the CPU of the
// benchmark's short queries at 407,900 records.  A heading is rarer than
// its words, so the scaled weight is 1.2 to 1.8 times the sum of theirs;
// chosen by make eval: nDCG@10 0.8203 on the TREC topics, 0.8167 with the
// heading weighted once.
Xapian::Query Searcher::heading_query(const std::string &text) const
{
    Xapian::Query q(TS_PREFIX_HEADING + text);
    size_t n = words_of(text).size();
    return n > 1 ? Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q, (double)n) : q;
}

// The short free-text fields of the default search (titles, conditions,
// interventions, keywords, MeSH: weight TS_WEIGHT_SHORT and above), where
// a trial says what it is about.  Read from the schema once.
const std::vector<const _ts_field_t *> &short_fields()
{
    static const std::vector<const _ts_field_t *> fields = [] {
        std::vector<const _ts_field_t *> out;
        for (size_t i = 0; i < _ts_schema_len; i++) {
            const _ts_field_t &f = _ts_schema[i];
            if (f.info.kind == TS_FIELD_TEXT && f.src != _TS_SRC_NONE &&
                f.weight >= TS_WEIGHT_SHORT)
                out.push_back(&f);
        }
        return out;
    }();
    return fields;
}

// An expansion of a default-search word: a single word in the default
// search; several words as all of them in one of the short fields, the
// fields weighted as one term (OP_SYNONYM).  An OR of the fields, each
// weighted alone, lets the matcher skip fewer records than the one
// synonym.  Positions are not checked: a title or a condition that holds
// "radiation" and "therapy" nearly always says "radiation therapy", while
// a phrase reads a position list per field and word for every candidate
// record.  Without that check the TREC topics score as well (nDCG@10
// 0.8233 against 0.8217) and the slowest short queries of the benchmark
// at 407,900 records take about a third less time.
Xapian::Query Searcher::short_fields_query(const std::string &text) const
{
    std::vector<std::string> words = words_of(text);
    if (words.size() == 1)
        return word_query(words[0], "");
    std::vector<Xapian::Query> parts;
    for (const _ts_field_t *f : short_fields()) {
        std::vector<Xapian::Query> all;
        for (const std::string &w : words)
            all.emplace_back(first_prefix(f) + w);
        parts.emplace_back(Xapian::Query::OP_AND, all.begin(), all.end());
    }
    return Xapian::Query(Xapian::Query::OP_SYNONYM, parts.begin(), parts.end());
}

// A default-search term with the field weights of the schema: the term
// ORed with its copy in titles and conditions (TS_PREFIX_WEIGHTED), so a
// word there counts about twice.  Those fields are also in the default
// search, so this adds weight without adding matches: one more posting
// list per word.  An OR with each weighted field's own term (five of
// them) was 60% of the CPU of the short queries at 407,900 records.
Xapian::Query Searcher::boosted(const Xapian::Query &leaf, const std::string &term) const
{
    if (!on(TS_Q_NO_FIELDS))
        return leaf;
    term_parts t = split_term(term);
    return Xapian::Query(Xapian::Query::OP_OR, leaf,
                         Xapian::Query((t.z ? "Z" : "") + std::string(TS_PREFIX_WEIGHTED) + t.word));
}

// base ORed with the expansions of key (a word or phrase searched under
// prefix), each scaled by weight times its own weight; noted in explain.
Xapian::Query Searcher::expansions(const std::string &key, const std::string &prefix,
                                   double weight, bool upper, const Xapian::Query &base)
{
    if (!on(TS_Q_NO_EXPAND) || key.empty())
        return base;
    return expanded(key, _ts_expansions(db, key, upper), prefix, weight, base);
}

// base ORed with exps, the expansions of key (see expansions).
Xapian::Query Searcher::expanded(const std::string &key, const std::vector<_ts_expansion> &exps,
                                 const std::string &prefix, double weight,
                                 const Xapian::Query &base)
{
    // Expansions that search the same thing are one query with their
    // weights added, which scores as the two would and opens half the
    // posting lists: in the default search, the same words in any order
    // ("type 2 diabetes mellitus", "diabetes mellitus type 2").
    std::vector<std::pair<Xapian::Query, double>> found;
    std::map<std::string, size_t> same; // what is searched -> index in found
    for (const auto &e : exps) {
        if (holds_required(e.text))
            continue;
        double w = weight * e.weight;
        bool mesh = e.field == _TS_EXP_MESH, any_order = !mesh && prefix.empty();
        std::vector<std::string> ws = words_of(e.text);
        if (any_order)
            std::sort(ws.begin(), ws.end());
        std::string searched = mesh ? "mesh:" : "";
        for (const std::string &x : ws)
            searched += x + ' ';
        auto at = same.emplace(searched, found.size());
        if (!at.second)
            found[at.first->second].second += w;
        else
            found.emplace_back(mesh        ? heading_query(e.text)
                               : any_order ? short_fields_query(e.text)
                                           : text_query(e.text, prefix),
                               w);
        char line[64];
        std::snprintf(line, sizeof line, " (%s, weight %.2f)\n", e.kind, w);
        std::string l = key + " -> " + (e.field == _TS_EXP_MESH ? "mesh:" : "") + e.text + line;
        if (explain.find(l) == std::string::npos)
            explain += l;
    }
    if (found.empty())
        return base;
    std::vector<Xapian::Query> parts{base};
    for (const auto &f : found)
        parts.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, f.first, f.second);
    return Xapian::Query(Xapian::Query::OP_OR, parts.begin(), parts.end());
}

// Whether text (an expansion) holds a word that the query requires
// elsewhere.  Such an expansion matches whatever that word matches: with
// "pregnancy" expanded to the MeSH heading "hiv infections" (mined from
// trials that name both conditions), "hiv pregnancy" would match every
// HIV trial.
bool Searcher::holds_required(const std::string &text) const
{
    for (const std::string &w : words_of(text))
        if (required.count(stem(w)))
            return true;
    return false;
}

// The word a leaf term of a parsed query stands for ("" when it is not a
// free-text word), with its field prefix and the term itself.
std::string Searcher::leaf_word(const Xapian::Query &leaf, std::string *prefix,
                                std::string *term) const
{
    if (leaf.get_type() != Xapian::Query::LEAF_TERM)
        return "";
    Xapian::TermIterator t = leaf.get_terms_begin();
    if (t == leaf.get_terms_end())
        return "";
    *term = *t;
    term_parts p = split_term(*term);
    *prefix = p.prefix;
    if (!p.prefix.empty() && !field_of_prefix(p.prefix))
        return "";
    if (!p.z)
        return p.word;
    Xapian::TermIterator u = qp.unstem_begin(*term);
    return u != qp.unstem_end(*term) ? *u : p.word;
}

// q with field weights and expansions: each free-text word gets its
// fields' weights and what it may also be written as; within AND and OR,
// a run of words that is a known phrase ("amyotrophic lateral sclerosis")
// gets that phrase's expansions too.  Excluded words, filters and ranges
// are left as they are.
Xapian::Query Searcher::enrich(const Xapian::Query &q)
{
    std::string prefix, term;
    switch (q.get_type()) {
    case Xapian::Query::LEAF_TERM: {
        std::string w = leaf_word(q, &prefix, &term);
        if (w.empty())
            return q;
        Xapian::Query b = prefix.empty() ? boosted(q, term) : q;
        return expansions(_ts_vocab_key(w.c_str(), w.size()), prefix, EXPAND_WEIGHT,
                          typed_in_capitals(w), b);
    }
    case Xapian::Query::OP_PHRASE: {
        std::string key;
        for (size_t i = 0; i < q.get_num_subqueries(); i++) {
            std::string w = leaf_word(q.get_subquery(i), &prefix, &term);
            if (w.empty())
                return q;
            key += (i ? " " : "") + w;
        }
        key = _ts_vocab_key(key.c_str(), key.size());
        // A phrase in quotes is searched as typed, like PubMed's quoted
        // phrases: the words, in that order.  (Unquoted, the same words
        // get the phrase's expansions: enrich_list; so does a word the
        // parser makes a phrase of, "covid-19".)  Left alone, it is also
        // the cheapest phrase to search: Xapian checks positions only
        // for the records that would rank, where under an OR with its
        // expansions it checked every record holding all its words
        // ("quality of life": 35 -> 8.4 M instructions at 40,790
        // records).
        if (quoted.count(key))
            return q;
        return expansions(key, prefix, EXPAND_WEIGHT, false, q);
    }
    case Xapian::Query::OP_AND:
    case Xapian::Query::OP_OR:
        return enrich_list(q);
    case Xapian::Query::OP_AND_NOT:
    case Xapian::Query::OP_AND_MAYBE:
    case Xapian::Query::OP_FILTER: {
        std::vector<Xapian::Query> sub;
        for (size_t i = 0; i < q.get_num_subqueries(); i++)
            sub.push_back(i == 0 || q.get_type() == Xapian::Query::OP_AND_MAYBE
                              ? enrich(q.get_subquery(i))
                              : q.get_subquery(i));
        return Xapian::Query(q.get_type(), sub.begin(), sub.end());
    }
    default:
        return q;
    }
}

// An AND or OR: its subqueries enriched, runs of words that form a phrase
// with expansions grouped with them.
Xapian::Query Searcher::enrich_list(const Xapian::Query &q)
{
    const size_t MAX_RUN = 6;
    size_t n = q.get_num_subqueries();
    std::vector<std::string> words(n), prefixes(n);
    std::vector<std::vector<std::string>> stems(n); // of each word's key, a phrase's words
    for (size_t i = 0; i < n; i++) {
        std::string term, prefix;
        Xapian::Query sq = q.get_subquery(i);
        words[i] = leaf_word(sq, &prefixes[i], &term);
        std::string text = words[i];
        if (sq.get_type() == Xapian::Query::OP_PHRASE || sq.get_type() == Xapian::Query::OP_NEAR)
            for (size_t k = 0; k < sq.get_num_subqueries(); k++)
                text += " " + leaf_word(sq.get_subquery(k), &prefix, &term);
        for (const std::string &w : words_of(_ts_vocab_key(text.c_str(), text.size())))
            stems[i].push_back(stem(w));
    }
    // In an AND, the words outside the part being expanded are required,
    // a phrase's words too (with those an enclosing AND requires).
    const std::set<std::string> outer = required;
    auto require_others = [&](size_t first, size_t last) {
        required = outer;
        if (q.get_type() != Xapian::Query::OP_AND)
            return;
        for (size_t j = 0; j < n; j++)
            if (j < first || j > last)
                required.insert(stems[j].begin(), stems[j].end());
    };
    std::vector<Xapian::Query> sub;
    for (size_t i = 0; i < n;) {
        size_t best = 0;
        std::string best_key;
        std::vector<_ts_expansion> best_exps;
        if (on(TS_Q_NO_EXPAND) && !words[i].empty()) {
            std::string key = words[i];
            for (size_t j = i + 1; j < n && j - i < MAX_RUN; j++) {
                if (words[j].empty() || prefixes[j] != prefixes[i])
                    break;
                key += " " + words[j];
                std::string k = _ts_vocab_key(key.c_str(), key.size());
                std::vector<_ts_expansion> exps = _ts_expansions(db, k, false);
                if (!exps.empty()) {
                    best = j;
                    best_key = k;
                    best_exps = exps;
                }
            }
        }
        if (!best) {
            require_others(i, i);
            sub.push_back(enrich(q.get_subquery(i)));
            i++;
            continue;
        }
        require_others(i, best);
        std::vector<Xapian::Query> run;
        for (size_t k = i; k <= best; k++)
            run.push_back(enrich(q.get_subquery(k)));
        Xapian::Query rq(q.get_type(), run.begin(), run.end());
        sub.push_back(expanded(best_key, best_exps, prefixes[i], EXPAND_WEIGHT, rq));
        i = best + 1;
    }
    required = outer;
    return Xapian::Query(q.get_type(), sub.begin(), sub.end());
}

// Edit distance between a and b (adjacent transpositions count one),
// or max + 1 when it is over max.
size_t edit_distance(const std::string &a, const std::string &b, size_t max)
{
    size_t la = a.size(), lb = b.size();
    if ((la > lb ? la - lb : lb - la) > max)
        return max + 1;
    std::vector<std::vector<size_t>> d(la + 1, std::vector<size_t>(lb + 1));
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t row_min = max + 1;
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t v = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                v = std::min(v, d[i - 2][j - 2] + 1);
            d[i][j] = v;
            row_min = std::min(row_min, v);
        }
        if (row_min > max)
            return max + 1;
    }
    return d[la][lb];
}

// The index word nearest to w (same first letter; one edit for words of
// up to 5 letters, two beyond; in at least two records), or "".
std::string Searcher::nearest_word(const std::string &w) const
{
    if (w.size() < 3)
        return "";
    size_t max = w.size() <= 5 ? 1 : 2;
    std::string best;
    size_t best_d = max + 1;
    Xapian::doccount best_f = 0;
    std::string first = w.substr(0, 1);
    for (auto t = db.allterms_begin(first); t != db.allterms_end(first); ++t) {
        const std::string &c = *t;
        Xapian::doccount f = t.get_termfreq();
        if (f < 2)
            continue;
        size_t d = edit_distance(w, c, max);
        if (d < best_d || (d == best_d && d <= max && f > best_f)) {
            best = c;
            best_d = d;
            best_f = f;
        }
    }
    return best_d <= max ? best : "";
}

// The query q with its plain words that are in no record replaced by the
// nearest words of the index, or "" when there is nothing to correct.
std::string Searcher::spell(const std::string &q) const
{
    std::string out;
    bool changed = false;
    size_t i = 0;
    while (i < q.size()) {
        size_t j = i;
        while (j < q.size() && (std::isalpha((unsigned char)q[j]) || ((unsigned char)q[j] & 0x80)))
            j++;
        if (j == i) {
            out += q[i++];
            continue;
        }
        std::string w = q.substr(i, j - i);
        bool word = (i == 0 || std::strchr(" (", q[i - 1])) &&
                    (j == q.size() || std::strchr(" )", q[j]));
        bool upper_op = is_binary_op(w) || w == "NOT";
        if (word && !upper_op && !db.term_exists(w) && !db.term_exists("Z" + stem(w))) {
            std::string fix = nearest_word(w);
            if (!fix.empty()) {
                w = fix;
                changed = true;
            }
        }
        out += w;
        i = j;
    }
    return changed ? out : "";
}

// ---- patients to trials --------------------------------------------------

// Where a patient's terms are looked for, and how much a match counts.
struct patient_field {
    const char *prefix;
    double weight;
};
const patient_field PATIENT_FIELDS[] = {
    {"", 1.0},      // all of the default search
    {"XC", 1.0},    // conditions
    {"S", 0.5},     // titles
    {"XIN", 0.5},   // inclusion criteria
};
// Salience from the text counts this much; the rest is a floor every
// kept term gets.
const double SALIENCE_SHARE = 0.7;
// Feedback: terms taken from the top documents, and their weight.
const Xapian::doccount FEEDBACK_DOCS = 10;
const Xapian::termcount FEEDBACK_TERMS = 20;
const double FEEDBACK_WEIGHT = 0.3;
// Eligibility: a trial whose age limits or sex exclude the patient keeps
// this share of its score.
const double INELIGIBLE_FACTOR = 0.3;
// Exclusion: each salient patient word in a trial's exclusion criteria
// (weighted by its salience) divides the score by 1 + EXCLUSION_PENALTY.
const double EXCLUSION_PENALTY = 0.5;
const double EXCLUSION_SALIENCE = 0.8;

// Free-text words of the default search only (for feedback): unprefixed
// stems of letters, at least three long.
struct PlainWords : Xapian::ExpandDecider {
    bool operator()(const std::string &t) const override
    {
        if (t.size() < 4 || t[0] != 'Z' || !std::islower((unsigned char)t[1]))
            return false;
        for (size_t i = 1; i < t.size(); i++)
            if (std::isdigit((unsigned char)t[i]))
                return false;
        return true;
    }
};

// The terms of es ORed, each scaled by scale times its weight over the
// best one's (an empty query when es is empty); *labels gets them as
// "stem, stem, ...".
Xapian::Query eset_query(const Xapian::ESet &es, double scale, std::string *labels)
{
    double max = 0;
    for (auto e = es.begin(); e != es.end(); ++e)
        max = std::max(max, e.get_weight());
    std::vector<Xapian::Query> parts;
    for (auto e = es.begin(); e != es.end(); ++e) {
        parts.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query(*e),
                           scale * e.get_weight() / max);
        append(*labels, (*e).substr(1).c_str(), ", ");
    }
    return parts.empty() ? Xapian::Query()
                         : Xapian::Query(Xapian::Query::OP_OR, parts.begin(), parts.end());
}

// Membership of trials in one posting list, asked in increasing docid
// order: each question reads the list forward from the last.
class ListProbe {
    Xapian::PostingIterator p, end;

  public:
    ListProbe(const Xapian::Database &db, const std::string &term)
        : p(db.postlist_begin(term)), end(db.postlist_end(term)) {}
    bool has(Xapian::docid did)
    {
        if (p != end && *p < did)
            p.skip_to(did);
        return p != end && *p == did;
    }
};

// A value slot of trials, asked in increasing docid order ("" when a
// trial has none).
class SlotProbe {
    Xapian::ValueIterator v, end;

  public:
    SlotProbe(const Xapian::Database &db, Xapian::valueno slot)
        : v(db.valuestream_begin(slot)), end(db.valuestream_end(slot)) {}
    std::string at(Xapian::docid did)
    {
        if (v != end && v.get_docid() < did)
            v.skip_to(did);
        return v != end && v.get_docid() == did ? *v : std::string();
    }
};

// The filter term of the trials for the sex other than sex ('M' or 'F')
// only: the sex filter holds one value a trial (all, female or male).
std::string other_sex_term(int sex)
{
    return _ts_filter_term("XSX", sex == 'M' ? "female" : "male");
}

// What the rescoring of a patient's matches reads of each trial, from
// posting lists and value streams asked in docid order (fill calls the
// rescoring so): whether the trial's age limits and sex admit the patient
// (age < 0 or sex 0: unknown, admitted), and the summed salience of the
// patient's main diagnoses (salient: stem -> salience; those of
// EXCLUSION_SALIENCE or more) that its exclusion criteria name and its
// title, conditions and inclusion criteria do not.  Reading each trial's
// term list instead, which is stored compressed, took three quarters of
// the CPU of --patient.
class PatientProbes {
    double age;
    std::unique_ptr<SlotProbe> lo, hi;    // when the age is known
    std::unique_ptr<ListProbe> other_sex; // when the sex is: the other's filter term
    struct diagnosis {
        double salience;
        ListProbe excluded;
        std::vector<ListProbe> wanted; // titles, conditions, inclusion criteria
    };
    std::vector<diagnosis> diagnoses; // in the order of their stems

  public:
    // eligibility: probe age and sex; salient (empty: no exclusion).
    PatientProbes(const Xapian::Database &db, bool eligibility, double a, int sex,
                  const std::map<std::string, double> &salient)
        : age(eligibility ? a : -1)
    {
        if (age >= 0) {
            lo.reset(new SlotProbe(db, TS_SLOT_MIN_AGE));
            hi.reset(new SlotProbe(db, TS_SLOT_MAX_AGE));
        }
        if (eligibility && sex)
            other_sex.reset(new ListProbe(db, other_sex_term(sex)));
        for (const auto &s : salient) {
            if (s.second < EXCLUSION_SALIENCE)
                continue;
            diagnosis d{s.second, ListProbe(db, "ZXEX" + s.first), {}};
            for (const char *p : {"ZS", "ZXC", "ZXIN"})
                d.wanted.emplace_back(db, p + s.first);
            diagnoses.push_back(std::move(d));
        }
    }

    bool admitted(Xapian::docid did)
    {
        if (age >= 0) {
            std::string l = lo->at(did), h = hi->at(did);
            if ((!l.empty() && Xapian::sortable_unserialise(l) > age) ||
                (!h.empty() && Xapian::sortable_unserialise(h) < age))
                return false;
        }
        return !(other_sex && other_sex->has(did));
    }

    double exclusion_hits(Xapian::docid did)
    {
        double hits = 0;
        for (diagnosis &d : diagnoses) {
            // A probe skipped for some trials still moves forward to the
            // next one it is asked about: the wanted lists are read only
            // for trials whose exclusion criteria name the diagnosis.
            if (!d.excluded.has(did))
                continue;
            bool wanted = false;
            for (ListProbe &w : d.wanted)
                if ((wanted = w.has(did)))
                    break;
            if (!wanted)
                hits += d.salience;
        }
        return hits;
    }
};

// The trials whose age limits and sex admit a patient (age < 0, sex 0:
// unknown), as PatientProbes::admitted tells them: a trial for the other
// sex only is one with the other's filter term.  (A value range matches no
// trial without the value, where admitted lets it in: the indexer gives
// every trial both age limits, 0 and 1000 years when unknown.)
Xapian::Query admits_query(double age, int sex)
{
    Xapian::Query q = age >= 0 ? age_range(age) : Xapian::Query::MatchAll;
    if (sex)
        q = Xapian::Query(Xapian::Query::OP_AND_NOT, q, Xapian::Query(other_sex_term(sex)));
    return q;
}

void Searcher::run_patient(ts_results &res)
{
    if ((opts.flags & TS_Q_PLAIN) == TS_Q_PLAIN) {
        // Plain BM25: every word of the description, any of them.
        Xapian::QueryParser op;
        op.set_database(db);
        op.set_stemmer(stem);
        op.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
        op.set_default_op(Xapian::Query::OP_OR);
        char *folded = _ts_normalize(opts.patient, std::strlen(opts.patient));
        if (!folded)
            throw std::bad_alloc();
        std::string note(folded);
        std::free(folded);
        Xapian::Query q = op.parse_query(note, 0);
        fill(res, with_filters(q), q);
        res.parsed = "patient (plain): " + std::to_string(q.get_length()) + " words";
        return;
    }
    _ts_patient_t p;
    if (_ts_patient_parse(opts.patient, &p) != TS_OK)
        throw std::bad_alloc();
    std::unique_ptr<_ts_patient_t, void (*)(_ts_patient_t *)> guard(&p, _ts_patient_free);
    bool eligibility = on(TS_Q_NO_ELIGIBILITY);

    char line[160];
    std::snprintf(line, sizeof line, "patient: age %s, sex %s\n",
                  p.age >= 0 ? std::to_string((int)(p.age + 0.5)).c_str() : "unknown",
                  p.sex == 'M' ? "male" : p.sex == 'F' ? "female" : "unknown");
    explain += line;

    std::vector<Xapian::Query> parts, snip;
    std::map<std::string, double> salient; // stem -> salience, for exclusion_hits
    std::string terms_line;
    for (size_t i = 0; i < p.n_terms; i++) {
        const _ts_pterm_t &t = p.terms[i];
        if (t.negated || t.other || (t.expansion && !on(TS_Q_NO_EXPAND)))
            continue;
        std::string key = _ts_vocab_key(t.text, std::strlen(t.text));
        std::vector<std::string> ws = words_of(key);
        if (ws.empty())
            continue;
        double w = (opts.flags & TS_Q_PLAIN) == TS_Q_PLAIN
                       ? 1.0
                       : (1 - SALIENCE_SHARE) + SALIENCE_SHARE * t.weight;
        std::snprintf(line, sizeof line, "%s%s %.2f", terms_line.empty() ? "" : ", ",
                      key.c_str(), w);
        terms_line += line;

        std::vector<Xapian::Query> fq;
        for (const auto &f : PATIENT_FIELDS) {
            if (*f.prefix && !on(TS_Q_NO_FIELDS))
                continue;
            Xapian::Query tq = text_query(key, f.prefix);
            fq.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, tq, f.weight);
        }
        Xapian::Query q(Xapian::Query::OP_OR, fq.begin(), fq.end());
        if (ws.size() > 1) {
            // The words of a phrase count alone too, less.
            std::vector<Xapian::Query> wq;
            for (const auto &x : ws)
                wq.push_back(word_query(x, ""));
            q = Xapian::Query(Xapian::Query::OP_OR, q,
                              Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT,
                                            Xapian::Query(Xapian::Query::OP_OR, wq.begin(),
                                                          wq.end()),
                                            0.5));
        }
        for (const auto &x : ws) {
            snip.push_back(word_query(x, ""));
            double &s = salient[stem(x)];
            s = std::max(s, t.weight);
        }
        bool upper = t.acronym || (ws.size() == 1 && typed_in_capitals(ws[0]));
        parts.emplace_back(Xapian::Query::OP_SCALE_WEIGHT,
                           expansions(key, "", EXPAND_WEIGHT, upper, q), w);
    }
    if (!terms_line.empty())
        explain += "terms: " + terms_line + "\n";
    Xapian::Query q = parts.empty() ? Xapian::Query() :
        Xapian::Query(Xapian::Query::OP_OR, parts.begin(), parts.end());

    // --strict-eligibility: what the patient's age and sex admit.
    Xapian::Query admits;
    if (eligibility && (opts.flags & TS_Q_STRICT_ELIGIBILITY)) {
        std::vector<Xapian::Query> f;
        if (p.age >= 0)
            f.push_back(age_query(p.age));
        if (p.sex)
            f.push_back(sex_query(p.sex == 'M' ? "male" : "female"));
        if (!f.empty()) {
            admits = Xapian::Query(Xapian::Query::OP_AND, f.begin(), f.end());
            q = Xapian::Query(Xapian::Query::OP_FILTER, q, admits);
        }
    }

    if (on(TS_Q_NO_FEEDBACK) && !parts.empty()) {
        // Pseudo-relevance feedback: the words that mark the top trials.
        Xapian::Enquire enq = enquire(with_filters(q));
        Xapian::MSet top = enq.get_mset(0, FEEDBACK_DOCS);
        Xapian::RSet rs;
        for (auto it = top.begin(); it != top.end(); ++it)
            rs.add_document(*it);
        if (!rs.empty()) {
            PlainWords decider;
            std::string fl;
            Xapian::Query fb = eset_query(enq.get_eset(FEEDBACK_TERMS, rs, &decider),
                                          FEEDBACK_WEIGHT, &fl);
            if (!fb.empty()) {
                q = Xapian::Query(Xapian::Query::OP_OR, q, fb);
                if (!admits.empty())
                    q = Xapian::Query(Xapian::Query::OP_FILTER, q, admits);
                explain += "feedback: " + fl + "\n";
            }
        }
    }

    bool demote = eligibility && !(opts.flags & TS_Q_STRICT_ELIGIBILITY) && (p.age >= 0 || p.sex);
    bool exclusion = on(TS_Q_NO_EXCLUSION) && !salient.empty();
    double age = p.age;
    int sex = p.sex;
    rescore_t rescore;
    if (demote || exclusion) {
        // Over a remote shard, reading a trial's age limits is a round
        // trip: who is admitted is asked of the shards as a filter.
        bool by_filter = demote && remote;
        auto probes = std::make_shared<PatientProbes>(
            db, demote && !by_filter, age, sex, exclusion ? salient : std::map<std::string, double>());
        if (by_filter)
            rescore.filter = admits_query(age, sex);
        rescore.score = [=](Xapian::docid did, double score, bool in_filter) {
            double f = 1;
            if (demote && !(by_filter ? in_filter : probes->admitted(did)))
                f *= INELIGIBLE_FACTOR;
            if (exclusion)
                f /= 1 + EXCLUSION_PENALTY * probes->exclusion_hits(did);
            return score * f;
        };
    }
    Xapian::Query snip_q = snip.empty() ? Xapian::Query() :
        Xapian::Query(Xapian::Query::OP_OR, snip.begin(), snip.end());
    fill(res, with_filters(q), snip_q, rescore);
    res.parsed = "patient: " + std::to_string(parts.size()) + " terms";
}

// ---- similar trials --------------------------------------------------------

// A --similar trial that is not in the index: thrown to ts_search.
struct not_found {
    std::string what;
};

void Searcher::run_similar(ts_results &res)
{
    std::string id = opts.similar;
    for (auto &c : id)
        c = (char)std::toupper((unsigned char)c);
    std::string qterm = "Q" + id;
    Xapian::PostingIterator p = db.postlist_begin(qterm);
    if (p == db.postlist_end(qterm))
        throw not_found{"no trial " + id + " in the index"};
    Xapian::Enquire enq = _ts_enquire(db);
    Xapian::RSet rs;
    rs.add_document(*p);
    PlainWords decider;
    std::string fl;
    Xapian::Query q = eset_query(enq.get_eset(FEEDBACK_TERMS * 2, rs, &decider), 1.0, &fl);
    explain += "similar to " + id + ": " + fl + "\n";
    Xapian::Query snip_q = q;
    q = Xapian::Query(Xapian::Query::OP_AND_NOT, q, Xapian::Query(qterm));
    fill(res, with_filters(q), snip_q);
    res.parsed = "similar: " + id;
}

} // namespace

// ---- the C API -------------------------------------------------------------

extern "C" {

void ts_query_opts_init(ts_query_opts_t *opts)
{
    std::memset(opts, 0, sizeof *opts);
    opts->limit = 10;
    opts->age = TS_AGE_NONE;
    opts->healthy = -1;
}

ts_status_t ts_search(ts_db_t *db, const ts_query_opts_t *opts, ts_results_t **out)
{
    return ts_guard("searching", [&]() -> ts_status_t {
        if (!db || !opts || !out)
            return _ts_error(TS_ERR_INVALID, "ts_search: missing argument");
        // Bounds: too many words are refused; the page is kept within
        // what Xapian counts in (32 bits), so a larger number cannot wrap.
        size_t words = 0;
        for (const char *p = opts->query ? opts->query : ""; *p; p++)
            if (!isspace((unsigned char)*p) && (p == opts->query || isspace((unsigned char)p[-1])))
                words++;
        if (words > MAX_QUERY_WORDS)
            return _ts_error(TS_ERR_BAD_QUERY, "bad query: too long: %zu words (at most %zu)",
                             words, MAX_QUERY_WORDS);
        ts_query_opts_t bounded = *opts;
        const size_t most = (Xapian::doccount)-1;
        bounded.offset = std::min(bounded.offset, most);
        bounded.limit = std::min(bounded.limit, most - bounded.offset);
        std::unique_ptr<ts_results> res;
        for (int attempt = 0;; attempt++) {
            try {
                // reopen() itself can meet another commit: it is retried too
                if (attempt > 0)
                    db->db.reopen();
                res.reset(new ts_results());
                Searcher s(db, bounded);
                s.run(*res);
                break;
            } catch (const Xapian::DatabaseModifiedError &) {
                if (attempt >= MAX_RETRIES)
                    return _ts_error(TS_ERR_MODIFIED,
                                     "the index kept changing while it was searched; try again");
                int ms = std::min((attempt + 1) * RETRY_PAUSE_MS, 100);
                struct timespec pause = {0, ms * 1000000L};
                nanosleep(&pause, NULL);
            } catch (const syntax_error &e) {
                return _ts_error(TS_ERR_BAD_QUERY, "bad query: %s",
                                 locate(opts->query ? opts->query : "", e).c_str());
            } catch (const Xapian::QueryParserError &e) {
                return _ts_error(TS_ERR_BAD_QUERY, "bad query: %s",
                                 printable(e.get_msg()).c_str());
            } catch (const std::invalid_argument &e) {
                // these name the value given, which may hold anything
                return _ts_error(TS_ERR_INVALID, "%s", printable(e.what()).c_str());
            } catch (const not_found &e) {
                return _ts_error(TS_ERR_INVALID, "%s", printable(e.what).c_str());
            }
        }
        *out = res.release();
        _ts_error_clear();
        return TS_OK;
    });
}

void ts_results_free(ts_results_t *res)
{
    delete res;
}

size_t ts_results_count(const ts_results_t *res)
{
    return res ? res->hits.size() : 0;
}

uint64_t ts_results_total(const ts_results_t *res)
{
    return res ? res->total : 0;
}

int ts_results_total_exact(const ts_results_t *res)
{
    return res ? res->total_exact : 0;
}

const ts_hit_t *ts_results_hit(const ts_results_t *res, size_t i)
{
    if (!res || i >= res->hits.size())
        return NULL;
    ts_results *r = const_cast<ts_results *>(res);
    if (!r->hits[i].record) { // TS_Q_NO_DETAILS: read the record now
        ts_record_t *rec = NULL;
        try {
            rec = doc_record(r->docs[i], r->ids[i]);
        } catch (...) {
            // the index changed since the search: the id is all there is
            rec = id_record(r->ids[i]);
        }
        if (!rec)
            return NULL;
        r->hits[i].record = rec;
        r->docs[i] = Xapian::Document();
    }
    return &res->hits[i];
}

const char *ts_results_id(const ts_results_t *res, size_t i)
{
    return res && i < res->ids.size() ? res->ids[i].c_str() : NULL;
}

size_t ts_results_rank(const ts_results_t *res, size_t i)
{
    return res && i < res->hits.size() ? res->hits[i].rank : 0;
}

double ts_results_score(const ts_results_t *res, size_t i)
{
    return res && i < res->hits.size() ? res->hits[i].score : 0.0;
}

const char *ts_results_parsed(const ts_results_t *res)
{
    return res ? res->parsed.c_str() : NULL;
}

const char *ts_results_dropped(const ts_results_t *res)
{
    return res && res->has_dropped ? res->dropped.c_str() : NULL;
}

const char *ts_results_suggestion(const ts_results_t *res)
{
    return res && res->has_suggestion ? res->suggestion.c_str() : NULL;
}

int ts_results_corrected(const ts_results_t *res)
{
    return res && res->corrected;
}

const char *ts_results_explain(const ts_results_t *res)
{
    return res ? res->explain.c_str() : "";
}

const char *ts_results_hit_fields(const ts_results_t *res, size_t i)
{
    return res && i < res->fields.size() ? res->fields[i].c_str() : NULL;
}

size_t ts_results_facet_count(const ts_results_t *res)
{
    return res ? res->facets.size() : 0;
}

const char *ts_results_facet_name(const ts_results_t *res, size_t f)
{
    return res && f < res->facets.size() ? res->facets[f].name.c_str() : NULL;
}

size_t ts_results_facet_size(const ts_results_t *res, size_t f)
{
    return res && f < res->facets.size() ? res->facets[f].values.size() : 0;
}

const char *ts_results_facet_value(const ts_results_t *res, size_t f, size_t i,
                                   uint64_t *count)
{
    if (!res || f >= res->facets.size() || i >= res->facets[f].values.size())
        return NULL;
    if (count)
        *count = res->facets[f].values[i].second;
    return res->facets[f].values[i].first.c_str();
}

} // extern "C"
