// xapian.cc - Xapian's own figures: query latency of an omega
// (scriptindex) index, one-shot search, and Xapian's share of indexing.
//
// Usage: bench-xapian DB QUERIES [--or] [--rounds N] [--no-warmup]
//        bench-xapian --once DB QUERY
//        bench-xapian --rebuild SRC DST [N]
//
// Parses each query as omega's own `quest` does (QueryParser, English
// stemmer, STEM_SOME, default flags, the prefixes of bench/trials.script),
// with AND as the default operator, or OR with --or (prepared patient
// topics), and fetches the top 10 with their document data.  Every query
// runs once to warm up (not with --no-warmup), then N rounds (default 3)
// are timed one by one; prints the latency summary of lat.h.
//
// With --once, runs the one QUERY the same way and exits: 0 when it has
// hits, 1 when it has none, 2 when the query cannot be parsed (as for a
// wrong command line), 3 on a Xapian error.  Run once per query by
// bench-proclat beside `trialsearch --ids`, it is the least a program
// linked with the system's libxapian and libstdc++ costs to search an
// index from a shell (load the libraries, open the index, one search).
//
// With --rebuild, N records (default all) taken at even steps through
// the index SRC are written again into a new index DST as
// trialsearch-index writes a segment: no fdatasync, a commit every 100
// records.  Each record's terms, counts, positions, values and data are
// first read into plain vectors, untimed, 1,000 records at a time; what
// is timed is making the Xapian documents from them, adding them and
// committing.  That is Xapian's own share of indexing those terms, with
// no reading, parsing or analysis, at that segment size and commit
// cadence: it prints the records, that CPU time and the records per CPU
// second.
#include "lat.h"

#include <xapian.h>

#include <algorithm>
#include <cerrno>
#include <iostream>
#include <string>
#include <vector>

namespace {

// Field name and term prefix of each free-text field of bench/trials.script.
const char *const prefixes[][2] = {
    { "title", "S" }, { "condition", "XC" }, { "intervention", "XI" },
    { "primary", "XOP" }, { "secondary", "XOS" }, { "keyword", "XK" },
    { "mesh", "XM" }, { "summary", "XB" }, { "eligibility", "XEL" },
    { "sponsor", "XSP" }, { "location", "XL" }, { "official", "XPI" },
    { "other", "XT" },
};

// Bytes of document data fetched, so the fetch cannot be optimised away.
volatile size_t data_bytes;

// Run one query and fetch the data of its top 10; returns the number of
// hits, -1 when the query could not be parsed.
int run(Xapian::Database &db, Xapian::QueryParser &qp, const char *q)
{
    Xapian::Query query;
    try {
        query = qp.parse_query(q, Xapian::QueryParser::FLAG_DEFAULT);
    } catch (const Xapian::QueryParserError &e) {
        std::cerr << "bench-xapian: " << q << ": " << e.get_msg() << "\n";
        return -1;
    }
    Xapian::Enquire enq(db);
    enq.set_query(query);
    Xapian::MSet m = enq.get_mset(0, 10);
    for (Xapian::MSetIterator i = m.begin(); i != m.end(); ++i)
        data_bytes = data_bytes + i.get_document().get_data().size();
    return (int)m.size();
}

// A record read from an index: what Xapian is given to write it again.
struct Record {
    struct Term {
        std::string name;
        Xapian::termcount wdf;
        std::vector<Xapian::termpos> pos;
    };
    std::vector<Term> terms;
    std::vector<std::pair<Xapian::valueno, std::string>> values;
    std::string data;
};

Record read_record(const Xapian::Document &doc)
{
    Record r;
    for (Xapian::TermIterator t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
        Record::Term term{*t, t.get_wdf(), {}};
        for (Xapian::PositionIterator p = t.positionlist_begin(); p != t.positionlist_end(); ++p)
            term.pos.push_back(*p);
        r.terms.push_back(std::move(term));
    }
    for (Xapian::ValueIterator v = doc.values_begin(); v != doc.values_end(); ++v)
        r.values.emplace_back(v.get_valueno(), *v);
    r.data = doc.get_data();
    return r;
}

// The Xapian document of r: each term with its count, then its positions
// adding nothing to the count.
Xapian::Document document_of(const Record &r)
{
    Xapian::Document doc;
    for (const Record::Term &t : r.terms) {
        doc.add_term(t.name, t.wdf);
        for (Xapian::termpos p : t.pos)
            doc.add_posting(t.name, p, 0);
    }
    for (const auto &v : r.values)
        doc.add_value(v.first, v.second);
    doc.set_data(r.data);
    return doc;
}

int rebuild(const char *src_path, const char *dst_path, Xapian::doccount limit)
{
    Xapian::Database src(src_path);
    Xapian::WritableDatabase dst(dst_path, Xapian::DB_CREATE | Xapian::DB_NO_SYNC);
    const Xapian::doccount BATCH = 100, CHUNK = 1000;
    Xapian::doccount n = 0, seen = 0;
    double cpu = 0, wall = 0;
    // Every step-th record, counted in the order of the records (docids
    // may have gaps), so that the sample spans the index: its records
    // come in the order of their inputs, whose formats differ.
    double step = std::max(1.0, (double)src.get_doccount() / limit), next = 0;
    Xapian::PostingIterator d = src.postlist_begin("");
    while (d != src.postlist_end("") && n < limit) {
        std::vector<Record> chunk;
        for (; d != src.postlist_end("") && n + chunk.size() < limit && chunk.size() < CHUNK;
             ++d, ++seen) {
            if (seen >= next) {
                next += step;
                chunk.push_back(read_record(src.get_document(*d)));
            }
        }
        double c0 = lat_cpu(), w0 = lat_now();
        for (const Record &r : chunk) {
            dst.add_document(document_of(r));
            if (++n % BATCH == 0)
                dst.commit();
        }
        if (n % BATCH != 0) // the last records: only the last chunk is short
            dst.commit();
        cpu += lat_cpu() - c0;
        wall += lat_now() - w0;
    }
    std::cout << "{\"records\": " << n << ", \"seconds\": " << wall << ", \"cpu_seconds\": " << cpu
              << ", \"records_per_cpu_second\": " << (cpu > 0 ? n / cpu : 0) << "}\n";
    return 0;
}

// N of --rebuild: a whole number from 1, else 0.
Xapian::doccount parse_count(const char *s)
{
    if (*s < '0' || *s > '9')
        return 0;
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (*end != '\0' || errno != 0 || v > Xapian::doccount(-1))
        return 0;
    return (Xapian::doccount)v;
}

} // namespace

int main(int argc, char **argv)
{
    bool or_words = false;
    int rounds = 3;
    bool warmup = true, once = false, rebuild_db = false, latency_opts = false;
    std::vector<const char *> pos;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        if (a == "--or" || a == "--no-warmup" || (a == "--rounds" && i + 1 < argc))
            latency_opts = true;
        if (a == "--or")
            or_words = true;
        else if (a == "--rounds" && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (a == "--no-warmup")
            warmup = false;
        else if (a == "--once")
            once = true;
        else if (a == "--rebuild")
            rebuild_db = true;
        else
            pos.push_back(argv[i]);
    }
    Xapian::doccount limit =
        rebuild_db && pos.size() == 3 ? parse_count(pos[2]) : Xapian::doccount(-1);
    if ((rebuild_db ? pos.size() < 2 || pos.size() > 3 || limit == 0 : pos.size() != 2) ||
        rounds < 1 || (once && rebuild_db) || ((once || rebuild_db) && latency_opts)) {
        std::cerr << "usage: bench-xapian DB QUERIES [--or] [--rounds N] [--no-warmup]\n"
                     "       bench-xapian --once DB QUERY\n"
                     "       bench-xapian --rebuild SRC DST [N]\n";
        return 2;
    }
    try {
        if (rebuild_db)
            return rebuild(pos[0], pos[1], limit);
        Xapian::Database db(pos[0]);
        Xapian::QueryParser qp;
        Xapian::Stem stem("english");
        qp.set_stemmer(stem);
        qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
        qp.set_database(db);
        qp.set_default_op(or_words ? Xapian::Query::OP_OR : Xapian::Query::OP_AND);
        for (const auto &p : prefixes)
            qp.add_prefix(p[0], p[1]);
        qp.add_boolean_prefix("id", "Q");
        if (once) {
            int h = run(db, qp, pos[1]);
            return h > 0 ? 0 : h == 0 ? 1 : 2;
        }

        lat_queries_t q = lat_read_queries(pos[1]);

        size_t with_hits = 0, errors = 0;
        for (size_t i = 0; warmup && i < q.n; i++) {
            int h = run(db, qp, q.v[i]);
            with_hits += h > 0;
            errors += h < 0;
        }
        std::vector<double> t, c;
        double w0 = lat_now();
        for (int r = 0; r < rounds; r++)
            for (size_t i = 0; i < q.n; i++) {
                double t0 = lat_now(), c0 = lat_cpu();
                int h = run(db, qp, q.v[i]);
                t.push_back(lat_now() - t0);
                c.push_back(lat_cpu() - c0);
                if (!warmup && r == 0) {
                    with_hits += h > 0;
                    errors += h < 0;
                }
            }
        lat_report(t.data(), c.data(), t.size(), lat_now() - w0, q.n, with_hits, errors);
    } catch (const Xapian::Error &e) {
        std::cerr << "bench-xapian: " << e.get_description() << "\n";
        return 3;
    }
    return 0;
}
