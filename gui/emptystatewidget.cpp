// SPDX-License-Identifier: MIT
#include "emptystatewidget.h"

#include "clustermonitor.h"

#include <QtWidgets/QLabel>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QVBoxLayout>

EmptyStateWidget::EmptyStateWidget(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_body(new QLabel(this))
    , m_where(new QLabel(this))
{
    setObjectName(QStringLiteral("emptyState"));
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.8);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setAlignment(Qt::AlignCenter);
    m_body->setTextFormat(Qt::RichText);
    m_body->setAlignment(Qt::AlignCenter);
    m_body->setWordWrap(true);
    m_body->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_body->setText(QStringLiteral(
        "<p>This window shows a running clustr-qt cluster. Start one:</p>"
        "<table align=\"center\" cellpadding=\"3\">"
        "<tr><td><code>scripts/run</code></td><td>a demo cluster with a private Redis</td></tr>"
        "<tr><td><code>clustr-qt run cluster.json</code></td><td>the cluster described in your file</td></tr>"
        "</table>"
        "<p>It shows up here by itself as soon as it runs.</p>"));
    m_where->setAlignment(Qt::AlignCenter);
    m_where->setWordWrap(true);
    m_where->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_where->setStyleSheet(QStringLiteral("color: palette(mid);"));
    auto *settings = new QPushButton(QStringLiteral("Connection settings…"), this);
    connect(settings, &QPushButton::clicked, this, &EmptyStateWidget::settingsRequested);

    auto *layout = new QVBoxLayout(this);
    layout->addStretch(2);
    layout->addWidget(m_title);
    layout->addSpacing(12);
    layout->addWidget(m_body);
    layout->addSpacing(12);
    layout->addWidget(m_where);
    layout->addSpacing(12);
    layout->addWidget(settings, 0, Qt::AlignCenter);
    layout->addStretch(3);
}

void EmptyStateWidget::update(const ClusterMonitor &monitor)
{
    using State = ClusterMonitor::State;
    switch (monitor.state()) {
    case State::Idle: m_title->setText(QStringLiteral("Not connected")); break;
    case State::Connecting: m_title->setText(QStringLiteral("Looking for the cluster…")); break;
    case State::Unreachable: m_title->setText(QStringLiteral("Redis is not reachable")); break;
    default: m_title->setText(QStringLiteral("No cluster running")); break;
    }
    const QString cluster = monitor.clusterName().isEmpty() ? QStringLiteral("the default cluster (no name)")
                                                            : QStringLiteral("cluster \"%1\"").arg(monitor.clusterName());
    QString where = QStringLiteral("Looking for %1 on %2.").arg(cluster, monitor.redisUrl());
    if (monitor.state() == State::Unreachable && !monitor.lastError().isEmpty())
        where += QStringLiteral("\n%1 — retrying.").arg(monitor.lastError());
    if (!monitor.discoveryTrail().isEmpty())
        where += QStringLiteral("\nLooked at: %1").arg(monitor.discoveryTrail().join(QStringLiteral("; ")));
    m_where->setText(where);
}

QString EmptyStateWidget::text() const
{
    return m_title->text() + QLatin1Char('\n') + m_body->text() + QLatin1Char('\n') + m_where->text();
}
