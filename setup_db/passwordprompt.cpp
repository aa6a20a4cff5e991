// The hidden password prompt: echo off while reading, restored on every way out.
#include "passwordprompt.h"

#include <csignal>
#include <cstdio>
#include <string>
#include <termios.h>
#include <unistd.h>

namespace latchkey {

namespace {
// The terminal state to restore if the operator interrupts the password prompt; without
// it an interrupted prompt would leave the shell with echo off.
termios savedTerminal;

void restoreTerminalAndExit(int signal)
{
    ::tcsetattr(STDIN_FILENO, TCSANOW, &savedTerminal); // async-signal-safe
    ::_exit(128 + signal);
}
} // namespace

Result<QString> promptHidden(const QString &prompt)
{
    std::fprintf(stderr, "%s", qPrintable(prompt));
    std::fflush(stderr);
    const bool terminal = ::tcgetattr(STDIN_FILENO, &savedTerminal) == 0;
    struct sigaction previousInt = {}, previousTerm = {};
    if (terminal) {
        struct sigaction action = {};
        action.sa_handler = restoreTerminalAndExit;
        sigemptyset(&action.sa_mask);
        sigaction(SIGINT, &action, &previousInt);
        sigaction(SIGTERM, &action, &previousTerm);
        termios quiet = savedTerminal;
        quiet.c_lflag &= ~tcflag_t(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    std::string line;
    bool gotAny = false;
    for (int c = std::fgetc(stdin); c != EOF; c = std::fgetc(stdin)) {
        gotAny = true;
        if (c == '\n')
            break;
        line.push_back(char(c));
    }
    if (terminal) {
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &savedTerminal);
        sigaction(SIGINT, &previousInt, nullptr);
        sigaction(SIGTERM, &previousTerm, nullptr);
    }
    std::fprintf(stderr, "\n");
    if (!gotAny)
        return Error{ErrorCode::Cancelled, QStringLiteral("no password was entered")};
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    return QString::fromLocal8Bit(line);
}

} // namespace latchkey
