// Small pieces the demo's pages share: SVG icons at the screen's pixel ratio, labels, the
// round avatar, re-applying the stylesheet after a dynamic property changed.
#pragma once

#include <QImage>
#include <QPixmap>
#include <QSize>
#include <QString>
#include <QVariant>

class QLabel;
class QWidget;

namespace latchkey::demo {

//! Icons are SVG in the resources (":/demo/icons/<name>.svg"), rendered at \a ratio so they
//! stay sharp.
QPixmap renderSvg(const QString &name, QSize size, qreal ratio);
QLabel *iconLabel(const QString &icon, int edge, qreal ratio, QWidget *parent);
//! A word-wrapped label named \a objectName (the stylesheet and tests find it by that).
QLabel *textLabel(const QString &objectName, const QString &text, QWidget *parent,
                  Qt::Alignment alignment = Qt::AlignCenter);
//! A square image cut to a circle of \a edge device-independent pixels.
QPixmap roundAvatar(const QImage &image, int edge, qreal ratio);
//! Sets a dynamic property the stylesheet selects on ("tone", "invalid") and re-polishes.
void setStyleProperty(QWidget *widget, const char *name, const QVariant &value);

} // namespace latchkey::demo
