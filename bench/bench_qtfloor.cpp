// The start-up floor of any Qt program on this machine: a QCoreApplication
// made and the process ended, linked to Qt Core only. bench/run times the
// whole process against `/bin/bash -c true` and `dfm --version`
// (docs/performance.md, "What the machine allows").

#include <QCoreApplication>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    return 0;
}
