#include <QCoreApplication>
#include <cstdio>
int main(int argc, char **argv) { QCoreApplication app(argc, argv); std::puts("dfm: under construction"); return 1; }
