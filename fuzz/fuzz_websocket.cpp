// The RFC 6455 frame reader (client frames of an event socket): any bytes, read whole and
// again in pieces. The pieces must give the same messages and the same verdict (a frame split
// anywhere is the same frame), and no message may exceed the limit.
#include "http/websocketframes.h"

#include <cstdio>
#include <cstdlib>

namespace {
constexpr qsizetype limit = 64 * 1024;

struct Outcome
{
    std::vector<latchkey::websocket::Message> messages;
    std::optional<latchkey::websocket::Violation> violation;
};

Outcome readInPieces(QByteArrayView bytes, qsizetype piece)
{
    latchkey::websocket::FrameReader reader(limit);
    Outcome outcome;
    QByteArray pending;
    for (qsizetype at = 0; at < bytes.size() && !outcome.violation; at += piece) {
        pending.append(bytes.sliced(at, std::min(piece, bytes.size() - at)));
        outcome.violation = reader.read(pending, outcome.messages);
    }
    return outcome;
}

[[noreturn]] void fail(const char *what)
{
    std::fprintf(stderr, "%s\n", what);
    std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const qsizetype piece = 1 + data[0] % 7;
    const QByteArrayView bytes(reinterpret_cast<const char *>(data) + 1, qsizetype(size) - 1);
    const Outcome whole = readInPieces(bytes, std::max<qsizetype>(1, bytes.size()));
    const Outcome split = readInPieces(bytes, piece);
    if (whole.messages.size() != split.messages.size())
        fail("a different number of messages when read in pieces");
    for (size_t i = 0; i < whole.messages.size(); ++i) {
        if (whole.messages[i].opcode != split.messages[i].opcode ||
            whole.messages[i].payload != split.messages[i].payload)
            fail("a different message when read in pieces");
        if (whole.messages[i].payload.size() > limit)
            fail("a message over the limit");
    }
    if (whole.violation.has_value() != split.violation.has_value() ||
        (whole.violation && whole.violation->code != split.violation->code))
        fail("a different verdict when read in pieces");
    return 0;
}
