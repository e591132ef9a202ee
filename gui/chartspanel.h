// SPDX-License-Identifier: MIT
#pragma once

#include "clusterhistory.h"

#include <QtCore/QHash>
#include <QtWidgets/QWidget>

class QAbstractSeries;
class QChart;
class QDateTimeAxis;
class QValueAxis;

/*
  The charts tab (Qt Charts): messages per second by kind, workers up per
  group (stacked, so the top edge is the whole cluster), restarts. Redrawn
  from ClusterHistory once a second, each series replaced in one call
  rather than point by point.
*/
class ChartsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ChartsPanel(ClusterHistory *history, QWidget *parent = nullptr);

    //! Series names currently drawn in chart \a index (0 rates, 1 workers, 2 restarts).
    QStringList seriesNames(int index) const;

public Q_SLOTS:
    void refresh();

private:
    struct Chart
    {
        QChart *chart = nullptr;
        QDateTimeAxis *x = nullptr;
        QValueAxis *y = nullptr;
        QHash<QString, QAbstractSeries *> series;
    };
    Chart makeChart(const QString &title, const QString &yTitle, bool integers, Qt::Alignment legend);
    void updateLines(Chart &chart, const QList<ClusterHistory::Series> &data);
    void updateStacked(Chart &chart, const QList<ClusterHistory::Series> &data);
    void dropSeriesNotIn(Chart &chart, const QStringList &names);
    void updateAxes(Chart &chart, double maxY);

    ClusterHistory *m_history;
    Chart m_charts[3];
};
