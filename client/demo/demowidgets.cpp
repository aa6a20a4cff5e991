// The demo's shared widget helpers.
#include "demowidgets.h"

#include <QLabel>
#include <QPainter>
#include <QPainterPath>
#include <QStyle>
#include <QSvgRenderer>
#include <QVariant>

namespace latchkey::demo {

QPixmap renderSvg(const QString &name, QSize size, qreal ratio)
{
    QSvgRenderer renderer(QStringLiteral(":/demo/icons/%1.svg").arg(name));
    QPixmap pixmap(size * ratio);
    pixmap.fill(Qt::transparent);
    if (!renderer.isValid()) {
        qWarning("latchkey-demo: icon %s is missing from the resources", qPrintable(name));
        return pixmap;
    }
    QPainter painter(&pixmap);
    renderer.render(&painter);
    painter.end();
    pixmap.setDevicePixelRatio(ratio);
    return pixmap;
}

QLabel *iconLabel(const QString &icon, int edge, qreal ratio, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setPixmap(renderSvg(icon, QSize(edge, edge), ratio));
    label->setFixedSize(edge, edge);
    return label;
}

QLabel *textLabel(const QString &objectName, const QString &text, QWidget *parent,
                  Qt::Alignment alignment)
{
    auto *label = new QLabel(text, parent);
    label->setObjectName(objectName);
    label->setAlignment(alignment);
    label->setWordWrap(true);
    return label;
}

QPixmap roundAvatar(const QImage &image, int edge, qreal ratio)
{
    const int pixels = qRound(edge * ratio);
    const QImage square =
        image.scaled(pixels, pixels, Qt::KeepAspectRatioByExpanding, Qt::SmoothTransformation);
    QPixmap pixmap(pixels, pixels);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    QPainterPath circle;
    circle.addEllipse(QRectF(0, 0, pixels, pixels));
    painter.setClipPath(circle);
    painter.drawImage(QPoint((pixels - square.width()) / 2, (pixels - square.height()) / 2),
                      square);
    painter.end();
    pixmap.setDevicePixelRatio(ratio);
    return pixmap;
}

void setStyleProperty(QWidget *widget, const char *name, const QVariant &value)
{
    widget->setProperty(name, value);
    widget->style()->unpolish(widget);
    widget->style()->polish(widget);
}

} // namespace latchkey::demo
