// SPDX-License-Identifier: MIT
#include "icons.h"

#include <QtCore/QHash>
#include <QtGui/QPainter>
#include <QtGui/QPixmap>

QIcon dotIcon(const QColor &color)
{
    // Models ask for decorations on every paint: never draw the same dot twice.
    // Never destroyed: pixmaps must not outlive the QGuiApplication.
    static auto *const cache = new QHash<QRgb, QIcon>;
    const auto it = cache->constFind(color.rgba());
    if (it != cache->cend())
        return *it;
    QPixmap pixmap(32, 32);
    pixmap.fill(Qt::transparent);
    {
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(color);
        painter.drawEllipse(QRectF(6, 6, 20, 20));
    }
    const QIcon icon(pixmap);
    cache->insert(color.rgba(), icon);
    return icon;
}
