// Raw bytes into a real connection's parser, strict framing and limits, split into writes at
// points the input chooses. The server must answer every complete request or refuse with a
// 4xx and close; never 5xx, never a crash.
// Input: 1 byte n (0..7 split points), n bytes of split offsets (scaled), then the bytes sent.
#include "fuzzserver.h"

#include <algorithm>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace latchkey::fuzz;
    const FuzzServer &server = FuzzServer::instance();
    if (size == 0)
        return 0;
    const size_t splits = std::min<size_t>(data[0] % 8, size - 1);
    const QByteArrayView bytes(reinterpret_cast<const char *>(data) + 1 + splits,
                               qsizetype(size - 1 - splits));
    std::vector<qsizetype> cuts;
    for (size_t i = 0; i < splits; ++i)
        cuts.push_back(bytes.isEmpty() ? 0 : qsizetype(data[1 + i]) * bytes.size() / 256);
    std::sort(cuts.begin(), cuts.end());
    std::vector<QByteArrayView> pieces;
    qsizetype from = 0;
    for (qsizetype cut : cuts) {
        pieces.push_back(bytes.sliced(from, cut - from));
        from = cut;
    }
    pieces.push_back(bytes.sliced(from));
    requireNoServerError(bytes.toByteArray(), server.exchange(pieces, FuzzServer::End::HalfClose));
    return 0;
}
