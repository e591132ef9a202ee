// SPDX-License-Identifier: MIT
#pragma once

#include <QtGui/QColor>
#include <QtGui/QIcon>

//! A round dot of \a color, the size of a small icon; made once per colour, then shared.
QIcon dotIcon(const QColor &color);
