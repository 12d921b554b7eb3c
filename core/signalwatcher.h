#pragma once
// Turns SIGTERM, SIGINT and SIGHUP into a Qt signal, through a self-pipe, so
// the handler itself does nothing but write one byte.

#include <QObject>

class QSocketNotifier;

namespace dfm {

class SignalWatcher : public QObject {
    Q_OBJECT
public:
    /// Installs handlers for `signos` (e.g. {SIGTERM, SIGINT}). One watcher
    /// per process.
    explicit SignalWatcher(std::initializer_list<int> signos, QObject *parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    void received(int signo);

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace dfm
