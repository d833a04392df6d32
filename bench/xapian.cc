// xapian.cc - in-process query latency of an omega (scriptindex) index.
//
// Usage: bench-xapian DB QUERIES [--or] [--rounds N] [--no-warmup]
//
// Parses each query as omega's own `quest` does (QueryParser, English
// stemmer, STEM_SOME, default flags, the prefixes of bench/trials.script),
// with AND as the default operator, or OR with --or (prepared patient
// topics), and fetches the top 10 with their document data.  Every query
// runs once to warm up (not with --no-warmup), then N rounds (default 3) are timed one by one;
// prints the latency summary of lat.h.
#include "lat.h"

#include <xapian.h>

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

} // namespace

int main(int argc, char **argv)
{
    bool or_words = false;
    int rounds = 3;
    bool warmup = true;
    std::vector<const char *> pos;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        if (a == "--or")
            or_words = true;
        else if (a == "--rounds" && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (a == "--no-warmup")
            warmup = false;
        else
            pos.push_back(argv[i]);
    }
    if (pos.size() != 2 || rounds < 1) {
        std::cerr << "usage: bench-xapian DB QUERIES [--or] [--rounds N] [--no-warmup]\n";
        return 2;
    }
    try {
        lat_queries_t q = lat_read_queries(pos[1]);
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
