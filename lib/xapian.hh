// xapian.hh - what the C++ files of libtrialsearch share: the database
// handle and the one place where Xapian exceptions become status codes.
//
// Every extern "C" function written in C++ wraps its body in ts_guard(),
// so no exception ever reaches a C caller.
#ifndef TS_XAPIAN_HH
#define TS_XAPIAN_HH

#include <xapian.h>

#include <new>
#include <string>
#include <unordered_set>

#include "ts_internal.h"

struct ts_db {
    Xapian::Database db;          // what searches read (== wdb for a writer)
    Xapian::WritableDatabase wdb; // valid when writer
    bool writer = false;
    std::string path;             // first path given
    std::unordered_set<std::string> seen; // ids put since open (for prune)
    Xapian::TermGenerator tg;     // writer's term generator
    Xapian::Stem stem{"english"};
};

// Map the exception being handled to a status and record its message.
// Call only from inside a catch block.
ts_status_t _ts_status_from_exception(const char *what_doing);

// Run f (returning ts_status_t) and turn any exception into a status.
template <class F>
static inline ts_status_t ts_guard(const char *what_doing, F f) noexcept
{
    try {
        return f();
    } catch (...) {
        return _ts_status_from_exception(what_doing);
    }
}

// Boolean term for a filter value: prefix + the value normalized like
// indexed text (_ts_normalize: case folded, marks removed), white space
// kept: "XST" + "ACTIVE_NOT_RECRUITING" -> "XSTactive_not_recruiting",
// "XCO" + "United States" -> "XCOunited states".  A term longer than
// Xapian's limit is cut to a prefix of 200 bytes plus a hash of the rest.
std::string _ts_filter_term(const char *prefix, const std::string &value);

// Value for the date slots: "YYYYMMDD" with missing month/day as 01, or
// "" for NULL/unreadable.
std::string _ts_date_value(const char *iso);

#endif
