// A QR code drawn with Unicode half blocks, two modules per character cell, for a terminal.
#pragma once

#include <QByteArray>
#include <QString>

//! \a text as a QR code (libqrencode, error correction level L), one line per two module
//! rows, with a quiet zone of 2 modules. Like `qrencode -t UTF8`, a block is a light module
//! (for the usual dark terminal); \a invert draws the dark ones instead (light terminals).
//! Empty when \a text does not fit a QR code.
QString terminalQr(const QByteArray &text, bool invert = false);
