// libqrencode's module matrix → rows of ▀ ▄ █ and spaces.
#include "terminalqr.h"

#include <qrencode.h>

#include <memory>

QString terminalQr(const QByteArray &text, bool invert)
{
    const std::unique_ptr<QRcode, void (*)(QRcode *)> code(
        QRcode_encodeString8bit(text.constData(), 0, QR_ECLEVEL_L), QRcode_free);
    if (!code)
        return {};
    constexpr int quiet = 2;
    const int width = code->width;
    const int size = width + 2 * quiet;
    // Drawn (a block) where the module is light, or dark when inverted.
    const auto drawn = [&](int x, int y) {
        x -= quiet;
        y -= quiet;
        const bool dark =
            x >= 0 && y >= 0 && x < width && y < width && (code->data[y * width + x] & 1);
        return dark == invert;
    };
    QString out;
    for (int y = 0; y < size; y += 2) {
        for (int x = 0; x < size; ++x) {
            const bool top = drawn(x, y);
            const bool bottom = y + 1 < size && drawn(x, y + 1);
            out += top && bottom ? QChar(0x2588) // █
                   : top         ? QChar(0x2580) // ▀
                   : bottom      ? QChar(0x2584) // ▄
                                 : QChar(u' ');
        }
        out += u'\n';
    }
    return out;
}
