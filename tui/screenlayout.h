#pragma once
// The terminal monitor's whole screen as a pure function: the model, the
// time, the terminal's size and the scroll position in; lines of text with
// attributes out, each exactly as wide as the terminal. Tested without a
// terminal; terminal.cpp only copies the lines to the screen.
//
//   title                                  (1 line)
//   Running (N)  + column header + rows    (scrolls when longer than its share)
//   Recent Completions + header + rows     (newest first)
//   status bar                             (4 lines: daemon, workers, tasks, keys)

#include "monitormodel.h"

#include <QList>
#include <QString>

namespace dfm::tui {

/// What a span of text looks like; the terminal maps these to colours
/// (green/red for Pass/Fail) or, without colour, to bold and reverse video.
enum class Attr : quint8 {
    Normal,
    Title,   /* the top line */
    Heading, /* "Running", "Recent Completions" */
    Columns, /* a table's column header */
    Pass,
    Fail,
    Cancelled,
    Dim,     /* placeholders: "no tasks running" */
    Alert,   /* the daemon went away, the terminal is too small */
    Bar,     /* the status bar's first line */
};

/// A run of text drawn with one attribute.
struct Span {
    QString text;
    Attr attr = Attr::Normal;
    bool operator==(const Span &o) const { return text == o.text && attr == o.attr; }
};

/// One screen line: spans whose widths add up to the screen's width.
struct Line {
    QList<Span> spans;
    /// The line's text without attributes.
    QString text() const;
};

/// Everything the layout needs besides the model.
struct View {
    enum class Link { Connecting, Connected, Gone };
    int width = 80;
    int height = 24;
    qint64 nowMs = 0;      /* epoch ms: elapsed times and uptime tick with it */
    int scroll = 0;        /* first running task shown, as requested (clamped) */
    QString root;          /* the project, for the title */
    Link link = Link::Connecting;
    QString notice;        /* replaces the key help in the last line when set */
    bool asciiOnly = false; /* a terminal without UTF-8: '~' for '…' */
};

/// The laid-out screen.
struct Screen {
    QList<Line> lines;     /* exactly View::height lines of View::width columns */
    int scroll = 0;        /* the scroll position used (clamped to the table) */
    int runningRows = 0;   /* rows the running table shows: PgUp/PgDn's page */
    bool tooSmall = false; /* the terminal cannot fit the layout; lines say so */
    /// All lines' text joined with '\n' (for tests and captures).
    QString text() const;
};

/// The smallest terminal the layout fits in.
inline constexpr int kMinWidth = 60;
inline constexpr int kMinHeight = 12;
/// Lines of the status bar at the bottom.
inline constexpr int kStatusLines = 4;

/// Lays out the monitor for `model` as seen through `view`.
Screen layoutScreen(const MonitorModel &model, const View &view);

} // namespace dfm::tui
