#pragma once
// The only code that talks to ncurses: opens the terminal (wide-character
// ncurses, colour unless NO_COLOR is set or the terminal has none), copies a
// laid-out Screen to it and reads keys. Everything it draws comes from
// layoutScreen().

#include "screenlayout.h"

#include <QList>
#include <QString>

namespace dfm::tui {

class Terminal {
public:
    /// What a key means to the monitor.
    enum class Key { Quit, Up, Down, PageUp, PageDown, Home, End, Resize, Other };

    Terminal() = default;
    ~Terminal();
    Terminal(const Terminal &) = delete;
    Terminal &operator=(const Terminal &) = delete;

    /// Takes over the terminal on stdin/stdout. False (with *err) when they
    /// are not a terminal or terminfo does not know $TERM.
    bool open(QString *err);
    /// Gives the terminal back as it was. Safe to call twice.
    void close();
    bool isOpen() const { return m_open; }

    int width() const;
    int height() const;
    /// True when the terminal cannot show UTF-8 (the layout then uses ASCII).
    bool asciiOnly() const { return m_ascii; }
    /// True when Pass/Fail are drawn in green/red.
    bool hasColour() const { return m_colour; }

    /// Takes the terminal's new size (after SIGWINCH) and repaints all of it next draw().
    void resized();
    /// Draws `screen`; only what changed since the last draw reaches the terminal.
    void draw(const Screen &screen);
    /// The keys typed since the last call (never blocks).
    QList<Key> readKeys();

private:
    bool m_open = false;
    bool m_ascii = false;
    bool m_colour = false;
    void *m_screen = nullptr; /* SCREEN*, kept opaque so no one else includes curses.h */
};

} // namespace dfm::tui
