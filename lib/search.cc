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
// indexed with its weight.  All words are required; when nothing matches
// them all, words found nowhere are dropped, then the words are ORed, and
// the words the top hit lacks are reported (ts_results_dropped).
//
// Snippets are cut with MSet::snippet from the record field that shows the
// most query words, using a second parser that maps every field to no
// prefix (so prefixed query words still highlight plain text).
#include "xapian.hh"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

// How many times a search is repeated after the index changed under it.
const int MAX_RETRIES = 5;
// Cap on the expansion of a trailing wildcard.
const Xapian::termcount WILDCARD_CAP = 200;
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

// 1-based column (in characters) of byte offset pos in s.
size_t column_of(const std::string &s, size_t pos)
{
    size_t col = 1;
    for (size_t i = 0; i < pos && i < s.size(); i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            col++;
    return col;
}

// "message at column N" followed by the query and a caret under column N.
std::string locate(const std::string &query, const syntax_error &e)
{
    size_t col = column_of(query, e.pos);
    std::string msg = e.what + " at column " + std::to_string(col) + "\n    " +
                      query + "\n    " + std::string(col - 1, ' ') + "^";
    return msg;
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
Xapian::Query age_query(double age)
{
    if (!(age >= 0) || age > 200)
        throw Xapian::QueryParserError("age must be a number of years between 0 and 200");
    std::string a = Xapian::sortable_serialise(age);
    return Xapian::Query(Xapian::Query::OP_AND,
                         Xapian::Query(Xapian::Query::OP_VALUE_LE, TS_SLOT_MIN_AGE, a),
                         Xapian::Query(Xapian::Query::OP_VALUE_GE, TS_SLOT_MAX_AGE, a));
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

// Each name under which a field is known: its name and its aliases.
std::vector<std::string> field_names(const _ts_field_t &f)
{
    std::vector<std::string> names{f.info.name};
    std::string a = f.info.aliases;
    size_t i = 0;
    while (i < a.size()) {
        size_t j = a.find(' ', i);
        if (j == std::string::npos)
            j = a.size();
        if (j > i)
            names.push_back(a.substr(i, j - i));
        i = j + 1;
    }
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
                std::string p = f.prefixes;
                size_t a = 0;
                while (a < p.size()) {
                    size_t b = p.find(' ', a);
                    if (b == std::string::npos)
                        b = p.size();
                    if (b > a)
                        qp.add_prefix(name, plain ? std::string() : p.substr(a, b - a));
                    a = b + 1;
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

// Counts each of the '\x1f'-separated values in a slot over the matches.
class FacetSpy : public Xapian::MatchSpy {
  public:
    Xapian::valueno slot;
    std::map<std::string, uint64_t> counts;
    explicit FacetSpy(Xapian::valueno s) : slot(s) {}
    void operator()(const Xapian::Document &doc, double) override
    {
        std::string v = doc.get_value(slot);
        size_t i = 0;
        while (i < v.size()) {
            size_t j = v.find('\x1f', i);
            if (j == std::string::npos)
                j = v.size();
            if (j > i)
                counts[v.substr(i, j - i)]++;
            i = j + 1;
        }
    }
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

bool doc_has_term(const Xapian::Database &db, Xapian::docid did, const std::string &t)
{
    Xapian::PostingIterator p = db.postlist_begin(t);
    if (p == db.postlist_end(t))
        return false;
    p.skip_to(did);
    return p != db.postlist_end(t) && *p == did;
}

// Names of the free-text fields in which doc did matches query terms,
// space separated, in schema order.
std::string matched_fields(const Xapian::Database &db, const Xapian::Enquire &enq,
                           const Xapian::MSetIterator &it)
{
    std::vector<const _ts_field_t *> hit;
    for (auto t = enq.get_matching_terms_begin(it); t != enq.get_matching_terms_end(it); ++t) {
        std::string term = *t;
        std::string z = term.size() && term[0] == 'Z' ? "Z" : "";
        std::string rest = term.substr(z.size());
        size_t n = 0;
        while (n < rest.size() && std::isupper((unsigned char)rest[n]))
            n++;
        if (n > 0) {
            const _ts_field_t *f = field_of_prefix(rest.substr(0, n));
            if (f)
                hit.push_back(f);
            continue;
        }
        for (size_t i = 0; i < _ts_schema_len; i++) {
            const _ts_field_t &f = _ts_schema[i];
            if (f.info.kind != TS_FIELD_TEXT || f.src == _TS_SRC_NONE)
                continue;
            std::string p(f.prefixes, std::strcspn(f.prefixes, " "));
            if (doc_has_term(db, *it, z + p + rest))
                hit.push_back(&f);
        }
    }
    std::string out;
    for (size_t i = 0; i < _ts_schema_len; i++)
        if (std::find(hit.begin(), hit.end(), &_ts_schema[i]) != hit.end())
            append(out, _ts_schema[i].info.name, " ");
    return out;
}

// One term of a description as a user would write it: the stemming
// marker Z dropped, a field prefix shown as its name ("ZXCepilepsi" ->
// "condition:epilepsi", "XSTrecruiting" -> "status:recruiting").
std::string readable_term(const std::string &t)
{
    std::string rest = t.size() > 1 && t[0] == 'Z' ? t.substr(1) : t;
    size_t n = 0;
    while (n < rest.size() && std::isupper((unsigned char)rest[n]))
        n++;
    if (n == 0)
        return rest;
    const _ts_field_t *f = field_of_prefix(rest.substr(0, n), false);
    return f ? std::string(f->info.name) + ":" + rest.substr(n) : t;
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
    return out;
}

} // namespace

// ---- results -------------------------------------------------------------

struct ts_facet {
    std::string name;
    std::vector<std::pair<std::string, uint64_t>> values;
};

struct ts_results {
    std::vector<ts_hit_t> hits;
    std::vector<ts_record_t *> recs;
    std::vector<std::string> snippets, snippet_fields, fields;
    uint64_t total = 0;
    std::string parsed, dropped;
    bool has_dropped = false;
    std::vector<ts_facet> facets;
    ts_results() = default;
    ts_results(const ts_results &) = delete;
    ts_results &operator=(const ts_results &) = delete;
    ~ts_results() { clear(); }
    // Forget everything (a search starting over).
    void clear()
    {
        for (ts_record_t *r : recs)
            ts_record_free(r);
        recs.clear();
        hits.clear();
        snippets.clear();
        snippet_fields.clear();
        fields.clear();
        total = 0;
        parsed.clear();
        dropped.clear();
        has_dropped = false;
        facets.clear();
    }
};

namespace {

// One search over a fixed view of the index.  Throws Xapian errors
// (DatabaseModifiedError is retried by the caller) and syntax_error.
class Searcher {
  public:
    Searcher(const Xapian::Database &d, const ts_query_opts_t &o) : db(d), opts(o)
    {
        setup_parser(qp, db, false, &ctx);
        setup_parser(plain, db, true, &plain_ctx);
    }

    void run(ts_results &res);

  private:
    const Xapian::Database &db;
    const ts_query_opts_t &opts;
    Xapian::QueryParser qp, plain;
    parse_ctx ctx, plain_ctx;       // what the processors report
    std::string raw;                // the query as typed
    std::string text;               // the normalized query
    Xapian::Query filters;          // from the options
    bool has_filters = false;

    Xapian::Query parse(const std::string &q, Xapian::Query::op op, Xapian::QueryParser &p);
    Xapian::Query with_filters(const Xapian::Query &q) const;
    bool matches_any(const Xapian::Query &q) const;
    void fill(ts_results &res, const Xapian::Query &q, const Xapian::Query &snip_q);
};

Xapian::Query Searcher::parse(const std::string &q, Xapian::Query::op op,
                              Xapian::QueryParser &p)
{
    if (q.find_first_not_of(" \t\r\n") == std::string::npos)
        return Xapian::Query::MatchAll;
    p.set_default_op(op);
    parse_ctx &c = &p == &qp ? ctx : plain_ctx;
    c.error.clear();
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

// Whether q matches at least one document.
bool Searcher::matches_any(const Xapian::Query &q) const
{
    Xapian::Enquire e(db);
    e.set_query(q);
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
    fill(res, with_filters(q), parse(text, Xapian::Query::OP_AND, plain));
    if (!res.hits.empty() || res.total > 0 || (opts.flags & TS_Q_NO_FALLBACK))
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
        fill(res, with_filters(parse(rest, Xapian::Query::OP_AND, qp)),
             parse(rest, Xapian::Query::OP_AND, plain));
    }
    if (res.hits.empty() && res.total == 0 && words.size() > 1) {
        res.clear();
        fill(res, with_filters(parse(rest, Xapian::Query::OP_OR, qp)),
             parse(rest, Xapian::Query::OP_OR, plain));
        if (!res.hits.empty()) {
            // The words the best hit lacks.
            const char *nct = res.hits[0].record->nct_id;
            Xapian::Query qid(std::string("Q") + (nct ? nct : ""));
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

// Run q and fill res with its hits, snippets from snip_q, and facets.
void Searcher::fill(ts_results &res, const Xapian::Query &q, const Xapian::Query &snip_q)
{
    Xapian::Enquire enq(db);
    enq.set_query(q);
    enq.set_weighting_scheme(Xapian::BM25Weight());
    Xapian::MultiValueKeyMaker keys;
    Xapian::valueno slot = Xapian::BAD_VALUENO;
    switch (opts.sort) {
    case TS_SORT_START: slot = TS_SLOT_START; break;
    case TS_SORT_UPDATED: slot = TS_SLOT_UPDATED; break;
    case TS_SORT_ENROLLMENT: slot = TS_SLOT_ENROLLMENT; break;
    default: break;
    }
    if (slot != Xapian::BAD_VALUENO) {
        // Newest / largest first; --reverse: oldest / smallest first.
        // Records without the value come last either way.
        keys.add_value(slot, !opts.reverse, opts.reverse ? std::string("\xff") : std::string());
        enq.set_sort_by_key_then_relevance(&keys, false);
    }

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
            enq.add_matchspy(spies.back().get());
        }
    }
    Xapian::doccount all = db.get_doccount();
    // Facets count over all matches; limit 0 asks for an exact count.
    size_t limit = opts.limit;
    Xapian::doccount check = spies.empty() && limit > 0 ? 0 : all;
    Xapian::MSet mset;
    bool backwards = opts.reverse && slot == Xapian::BAD_VALUENO;
    if (backwards) {
        // Lowest score first: rank everything, read from the end.
        mset = enq.get_mset(0, all, check);
    } else {
        mset = enq.get_mset((Xapian::doccount)opts.offset, (Xapian::doccount)limit, check);
    }
    res.total = mset.get_matches_estimated();
    res.parsed = tidy_description(q.get_description());
    for (const auto &l : ctx.labels) {
        if (l.first.empty())
            continue;
        for (size_t k = res.parsed.find(l.first); k != std::string::npos;
             k = res.parsed.find(l.first, k + l.second.size()))
            res.parsed.replace(k, l.first.size(), l.second);
    }

    Xapian::Enquire snip_enq(db);
    snip_enq.set_query(snip_q);
    Xapian::MSet snip_set = snip_enq.get_mset(0, 0);
    Xapian::Stem stem("english");
    size_t len = opts.snippet_chars ? opts.snippet_chars : 200;

    std::vector<Xapian::MSetIterator> its;
    if (backwards) {
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
        std::string data = doc.get_data();
        ts_record_t *rec = _ts_record_from_json(data.data(), data.size());
        if (!rec) {
            rec = ts_record_new();
            if (!rec)
                throw std::bad_alloc();
            Xapian::TermIterator t = doc.termlist_begin();
            t.skip_to("Q");
            if (t != doc.termlist_end() && (*t)[0] == 'Q')
                rec->nct_id = strdup((*t).c_str() + 1);
        }
        res.recs.push_back(rec);

        // The snippet: the field showing the most query words.
        std::string best, best_field;
        size_t best_n = 0;
        for (const auto &ft : snippet_texts(rec)) {
            if (ft.second.empty())
                continue;
            std::string s = snip_set.snippet(
                ft.second, len, stem,
                Xapian::MSet::SNIPPET_BACKGROUND_MODEL | Xapian::MSet::SNIPPET_EXHAUSTIVE |
                    Xapian::MSet::SNIPPET_EMPTY_WITHOUT_MATCH,
                "\x01", "\x02", "...");
            size_t n = count_highlights(s);
            if (n > best_n) {
                best_n = n;
                best = unescape(s);
                best_field = ft.first;
            }
        }
        if (best_n == 0) {
            for (const auto &ft : snippet_texts(rec)) {
                if (!ft.second.empty()) {
                    best = head_of(ft.second, len);
                    best_field = ft.first;
                    break;
                }
            }
        }
        res.snippets.push_back(best);
        res.snippet_fields.push_back(best_field);
        res.fields.push_back(matched_fields(db, enq, it));
        ts_hit_t h;
        h.rank = ++rank;
        h.score = it.get_weight();
        h.record = rec;
        h.snippet = NULL;
        h.snippet_field = NULL;
        res.hits.push_back(h);
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
        std::map<std::string, uint64_t> merged;
        for (const auto &kv : spy->counts)
            merged[facet_label(spy->slot, kv.first)] += kv.second;
        f.values.assign(merged.begin(), merged.end());
        std::stable_sort(f.values.begin(), f.values.end(),
                         [](const std::pair<std::string, uint64_t> &a,
                            const std::pair<std::string, uint64_t> &b) {
                             return a.second > b.second;
                         });
        res.facets.push_back(std::move(f));
    }
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
        std::unique_ptr<ts_results> res;
        for (int attempt = 0;; attempt++) {
            try {
                res.reset(new ts_results());
                Searcher s(db->db, *opts);
                s.run(*res);
                break;
            } catch (const Xapian::DatabaseModifiedError &) {
                if (attempt >= MAX_RETRIES)
                    return _ts_error(TS_ERR_MODIFIED,
                                     "the index kept changing while it was searched; try again");
                db->db.reopen();
            } catch (const syntax_error &e) {
                return _ts_error(TS_ERR_BAD_QUERY, "bad query: %s",
                                 locate(opts->query ? opts->query : "", e).c_str());
            } catch (const Xapian::QueryParserError &e) {
                return _ts_error(TS_ERR_BAD_QUERY, "bad query: %s", e.get_msg().c_str());
            } catch (const std::invalid_argument &e) {
                return _ts_error(TS_ERR_INVALID, "%s", e.what());
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

const ts_hit_t *ts_results_hit(const ts_results_t *res, size_t i)
{
    return res && i < res->hits.size() ? &res->hits[i] : NULL;
}

const char *ts_results_parsed(const ts_results_t *res)
{
    return res ? res->parsed.c_str() : NULL;
}

const char *ts_results_dropped(const ts_results_t *res)
{
    return res && res->has_dropped ? res->dropped.c_str() : NULL;
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
