#include "terminal.h"

#define NCURSES_WIDECHAR 1
#include <curses.h>

#include <clocale>
#include <cstdlib>
#include <cstring>
#include <langinfo.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace dfm::tui {

namespace {

enum Pair : short { kPassPair = 1, kFailPair, kCancelPair, kAlertPair };

attr_t attrFor(Attr a, bool colour)
{
    switch (a) {
    case Attr::Normal:
        return A_NORMAL;
    case Attr::Title:
    case Attr::Bar:
        return A_REVERSE;
    case Attr::Heading:
        return A_BOLD;
    case Attr::Columns:
        return A_UNDERLINE;
    case Attr::Pass:
        return colour ? COLOR_PAIR(kPassPair) | A_BOLD : A_NORMAL;
    case Attr::Fail:
        return colour ? COLOR_PAIR(kFailPair) | A_BOLD : A_BOLD | A_REVERSE;
    case Attr::Cancelled:
        return colour ? COLOR_PAIR(kCancelPair) : A_NORMAL;
    case Attr::Dim:
        return A_DIM;
    case Attr::Alert:
        return colour ? COLOR_PAIR(kAlertPair) | A_BOLD : A_BOLD;
    }
    return A_NORMAL;
}

// https://no-color.org: set and not empty turns colour off.
bool noColourRequested()
{
    const char *v = std::getenv("NO_COLOR");
    return v && *v;
}

} // namespace

Terminal::~Terminal() { close(); }

bool Terminal::open(QString *err)
{
    if (!::isatty(STDIN_FILENO) || !::isatty(STDOUT_FILENO)) {
        *err = QStringLiteral("the monitor needs a terminal (stdin and stdout are not one)");
        return false;
    }
    std::setlocale(LC_ALL, "");
    m_ascii = std::strcmp(nl_langinfo(CODESET), "UTF-8") != 0;
    const char *term = std::getenv("TERM");
    if (!term || !*term) {
        *err = QStringLiteral("TERM is not set; set it to your terminal's type (e.g. TERM=xterm-256color)");
        return false;
    }
    // newterm, unlike initscr, returns NULL instead of exiting when it fails.
    SCREEN *scr = newterm(term, stdout, stdin);
    if (!scr) {
        *err = QStringLiteral("terminal type '%1' is unknown to terminfo; try TERM=xterm-256color")
                   .arg(QString::fromLocal8Bit(term));
        return false;
    }
    m_screen = scr;
    m_open = true;
    set_escdelay(25); // arrow keys arrive as escape sequences; a lone Esc need not wait 1 s
    cbreak();         // keeps ISIG: Ctrl-C is SIGINT, handled as "detach"
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    curs_set(0);
    m_colour = has_colors() && !noColourRequested();
    if (m_colour) {
        start_color();
        use_default_colors();
        init_pair(kPassPair, COLOR_GREEN, -1);
        init_pair(kFailPair, COLOR_RED, -1);
        init_pair(kCancelPair, COLOR_YELLOW, -1);
        init_pair(kAlertPair, COLOR_RED, -1);
    }
    return true;
}

void Terminal::close()
{
    if (!m_open)
        return;
    m_open = false;
    endwin();
    delscreen(static_cast<SCREEN *>(m_screen));
    m_screen = nullptr;
}

int Terminal::width() const { return m_open ? COLS : 0; }
int Terminal::height() const { return m_open ? LINES : 0; }

void Terminal::resized()
{
    if (!m_open)
        return;
    struct winsize ws {};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        resizeterm(ws.ws_row, ws.ws_col);
    clearok(curscr, TRUE); // repaint everything: the terminal may have reflowed the old picture
}

void Terminal::draw(const Screen &screen)
{
    if (!m_open)
        return;
    erase();
    const int rows = qMin<int>(LINES, int(screen.lines.size()));
    for (int y = 0; y < rows; ++y) {
        move(y, 0);
        for (const Span &s : screen.lines[y].spans) {
            attrset(attrFor(s.attr, m_colour));
            const std::wstring w = s.text.toStdWString();
            addnwstr(w.c_str(), int(w.size())); // ERR at the last cell of the screen is expected
        }
    }
    attrset(A_NORMAL);
    refresh();
}

QList<Terminal::Key> Terminal::readKeys()
{
    QList<Key> keys;
    if (!m_open)
        return keys;
    wint_t ch = 0;
    for (int r; (r = get_wch(&ch)) != ERR;) {
        if (r == KEY_CODE_YES) {
            switch (ch) {
            case KEY_UP: keys << Key::Up; break;
            case KEY_DOWN: keys << Key::Down; break;
            case KEY_PPAGE: keys << Key::PageUp; break;
            case KEY_NPAGE: keys << Key::PageDown; break;
            case KEY_HOME: keys << Key::Home; break;
            case KEY_END: keys << Key::End; break;
            case KEY_RESIZE: keys << Key::Resize; break;
            default: keys << Key::Other; break;
            }
        } else if (ch == L'q' || ch == L'Q' || ch == 3 /* Ctrl-C if ISIG is off */) {
            keys << Key::Quit;
        } else if (ch == L'k') {
            keys << Key::Up;
        } else if (ch == L'j') {
            keys << Key::Down;
        } else if (ch == L' ') {
            keys << Key::PageDown;
        } else {
            keys << Key::Other;
        }
    }
    return keys;
}

} // namespace dfm::tui
