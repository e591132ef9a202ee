// SPDX-License-Identifier: MIT
#pragma once

#include <QtWidgets/QLabel>

/*
  A one-line label that fits any text into the room it gets: a text too
  long is elided (by default in the middle, which keeps both ends of a
  path: "/opt/shop/…/bin/worker") and shown whole as the tooltip.
*/
class ElidedLabel : public QLabel
{
    Q_OBJECT
public:
    explicit ElidedLabel(QWidget *parent = nullptr);

    void setFullText(const QString &text);
    QString fullText() const { return m_fullText; }
    void setElideMode(Qt::TextElideMode mode);
    //! The text is shortened to fit.
    bool isElided() const { return text() != m_fullText; }

    QSize minimumSizeHint() const override;

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void elide();

    QString m_fullText;
    Qt::TextElideMode m_mode = Qt::ElideMiddle;
};
