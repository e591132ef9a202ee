// SPDX-License-Identifier: MIT
#include "chartspanel.h"

#include <QtCharts/QAreaSeries>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QDateTimeAxis>
#include <QtCharts/QLegend>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>
#include <QtCore/QDateTime>
#include <QtWidgets/QHBoxLayout>

#include <algorithm>
#include <cmath>

ChartsPanel::ChartsPanel(ClusterHistory *history, QWidget *parent)
    : QWidget(parent)
    , m_history(history)
{
    setObjectName(QStringLiteral("charts"));
    // The rates chart has the most series: it gets the width and a legend beside it.
    m_charts[0] = makeChart(QStringLiteral("Messages per second, by kind"), QStringLiteral("msg/s"), false, Qt::AlignRight);
    m_charts[1] = makeChart(QStringLiteral("Workers up, by group"), QStringLiteral("processes"), true, Qt::AlignBottom);
    m_charts[2] = makeChart(QStringLiteral("Restarts since the monitor started"), QStringLiteral("total"), true, Qt::AlignBottom);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    const int stretch[3] = {2, 1, 1};
    for (int i = 0; i < 3; ++i) {
        auto *view = new QChartView(m_charts[i].chart, this);
        view->setRenderHint(QPainter::Antialiasing);
        view->setMinimumSize(220, 160);
        layout->addWidget(view, stretch[i]);
    }
    connect(history, &ClusterHistory::sampled, this, &ChartsPanel::refresh);
    refresh();
}

ChartsPanel::Chart ChartsPanel::makeChart(const QString &title, const QString &yTitle, bool integers, Qt::Alignment legend)
{
    Chart c;
    c.chart = new QChart;
    c.chart->setTitle(title);
    c.chart->legend()->setAlignment(legend);
    QFont small = font();
    small.setPointSizeF(std::max(7.0, small.pointSizeF() - 1));
    c.chart->legend()->setFont(small);
    c.chart->setMargins(QMargins(4, 4, 4, 4));
    c.chart->setBackgroundRoundness(0);
    c.x = new QDateTimeAxis;
    c.x->setFormat(QStringLiteral("HH:mm:ss"));
    c.x->setTickCount(4);
    c.x->setLabelsFont(small);
    c.y = new QValueAxis;
    c.y->setTitleText(yTitle);
    c.y->setTitleFont(small);
    c.y->setLabelsFont(small);
    c.y->setLabelFormat(integers ? QStringLiteral("%d") : QStringLiteral("%.0f"));
    c.y->setMin(0);
    c.chart->addAxis(c.x, Qt::AlignBottom);
    c.chart->addAxis(c.y, Qt::AlignLeft);
    return c;
}

void ChartsPanel::updateLines(Chart &chart, const QList<ClusterHistory::Series> &data)
{
    double maxY = 0;
    QStringList names;
    for (const ClusterHistory::Series &s : data) {
        names.append(s.name);
        auto *series = static_cast<QLineSeries *>(chart.series.value(s.name));
        if (!series) {
            series = new QLineSeries;
            series->setName(s.name);
            QPen pen(s.color);
            pen.setWidthF(2);
            series->setPen(pen);
            chart.chart->addSeries(series);
            series->attachAxis(chart.x);
            series->attachAxis(chart.y);
            chart.series.insert(s.name, series);
        }
        series->replace(s.points);
        for (const QPointF &p : s.points)
            maxY = std::max(maxY, p.y());
    }
    dropSeriesNotIn(chart, names);
    updateAxes(chart, maxY);
}

void ChartsPanel::updateStacked(Chart &chart, const QList<ClusterHistory::Series> &data)
{
    // Groups appear at different times: stack on the union of sample times.
    QList<double> xs;
    for (const ClusterHistory::Series &s : data) {
        for (const QPointF &p : s.points)
            xs.append(p.x());
    }
    std::sort(xs.begin(), xs.end());
    xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
    QList<double> base(xs.size(), 0.0);

    QStringList names;
    for (const ClusterHistory::Series &s : data) {
        names.append(s.name);
        QHash<double, double> value;
        for (const QPointF &p : s.points)
            value.insert(p.x(), p.y());
        QList<QPointF> lower;
        QList<QPointF> upper;
        for (qsizetype i = 0; i < xs.size(); ++i) {
            lower.append(QPointF(xs.at(i), base.at(i)));
            base[i] += value.value(xs.at(i), 0.0);
            upper.append(QPointF(xs.at(i), base.at(i)));
        }
        auto *area = static_cast<QAreaSeries *>(chart.series.value(s.name));
        if (!area) {
            area = new QAreaSeries;
            // The area does not own its lines: parented to it, they go with it.
            area->setUpperSeries(new QLineSeries(area));
            area->setLowerSeries(new QLineSeries(area));
            area->setName(s.name);
            QColor fill = s.color;
            fill.setAlpha(150);
            area->setBrush(fill);
            area->setPen(QPen(s.color, 1.5));
            chart.chart->addSeries(area);
            area->attachAxis(chart.x);
            area->attachAxis(chart.y);
            chart.series.insert(s.name, area);
        }
        area->upperSeries()->replace(upper);
        area->lowerSeries()->replace(lower);
    }
    dropSeriesNotIn(chart, names);
    updateAxes(chart, base.isEmpty() ? 0.0 : *std::max_element(base.cbegin(), base.cend()));
}

void ChartsPanel::dropSeriesNotIn(Chart &chart, const QStringList &names)
{
    for (auto it = chart.series.begin(); it != chart.series.end();) {
        if (!names.contains(it.key())) {
            chart.chart->removeSeries(it.value());
            delete it.value();
            it = chart.series.erase(it);
        } else {
            ++it;
        }
    }
}

void ChartsPanel::updateAxes(Chart &chart, double maxY)
{
    chart.x->setRange(QDateTime::fromMSecsSinceEpoch(m_history->startTime()),
                      QDateTime::fromMSecsSinceEpoch(m_history->lastSampleTime()));
    // Headroom above the highest point and a tick step of 1, 2 or 5 times a
    // power of ten: whole numbers stay whole, labels stay readable.
    const double wanted = std::max(1.0, maxY * 1.1);
    double step = std::pow(10.0, std::floor(std::log10(wanted / 5)));
    for (double factor : {1.0, 2.0, 5.0, 10.0}) {
        if (wanted / (step * factor) <= 6) {
            step *= factor;
            break;
        }
    }
    step = std::max(step, 1.0);
    chart.y->setTickType(QValueAxis::TicksDynamic);
    chart.y->setTickAnchor(0);
    chart.y->setTickInterval(step);
    chart.y->setRange(0, std::ceil(wanted / step) * step);
}

void ChartsPanel::refresh()
{
    updateLines(m_charts[0], m_history->messageRates());
    updateStacked(m_charts[1], m_history->workersUp());
    updateLines(m_charts[2], m_history->restarts());
}

QStringList ChartsPanel::seriesNames(int index) const
{
    if (index < 0 || index > 2)
        return {};
    QStringList names = m_charts[index].series.keys();
    names.sort();
    return names;
}
